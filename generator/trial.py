"""A trial import: every generated module is compiled and imported before anything is written.

The packages are laid out in a scratch folder and imported by a separate Python process,
so a module that does not compile, or fails at import (a class hierarchy Python cannot
order, a name used before it exists), stops the run with one located line and the
output tree stays as it was, whichever formatter ran.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.load import display_path
from generator.output import PackageOutput

TIMEOUT = 600  # seconds: the largest APIs import in a few

_SCRIPT = """
import importlib, json, sys, traceback
roots, modules = json.loads(sys.argv[1])
shown = {file: name for name, file, _ in modules}
sys.path[:0] = roots
for _, file, module in modules:
    try:
        importlib.import_module(module)
    except BaseException as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in shown]
        where, line, col = (shown[frames[-1].filename], frames[-1].lineno or 1, 1) if frames else (shown[file], 1, 1)
        if isinstance(exc, SyntaxError) and exc.filename in shown:
            where, line, col = shown[exc.filename], exc.lineno or 1, exc.offset or 1
        message = " ".join(str(exc).split())[:300]
        print(f"{where}:{line}:{col}: generate-failed: the generated module does not import "
              f"({type(exc).__name__}: {message}); nothing was written")
        sys.exit(1)
"""


class BrokenPackageError(Exception):
    """A generated module does not compile or import (a generator bug); the message is one located line."""


def trial_import(outputs: list[PackageOutput]) -> None:
    """Import every Python module of the packages in a fresh process; BrokenPackageError if one fails."""
    if not outputs:
        return
    with tempfile.TemporaryDirectory(prefix="crm-codegen-trial-") as scratch:
        roots, modules = [], []
        for index, output in enumerate(outputs):
            root = Path(scratch) / str(index)
            for path, text in sorted(output.files.items()):
                if path.suffix != ".py":
                    continue
                file = root / path
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_text(text, encoding="utf-8")
                name = ".".join(path.with_suffix("").parts).removesuffix(".__init__")
                modules.append((display_path(output.folder / path), str(file), name))
            roots.append(str(root))
        environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        process = subprocess.run([sys.executable, "-c", _SCRIPT, json.dumps([roots, modules])], cwd=scratch,
                                 capture_output=True, text=True, env=environment, timeout=TIMEOUT)
    if process.returncode:
        lines = process.stdout.strip().splitlines() or process.stderr.strip().splitlines() or ["(no output)"]
        raise BrokenPackageError(lines[-1])
