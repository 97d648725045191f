"""Regeneration as a release: the package's next semver and its CHANGELOG entry, in SDK terms.

The state is in the committed package: its `pyproject.toml` version, its `CHANGELOG.md`, its
bundled `openapi.json` and its code. A regeneration whose code is unchanged keeps them all;
otherwise the old and new packages' public API are compared with griffe (methods and their
keyword arguments, models and their fields), the old and new specs with `diff` (wire-level
breaks griffe cannot see, such as a narrowed enum), and the version is bumped: major for a
break, minor for an addition or change, patch for the rest (documentation, the package's own code).
"""

from __future__ import annotations

import ast
import re
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import SpecInputError
from generator.diff.compare import diff_documents
from generator.diff import sdk as diff_sdk
from generator.load import Document, load_document
from generator.output import read_manifest, sha256

FIRST_VERSION = "1.0.0"
CHANGELOG = Path("CHANGELOG.md")
VERSIONED = frozenset({Path("pyproject.toml"), CHANGELOG})  # files that carry the version itself
INTRO = ("# Changelog\n\nOne entry per release, newest first. Versions follow semver for users of the SDK: "
         "major for a break (a removed method, keyword argument or field, a narrowed type), minor for an "
         "addition, patch for the rest (documentation, the package's own code).\n")
_SEMVER = re.compile(r"(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True, order=True)
class SdkChange:
    """One change for users of the SDK: what it touches and what happened to it."""

    level: int  # 2 breaks callers, 1 adds or changes, 0 documentation
    text: str  # `client.activities.list_activities()`: new keyword argument `note_filter`


@dataclass(frozen=True)
class Release:
    version: str
    changelog: str


def next_release(folder: Path, package: str, files: dict[Path, str], wire: Callable[[], list[SdkChange]],
                 source: str, same_code: bool = False) -> Release:
    """The version and changelog of the package about to be written to `folder`.

    `files` are the new package's other files; `wire` gives the spec's changes on the wire
    (`wire_changes`); `source` names the spec in the entry; `same_code`: the modules differ
    from the folder's only in docstrings, so no signature can have changed.
    """
    old_version = _old_version(folder)
    if old_version is None:
        return Release(FIRST_VERSION, INTRO + _entry(FIRST_VERSION, source, [SdkChange(1, "First release.")]))
    old_changelog = _read(folder / CHANGELOG) or INTRO
    generated = read_manifest(folder).get("files")
    wanted = {path.as_posix(): sha256(text) for path, text in files.items() if path not in VERSIONED}
    if isinstance(generated, dict) and wanted == {k: v for k, v in generated.items() if Path(k) not in VERSIONED}:
        return Release(old_version, old_changelog)  # the manifest, not the disk: hand edits make no release
    changes = ([] if same_code else sdk_changes(folder, package, files)) + wire()
    version = bump(old_version, max((c.level for c in changes), default=0))
    entry = _entry(version, source, sorted(set(changes), key=lambda c: (-c.level, c.text)) or [
        _unchanged_api(package, wanted, generated if isinstance(generated, dict) else {})])
    return Release(version, INTRO + entry + _entries(old_changelog))


def _entries(changelog: str) -> str:
    """The release entries of a changelog, without its introduction (whatever wording that had)."""
    start = changelog.find("\n## ")
    return changelog[start:] if start >= 0 else ""


def _unchanged_api(package: str, wanted: dict[str, str], generated: dict[str, Any]) -> SdkChange:
    """The entry of a release that changes no method, model or wire format: what did change."""
    changed = sorted(path for path in set(wanted) | set(generated) - {str(p) for p in VERSIONED}
                     if wanted.get(path) != generated.get(path))
    if f"{package}/openapi.json" in changed:
        return SdkChange(0, "Documentation only: docstrings follow the spec's descriptions.")
    names = ", ".join(f"`{Path(path).name}`" for path in changed)
    return SdkChange(0, f"Same API, methods and models; the package's own code changed: {names}.")


def bump(version: str, level: int) -> str:
    """`1.4.2` -> `2.0.0` (level 2), `1.5.0` (level 1), `1.4.3` (level 0)."""
    match = _SEMVER.fullmatch(version)
    major, minor, patch = (int(part) for part in match.groups()) if match else (1, 0, 0)
    if level >= 2:
        return f"{major + 1}.0.0"
    return f"{major}.{minor + 1}.0" if level == 1 else f"{major}.{minor}.{patch + 1}"


def _old_version(folder: Path) -> str | None:
    """The committed package's version when it is a release (1.0.0 or later), else None."""
    try:
        version = str(tomllib.loads(_read(folder / "pyproject.toml") or "")["project"]["version"])
    except (tomllib.TOMLDecodeError, KeyError):
        return None
    match = _SEMVER.fullmatch(version)
    return version if match and int(match.group(1)) >= 1 else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _entry(version: str, source: str, changes: list[SdkChange]) -> str:
    return f"\n## {version}\n\nFrom {source}.\n\n" + "".join(f"- {c.text}\n" for c in changes)


# -- the SDK's public API, with griffe ---------------------------------------------------

Surface = dict[str, dict[str, tuple[str, bool]]]  # SDK name -> member -> (annotation, required)


def sdk_changes(folder: Path, package: str, files: dict[Path, str]) -> list[SdkChange]:
    """What changed in the public API between the package in `folder` and `files`.

    Each SDK name is declared in one surface module, whose entries depend only on its own
    text and on the support modules it imports from; so when the support modules are the
    same, only the surface modules whose text changed are read (a description fix reads
    one tag module, not the whole package).
    """
    new = {path: text for path, text in files.items() if path.suffix == ".py" and path.name != "server.py"}
    old = {path: text for path in sorted(folder.glob(f"{package}/**/*.py"))
           if path.name != "server.py" and (text := _read(path)) is not None}
    old = {path.relative_to(folder): text for path, text in old.items()}
    support_changed = any(old.get(path) != new.get(path)
                          for path in old.keys() | new.keys() if not _is_surface_module(path, package))
    changed = {path for path in old.keys() | new.keys()
               if _is_surface_module(path, package) and (support_changed or old.get(path) != new.get(path))}
    return compare_surfaces(surface(_without_unchanged(old, changed, package), package),
                            surface(_without_unchanged(new, changed, package), package))


def _is_surface_module(path: Path, package: str) -> bool:
    """`models.py` and the client's tag modules: where the public API is declared."""
    return path == Path(package, "models.py") or (
        path.parent == Path(package, "_api") and path.name != "__init__.py")


def _without_unchanged(modules: dict[Path, str], changed: set[Path], package: str) -> dict[Path, str]:
    return {path: text for path, text in modules.items() if path in changed or not _is_surface_module(path, package)}


def surface(modules: dict[Path, str], package: str) -> Surface:
    """Methods (`client.<tag>.<method>()`) with their keyword arguments, models with their fields.

    `modules` are the package's files (by path inside the package's folder) that griffe reads.
    """
    import griffe  # loaded only when a release is being compared

    with tempfile.TemporaryDirectory() as scratch:
        for path, text in modules.items():
            (Path(scratch) / path).parent.mkdir(parents=True, exist_ok=True)
            (Path(scratch) / path).write_text(text, encoding="utf-8")
        root: Any = griffe.load(package, search_paths=[scratch], allow_inspection=False)
        result: Surface = _model_surface(root["models"]) if "models" in root.modules else {}
        for module in root["_api"].modules.values() if "_api" in root.modules else []:
            result.update(_client_surface(module))
    return result


def _client_surface(module: Any) -> Surface:
    result: Surface = {}
    for cls in module.classes.values():
        if cls.is_public and not cls.name.startswith("Async"):
            for function in cls.functions.values():
                if function.is_public and not function.name.startswith("_"):
                    result[f"client.{module.name}.{function.name}()"] = {
                        p.name: (_plain(p.annotation), p.default is None)
                        for p in function.parameters if p.name != "self"}
    return result


def _model_surface(models: Any) -> Surface:
    result: Surface = {}
    for cls in models.classes.values():
        result[f"models.{cls.name}"] = {
            name: (_plain(a.annotation) if a.annotation is not None else str(a.value), a.value is None)
            for name, a in cls.attributes.items() if name != "model_config" and not name.startswith("_")}
    for name, alias in models.attributes.items():
        if name[:1].isupper():
            result[f"models.{name}"] = {"": (_plain(alias.value), False)}
    return result


def _plain(annotation: Any) -> str:
    """An annotation as the type checker sees it: `Annotated[...]` metadata (examples, docs) dropped."""
    text = str(annotation)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return text

    class Strip(ast.NodeTransformer):
        def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
            if isinstance(node.value, ast.Name) and node.value.id == "Annotated" and isinstance(node.slice, ast.Tuple):
                stripped: ast.AST = self.visit(node.slice.elts[0])
                return stripped
            return self.generic_visit(node)

    return ast.unparse(Strip().visit(tree))


def compare_surfaces(old: Surface, new: Surface) -> list[SdkChange]:
    changes = [SdkChange(2, f"`{name}`: removed") for name in old.keys() - new.keys()]
    changes += [SdkChange(1, f"`{name}`: new") for name in new.keys() - old.keys()]
    for name in old.keys() & new.keys():
        what = "keyword argument" if name.startswith("client.") else "field"
        before, after = old[name], new[name]
        for member in before.keys() - after.keys():
            changes.append(SdkChange(2, f"`{name}`: {what} `{member}` removed"))
        for member in after.keys() - before.keys():
            required = after[member][1]
            changes.append(SdkChange(2 if required else 1, f"`{name}`: new {'required ' if required else ''}"
                                                            f"{what} `{member}`"))
        for member in before.keys() & after.keys():
            (old_type, old_required), (new_type, new_required) = before[member], after[member]
            label = f"`{name}`" + (f": {what} `{member}`" if member else "")
            if new_required and not old_required:
                changes.append(SdkChange(2, f"{label} is now required"))
            elif old_required and not new_required:
                changes.append(SdkChange(1, f"{label} is now optional"))
            if old_type != new_type:
                changes.append(SdkChange(1, f"{label}: type `{old_type}` is now `{new_type}`"))
    return changes


# -- the wire, with diff -----------------------------------------------------------------

_LEVELS = {"error": 2, "warning": 1, "info": 1}


def wire_changes(old_spec: Path, new: Document) -> list[SdkChange]:
    """Changes on the wire that break or may break callers, named by the SDK method they touch.

    Additions are left to the API comparison, which names them in SDK terms.
    """
    try:
        old = load_document(old_spec)
        changes = diff_documents(old, new)
    except SpecInputError:
        return []
    return [SdkChange(_LEVELS[c.level], f"`{c.sdk or c.operation}`: {c.message} ({c.rule})")
            for c in diff_sdk.judge(changes, diff_sdk.sdk_changes(old, new)) if c.level != "info"]
