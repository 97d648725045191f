"""Generated packages build with the backend their pyproject names; editable installs are type-checkable."""

from __future__ import annotations

import tomllib
import zipfile

import pytest
from hatchling.builders.wheel import WheelBuilder

from conftest import GENERATED

PACKAGES = sorted(p for p in GENERATED.iterdir() if (p / "pyproject.toml").exists())


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: p.name)
def test_editable_install_is_a_plain_path_that_mypy_follows(folder, tmp_path):
    """mypy follows `.pth` lines that are paths, never import hooks (setuptools' editable finder)."""
    project = tomllib.loads((folder / "pyproject.toml").read_text())
    assert project["build-system"]["build-backend"] == "hatchling.build"
    [wheel] = WheelBuilder(str(folder)).build(directory=str(tmp_path), versions=["editable"])
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        pth = [archive.read(n).decode() for n in names if n.endswith(".pth")]
    assert not [n for n in names if n.endswith(".py")], names  # no finder module
    assert pth == [str(folder)], pth
    assert (folder / folder.name / "py.typed").exists()


@pytest.mark.parametrize("folder", PACKAGES[:1], ids=lambda p: p.name)
def test_wheel_ships_the_typing_marker_and_the_spec(folder, tmp_path):
    [wheel] = WheelBuilder(str(folder)).build(directory=str(tmp_path), versions=["standard"])
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    package = folder.name
    expected = {f"{package}/{p.relative_to(folder / package).as_posix()}" for p in (folder / package).rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert expected <= names and f"{package}/py.typed" in names and f"{package}/openapi.json" in names
