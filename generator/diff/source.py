"""Where the two specs come from: files, or `REV:path` from git."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from generator.diagnostics import Diagnostic, SpecInputError
from generator.load import Document, load_document


def load_source(argument: str) -> Document:
    """A spec from a file, or from git when the argument is `REVISION:path` and no such file exists."""
    path = Path(argument)
    if path.exists() or ":" not in argument:
        return load_document(path)
    revision, _, inner = argument.partition(":")
    process = subprocess.run(["git", "show", f"{revision}:{inner}"], capture_output=True)
    if process.returncode != 0:
        message = process.stderr.decode(errors="replace").strip().splitlines()
        raise SpecInputError(Diagnostic(argument, 1, 1, "read-error", message[-1] if message else "git show failed"))
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / Path(inner).name
        copy.write_bytes(process.stdout)
        document = load_document(copy)
    document.path = Path(argument)
    return document
