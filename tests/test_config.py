"""`[tool.crm-codegen]` in pyproject.toml: specs, package names and include/exclude filters."""

from __future__ import annotations

import tomllib

from conftest import ROOT

BACK_OFFICE = ROOT / "spec" / "back-office.yaml"


def write_config(tmp_path, body: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.crm-codegen]\nout = "out"\n\n[[tool.crm-codegen.package]]\nspec = "{BACK_OFFICE}"\n{body}')


def test_the_projects_configuration_names_every_curated_spec():
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["crm-codegen"]
    assert sorted(ROOT / p["spec"] for p in table["package"]) == sorted((ROOT / "spec").glob("*.yaml"))


def test_filters_generate_a_subset_under_the_configured_name(run_cli, tmp_path, monkeypatch):
    write_config(tmp_path, 'name = "bo_activities"\ninclude-tags = ["Activities"]\n'
                           'exclude-operations = ["delete_activity"]\n')
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate")
    assert result.code == 0, result.out
    package = tmp_path / "out" / "bo_activities" / "bo_activities"
    assert sorted(p.name for p in (package / "_api").glob("*.py")) == ["__init__.py", "activities.py"]
    methods = (package / "_api" / "activities.py").read_text()
    assert "def list_activities(" in methods and "def delete_activity(" not in methods
    assert "def update_activity(" in methods


def test_a_filter_naming_nothing_in_the_spec_fails_with_one_line(run_cli, tmp_path, monkeypatch):
    write_config(tmp_path, 'include-tags = ["Activites"]\n')
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate")
    assert result.code == 2
    assert result.lines == [f"{BACK_OFFICE}:1:1: generate-unsupported: the generate filters name no tag 'Activites'"]
    assert not (tmp_path / "out").exists()


def test_a_bad_configuration_fails_with_its_pointer(run_cli, tmp_path, monkeypatch):
    write_config(tmp_path, 'include_tags = ["Activities"]\n')
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate")
    assert result.code == 2
    assert result.lines == [
        "pyproject.toml#/tool/crm-codegen/package/0/include_tags: config-invalid: unknown key (expected one of "
        "exclude-operations, exclude-tags, include-operations, include-tags, name, spec)"]
    assert not (tmp_path / "out").exists()
