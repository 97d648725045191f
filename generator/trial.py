"""A trial import: every generated module is compiled and imported before anything is written.

The packages are laid out in a scratch folder and imported by a separate Python process,
so a module that does not compile, or fails at import (a class hierarchy Python cannot
order, a name used before it exists), stops the run with one located line and the
output tree stays as it was, whichever formatter ran.

The process starts with the first package and imports modules as they are handed over:
a package's models (the slow import) as soon as they are known, as a user doing
`from package import models` would, while the rest of the package is still being made.
A package whose modules differ from its last generation only in docstrings (a vendor's
prose edit) is not imported again: that generation's import proves them.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
import threading
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Self

from generator.formatting import is_lone_string, pieces
from generator.load import display_path
from generator.output import read_manifest, sha256

TIMEOUT = 600  # seconds: the largest APIs import in a few

# The generated packages' dependencies (client and server): imported while the first package is made.
DEPENDENCIES = ("pydantic", "httpx", "fastapi")

_SCRIPT = """
import importlib, json, sys, traceback
for dependency in sys.argv[1:]:
    try:
        importlib.import_module(dependency)
    except ImportError:
        pass  # the package's own import then says what is missing
shown = {}
for line in sys.stdin:
    root, modules, wanted = json.loads(line)
    if root not in sys.path:
        sys.path.insert(0, root)
    shown.update((file, name) for name, file, _ in modules)
    for _, file, module in (entry for entry in modules if entry[2] in wanted):
        try:
            importlib.import_module(module)
        except BaseException as exc:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in shown]
            where, line, col = (shown[frames[-1].filename], frames[-1].lineno or 1, 1) if frames else (shown[file], 1, 1)
            if isinstance(exc, SyntaxError) and exc.filename in shown:
                where, line, col = shown[exc.filename], exc.lineno or 1, exc.offset or 1
            message = " ".join(str(exc).split())[:300]
            print(f"{where}:{line}:{col}: generate-failed: the generated module does not import "
                  f"({type(exc).__name__}: {message}); nothing was written", flush=True)
            sys.exit(1)
"""


def proven_before(folder: Path, files: dict[Path, str], every_module: bool = True) -> bool:
    """Whether the folder's last generation already proves these modules import.

    It does when each of them differs from the file generated there before (untouched since:
    its hash is the manifest's) at most in docstrings and other lone strings, which nothing
    reads at import; with `every_module`, the package must also have the same modules.
    """
    generated = read_manifest(folder).get("files")
    modules = {path.as_posix(): text for path, text in files.items() if path.suffix == ".py"}
    if not isinstance(generated, dict) or (
            every_module and set(modules) != {name for name in generated if name.endswith(".py")}):
        return False
    for name, text in modules.items():
        try:
            before = (folder / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
        if generated.get(name) != sha256(before) or (before != text and not _same_code(before, text)):
            return False
    return True


def _same_code(before: str, after: str) -> bool:
    """Whether two versions of a module differ at most in docstrings; only the pieces that differ are
    parsed (the pieces black formats apart: a description edit touches one method of a large tag)."""
    old, new = pieces(before), pieces(after)
    if len(old) != len(new):
        return _code(before) == _code(after)
    return all(a == b or _code(a) == _code(b) for a, b in zip(old, new))


@cache  # a module's two versions are compared once for the import and once for the release
def _code(source: str) -> str:
    """The module's code without the lone strings (docstrings) of its module, class and function bodies."""
    tree = ast.parse(source)
    containers: list[ast.AST] = [tree]
    while containers:
        node = containers.pop()
        body = [statement for statement in getattr(node, "body") if not is_lone_string(statement)]
        setattr(node, "body", body or [ast.Pass()])
        containers += [statement for statement in body
                       if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
    return ast.dump(tree)


class BrokenPackageError(Exception):
    """A generated module does not compile or import (a generator bug); the message is one located line."""


class TrialImport:
    """One fresh Python process importing the generated packages' modules as they are handed over.

    Use as a context manager; `check()` waits for the imports and raises BrokenPackageError.
    """

    def __init__(self) -> None:
        self._scratch = tempfile.TemporaryDirectory(prefix="crm-codegen-trial-")
        self._process: subprocess.Popen[str] | None = None
        self._roots: dict[Path, Path] = {}  # package folder -> its scratch root
        self._written: set[Path] = set()
        self._lock = threading.Lock()  # a package's models are handed over from another thread

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        self._scratch.cleanup()

    def add(self, folder: Path, files: dict[Path, str], modules: list[str] | None = None) -> None:
        """Lay out a package's Python files and import `modules` (default: every module, in order).

        A file laid out before is kept: the first text handed over for it is the one imported.
        """
        with self._lock:
            self._add(folder, files, modules)

    def _add(self, folder: Path, files: dict[Path, str], modules: list[str] | None) -> None:
        root = self._roots.setdefault(folder, Path(self._scratch.name) / str(len(self._roots)))
        entries = {}
        for path, text in sorted(files.items()):
            if path.suffix != ".py":
                continue
            file = root / path
            if file not in self._written:
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_text(text, encoding="utf-8")
                self._written.add(file)
            name = ".".join(path.with_suffix("").parts).removesuffix(".__init__")
            entries[name] = (display_path(folder / path), str(file), name)
        wanted = list(entries) if modules is None else [name for name in modules if name in entries]
        self._send(json.dumps([str(root), list(entries.values()), wanted]) + "\n")

    def start(self) -> subprocess.Popen[str]:
        """Start the process (it loads the packages' dependencies meanwhile); `add` starts it too.

        Its warnings go to a file, not a pipe nobody reads until the end (a full pipe would stall it).
        """
        if self._process is None:
            environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
            with open(Path(self._scratch.name) / "stderr.txt", "w", encoding="utf-8") as stderr:
                self._process = subprocess.Popen([sys.executable, "-c", _SCRIPT, *DEPENDENCIES], text=True,
                                                 cwd=self._scratch.name, stdin=subprocess.PIPE,
                                                 stdout=subprocess.PIPE, stderr=stderr, env=environment)
        return self._process

    def _send(self, line: str) -> None:
        stdin = self.start().stdin
        assert stdin is not None
        try:
            stdin.write(line)
            stdin.flush()
        except BrokenPipeError:
            pass  # the process stopped at a module that does not import: check() says which

    def check(self) -> None:
        """Wait until every module handed over is imported; BrokenPackageError at the first that fails."""
        if self._process is None:
            return
        stdout, _ = self._process.communicate(timeout=TIMEOUT)
        if self._process.returncode:
            stderr = (Path(self._scratch.name) / "stderr.txt").read_text(encoding="utf-8", errors="replace")
            lines = stdout.strip().splitlines() or stderr.strip().splitlines() or ["(no output)"]
            raise BrokenPackageError(lines[-1])
