"""Regeneration as a release: semver bumps by what changed for SDK users, a CHANGELOG entry, no header-only rewrites."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import TESTS

from generator.generate import Target, run
from generator.release import SdkChange, bump

SPEC = TESTS / "golden" / "petstore" / "spec.yaml"
PACKAGE = "petshop"


def generate(spec: dict[str, Any], tmp_path: Path) -> set[str]:
    """Regenerate the package from `spec` into the same folder; the files written."""
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    changes, _ = run([Target(path, tmp_path / "out", PACKAGE)])
    return {p.relative_to(tmp_path / "out").as_posix() for p in changes.writes}


def version(tmp_path: Path) -> str:
    return tomllib.loads((tmp_path / "out" / "pyproject.toml").read_text())["project"]["version"]


def latest_entry(tmp_path: Path) -> str:
    return (tmp_path / "out" / "CHANGELOG.md").read_text().split("\n## ")[1]


@pytest.fixture
def released(tmp_path):
    """The package generated once (1.0.0) and its spec."""
    spec = yaml.safe_load(SPEC.read_text())
    generate(spec, tmp_path)
    assert version(tmp_path) == "1.0.0" and latest_entry(tmp_path).startswith("1.0.0\n")
    assert generate(spec, tmp_path) == set()  # the same spec again: nothing rewritten, same release
    return spec


def test_an_additive_change_bumps_minor_and_rewrites_only_what_changed(released, tmp_path):
    released["paths"]["/pets"]["get"]["parameters"].append(
        {"name": "noteFilter", "in": "query", "schema": {"type": "string"}})
    written = generate(released, tmp_path)
    assert version(tmp_path) == "1.1.0"
    assert "- `client.pets.list_pets()`: new keyword argument `note_filter`\n" in latest_entry(tmp_path)
    assert written == {"petshop/_api/pets.py", "petshop/server.py", "petshop/openapi.json", "pyproject.toml",
                       "CHANGELOG.md", ".generated.json"}
    changelog = (tmp_path / "out" / "CHANGELOG.md").read_text()
    assert changelog.index("## 1.1.0") < changelog.index("## 1.0.0")  # newest first, history kept


def test_a_docs_only_change_bumps_patch(released, tmp_path):
    released["paths"]["/pets"]["get"]["description"] = "Every pet, a page at a time."
    written = generate(released, tmp_path)
    assert version(tmp_path) == "1.0.1"
    assert "Documentation only" in latest_entry(tmp_path)
    assert "petshop/models.py" not in written and "petshop/_api/pets.py" in written


def test_a_change_to_the_packages_own_code_bumps_patch_and_says_so(released, tmp_path):
    """Same spec, but the package was generated with another runtime (its manifest says so)."""
    manifest_path = tmp_path / "out" / ".generated.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["petshop/_server.py"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    changelog_path = tmp_path / "out" / "CHANGELOG.md"
    old_intro = "# Changelog\n\nAn introduction an older generator wrote.\n"
    changelog_path.write_text(old_intro + changelog_path.read_text().split("\n", 3)[3])
    generate(released, tmp_path)
    assert version(tmp_path) == "1.0.1"
    assert "the package's own code changed: `_server.py`." in latest_entry(tmp_path)
    assert "Documentation only" not in latest_entry(tmp_path)
    changelog = changelog_path.read_text()
    assert changelog.count("# Changelog") == 1 and "older generator" not in changelog  # one introduction, the current one
    assert changelog.index("## 1.0.1") < changelog.index("## 1.0.0")


def test_a_breaking_change_bumps_major(released, tmp_path):
    del released["components"]["schemas"]["NewPet"]["properties"]["kind"]
    released["components"]["schemas"]["NewPet"]["required"] = ["name"]
    written = generate(released, tmp_path)
    assert version(tmp_path) == "2.0.0"
    assert "- `models.NewPet`: field `kind` removed\n" in latest_entry(tmp_path)
    assert "petshop/models.py" in written


def test_a_narrowed_enum_parameter_is_a_break_from_the_wire_diff(released, tmp_path):
    released["paths"]["/pets"]["get"]["parameters"][2]["schema"]["enum"] = ["available"]
    generate(released, tmp_path)
    assert version(tmp_path) == "2.0.0"
    assert "`client.pets.list_pets()`" in latest_entry(tmp_path)


@pytest.mark.parametrize(("level", "expected"), [(2, "2.0.0"), (1, "1.5.0"), (0, "1.4.3")])
def test_bump(level, expected):
    assert bump("1.4.2", level) == expected


def _griffe_surface(folder: Path, package: str) -> dict[str, Any]:
    """The whole package's public API, read the straightforward way: griffe loads the package."""
    import griffe

    from generator.release import _client_surface, _model_surface

    root: Any = griffe.load(package, search_paths=[str(folder)], allow_inspection=False)
    result: dict[str, Any] = _model_surface(root["models"])
    for module in root["_api"].modules.values():
        result.update(_client_surface(module))
    return result


@pytest.mark.parametrize("package", ["crm_back_office", "crm_self_service", "crm_client_data"])
def test_the_changed_modules_alone_give_the_changes_of_the_whole_package(package, tmp_path):
    """Reading only the modules whose text changed finds what comparing the whole packages finds."""
    import shutil

    from generator.release import compare_surfaces, sdk_changes, surface

    folder = TESTS.parent / "generated" / package
    files = {path.relative_to(folder): path.read_text(encoding="utf-8") for path in folder.rglob("*.py")}
    tags = sorted(path for path in files if path.parent.name == "_api" and path.name != "__init__.py")
    models = Path(package, "models.py")
    assert surface(files, package) == _griffe_surface(folder, package)
    edited = dict(files)
    edited[tags[0]] = re.sub(r"^    def ([a-z])", r"    def renamed_\1", edited[tags[0]], count=1, flags=re.MULTILINE)
    edited[models] = edited[models].replace("] = None\n", "]\n", 1)  # an optional field made required
    copy = tmp_path / "new"
    for path, text in edited.items():
        (copy / path).parent.mkdir(parents=True, exist_ok=True)
        (copy / path).write_text(text, encoding="utf-8")
    shutil.copytree(folder / package, tmp_path / "old" / package)
    expected = compare_surfaces(_griffe_surface(tmp_path / "old", package), _griffe_surface(copy, package))
    assert sorted(sdk_changes(folder, package, edited)) == sorted(expected)
    assert {c.level for c in expected} == {2, 1}  # the edits were seen: a removal and an addition
    assert sdk_changes(folder, package, files) == []
    runtime = Path(package, "_runtime.py")  # a support module changed: every surface module is compared
    edited = {**files, runtime: files[runtime].replace("class ApiModel(BaseModel):\n", "class ApiModel(BaseModel):\n"
                                                       "    new_attribute: int | None = None\n", 1)}
    assert edited != files
    changes = sdk_changes(folder, package, edited)
    assert SdkChange(1, "`models.ApiModel`: new field `new_attribute`") in changes
    assert sorted(changes) == sorted(compare_surfaces(_griffe_surface(folder, package), surface(edited, package)))
