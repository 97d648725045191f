"""Formatting and writing generated trees: all or nothing, unchanged files left alone.

Each package folder keeps a manifest of the files it was generated with; only those
files are ever removed, so nothing a user adds beside them is touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".generated.json"  # committed: the files generated and their hashes
STAMP = ".generated.stamp"  # not committed: what generated them (generator and spec), for the fast path
_UMASK = os.umask(0)
os.umask(_UMASK)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class PackageOutput:
    """The files one package folder should hold, plus what produced them."""

    folder: Path
    files: dict[Path, str]  # relative to folder
    fingerprint: str
    metadata: dict[str, str] = field(default_factory=dict)  # what generated it: spec hash, versions

    def manifest(self) -> str:
        entries = {str(path.as_posix()): sha256(text) for path, text in sorted(self.files.items())}
        return json.dumps({**self.metadata, "files": entries}, indent=1, sort_keys=True) + "\n"


@dataclass
class Plan:
    """What writing a set of packages changes on disk."""

    writes: dict[Path, str] = field(default_factory=dict)
    deletions: list[Path] = field(default_factory=list)
    unchanged: int = 0
    roots: set[Path] = field(default_factory=set)
    stamps: dict[Path, str] = field(default_factory=dict)

    @property
    def stale(self) -> list[Path]:
        return sorted([*self.writes, *self.deletions])


def read_manifest(folder: Path) -> dict[str, object]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def file_sha256(path: Path) -> str:
    """A file's sha256, or '' when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def is_current(folder: Path, fingerprint: str) -> bool:
    """True when the folder holds exactly what this fingerprint generated (fast path).

    The stamp's first line is the fingerprint; each further line names a file the spec's
    `$ref`s reached, with its hash then, so editing a referenced file regenerates too, and
    last the manifest the run wrote, so an older package put back (a checkout) regenerates.
    """
    try:
        first, *referenced = (folder / STAMP).read_text(encoding="utf-8").split("\n")
    except OSError:
        return False
    if first != fingerprint:
        return False
    for line in referenced:
        digest, _, name = line.partition(" ")
        if file_sha256(Path(name)) != digest:
            return False
    files = read_manifest(folder).get("files")
    if not isinstance(files, dict):
        return False
    return all(file_sha256(folder / name) == digest for name, digest in files.items())


def plan(packages: list[PackageOutput]) -> Plan:
    """Compare the wanted files with the disk."""
    result = Plan()
    for package in packages:
        result.roots.add(package.folder)
        result.stamps[package.folder] = package.fingerprint
        wanted = {package.folder / path: text for path, text in package.files.items()}
        wanted[package.folder / MANIFEST] = package.manifest()
        for path, text in wanted.items():
            try:
                current = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                current = None
            if current == text:
                result.unchanged += 1
            else:
                result.writes[path] = text
        previous = read_manifest(package.folder).get("files")
        for name in sorted(previous) if isinstance(previous, dict) else ():
            path = package.folder / name
            if path not in wanted and path.exists():
                result.deletions.append(path)
    return result


def apply(changes: Plan) -> None:
    """Write and delete as planned; on any failure, put every touched file back as it was."""
    backups: dict[Path, bytes | None] = {}
    try:
        for path, text in sorted(changes.writes.items()):
            backups[path] = path.read_bytes() if path.exists() else None
            _write_atomically(path, text)
        for path in changes.deletions:
            backups[path] = path.read_bytes()
            path.unlink()
    except BaseException:
        for path, content in backups.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                _write_atomically(path, content.decode("utf-8"))
        raise
    for path in changes.deletions:
        _remove_empty_folders(path.parent, changes.roots)
    for folder, fingerprint in changes.stamps.items():
        stamp = folder / STAMP
        manifest = folder / MANIFEST  # bound to the stamp: another manifest (a checkout) is another generation
        text = f"{fingerprint}\n{file_sha256(manifest)} {manifest}"
        if not stamp.exists() or stamp.read_text(encoding="utf-8") != text:
            _write_atomically(stamp, text)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        os.chmod(temporary, 0o666 & ~_UMASK)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_empty_folders(folder: Path, roots: set[Path]) -> None:
    """Remove folders left empty below a package root (never the root or above)."""
    while folder not in roots and any(root in folder.parents for root in roots):
        if not folder.exists() or any(p for p in folder.iterdir() if p.name != "__pycache__"):
            return
        shutil.rmtree(folder)
        folder = folder.parent
