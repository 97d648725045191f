"""The curated specs: valid, provenance present and pointing at the right seed lines, loader round-trip."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from generator.load import load_document
from generator.model.walk import iter_operations

SPECS = {
    # spec: (operations, listed-only operations)
    "self-service.yaml": (30, 4),
    "back-office.yaml": (25, 12),
    "client-data.yaml": (48, 0),
}
SEEDS = Path(os.environ.get("CRM_SEEDS_DIR", ROOT.parent / "shared" / "seeds"))


def operations(name: str):
    return list(iter_operations(load_document(ROOT / "spec" / name).data))


def seed_line(reference: str) -> str:
    assert SEEDS.is_dir(), f"the seeds are expected in {SEEDS} (set CRM_SEEDS_DIR to elsewhere)"
    file_name, line = reference.split("#L")
    lines = (SEEDS / file_name).read_text(encoding="utf-8").splitlines()
    assert 1 <= int(line) <= len(lines), reference
    return lines[int(line) - 1].strip()


def test_the_curated_specs_are_exactly_the_three_apis():
    assert sorted(p.name for p in (ROOT / "spec").glob("*.yaml")) == sorted(SPECS)


def test_make_validate_is_clean(run_cli):
    result = run_cli("validate")
    assert result.code == 0, result.out
    assert result.lines == ["3 specs valid: 0 errors, 0 warnings"]


@pytest.mark.parametrize("name", SPECS)
def test_operation_counts(name):
    total, listed_only = SPECS[name]
    ops = operations(name)
    assert len(ops) == total
    assert sum(op.operation.get("x-documented") is False for op in ops) == listed_only


@pytest.mark.parametrize("name", ["self-service.yaml", "back-office.yaml"])
def test_x_seed_points_at_the_operation_title_or_path(name):
    """In these seeds a block starts with its title; listed-only operations at their `METHOD /path` line."""
    for site in operations(name):
        line = seed_line(site.operation["x-seed"])
        assert line == site.operation["summary"] or site.path in line or site.path.rstrip("/") in line, (
            site.path, line)


def test_client_data_x_seed_points_at_the_operation_description():
    """The client-data seed lost its titles: each block starts with its description, often glued to a `}`."""
    for site in operations("client-data.yaml"):
        line = seed_line(site.operation["x-seed"]).lstrip("}] ")
        words = re.findall(r"\w+", line.lower())[1:5]
        description = " ".join(re.findall(r"\w+", site.operation["description"].lower()))
        assert words and " ".join(words) in description, (site.path, line)


def test_client_data_provenance_of_paths():
    ops = operations("client-data.yaml")
    inferred = [op for op in ops if "x-inferred" in op.operation]
    assert len(inferred) == 40
    assert all(isinstance(op.operation["x-inferred"], str) and op.operation["x-inferred"] for op in inferred)
    deprecated = [op for op in ops if op.operation.get("deprecated")]
    assert len(deprecated) == 6
    for op in deprecated:
        assert re.search(r"Use (GET|POST|PUT|PATCH|DELETE) /v1\.\d", op.operation["description"]), op.path


@pytest.mark.parametrize("name", SPECS)
def test_listed_only_operations_carry_no_invented_bodies(name):
    for site in operations(name):
        if site.operation.get("x-documented") is False:
            assert "requestBody" not in site.operation, site.path
            for response in site.operation.get("responses", {}).values():
                assert "content" not in response, site.path


@pytest.mark.parametrize("name", SPECS)
def test_loader_round_trip_is_lossless(name, tmp_path):
    """Loading with positions gives the same data as a plain load; dumping and reloading loses nothing."""
    path = ROOT / "spec" / name
    document = load_document(path)
    plain = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # every scalar as written
    assert json.loads(json.dumps(document.data, default=str)) == document.data
    assert _as_text(document.data) == plain
    for suffix, dump in ((".json", lambda d: json.dumps(d, indent=1)), (".yaml", yaml.safe_dump)):
        copy = Path(tmp_path / f"copy{suffix}")
        copy.write_text(dump(document.data), encoding="utf-8")
        assert load_document(copy).data == document.data


def _as_text(node):
    """The data with every scalar as YAML wrote it (what BaseLoader gives) for comparison."""
    if isinstance(node, dict):
        return {key: _as_text(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_as_text(value) for value in node]
    if isinstance(node, bool):
        return "true" if node else "false"
    if node is None:
        return "null"
    return str(node)
