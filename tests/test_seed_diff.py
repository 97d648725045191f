"""`crm-codegen seed-diff` on a copied seed with inserted lines and edited blocks."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import ROOT
from generator.load import load_document
from generator.model.walk import iter_operations
from test_specs import SEEDS

SEED = "002_7aec11cb868c01b0.txt"
PREAMBLE_LINES = ["Republished page", "", "A new paragraph the vendor added."]


def _seed_starts(spec):
    """operationId -> x-seed line, from the spec itself."""
    return {site.operation["operationId"]: int(site.operation["x-seed"].split("#L")[1])
            for site in iter_operations(load_document(spec).data)}


@pytest.fixture
def republished(tmp_path):
    """The back-office spec and log copied, the old seed, and a new seed: lines added up front,
    one block's line edited, another block grown by a line. Returns paths and the expectations."""
    (tmp_path / "spec").mkdir()
    spec = tmp_path / "spec" / "back-office.yaml"
    shutil.copy(ROOT / "spec" / "back-office.yaml", spec)
    shutil.copy(ROOT / "spec" / "CURATION.md", tmp_path / "spec" / "CURATION.md")
    old = tmp_path / "old" / SEED
    old.parent.mkdir()
    shutil.copy(SEEDS / SEED, old)
    lines = old.read_text(encoding="utf-8").splitlines()
    starts = _seed_starts(spec)
    ordered = sorted(starts, key=starts.get)
    edited, grown = ordered[3], ordered[9]
    edited_line = starts[edited] + 2             # a line inside the edited block
    grown_line = starts[grown] + 1               # a line is added after this one
    new_lines = list(lines)
    new_lines[edited_line - 1] = lines[edited_line - 1] + " (edited by the vendor)"
    new_lines.insert(grown_line, "An added sentence.")
    new_lines[1:1] = PREAMBLE_LINES
    new = tmp_path / "new" / SEED
    new.parent.mkdir()
    new.write_text("\n".join(new_lines) + "\n", encoding="utf-8")

    def offset(start: int) -> int:
        return len(PREAMBLE_LINES) + (start > grown_line)

    return {"spec": spec, "old": old, "new": new, "starts": starts, "edited": edited, "grown": grown,
            "offset": offset, "old_lines": lines, "new_lines": new_lines, "edited_line": edited_line}


def test_only_edited_operations_change_the_rest_move_by_their_offset(run_cli, republished):
    r = republished
    result = run_cli("seed-diff", r["old"], r["new"], r["spec"], "--format", "json")
    assert result.code == 0, result.err
    reports = {item["operationId"]: item for item in json.loads(result.out)}
    assert set(reports) == set(r["starts"])
    assert {op for op, item in reports.items() if item["changed"]} == {r["edited"], r["grown"]}
    for op, start in r["starts"].items():
        assert reports[op]["old"] == start
        assert reports[op]["new"] == start + r["offset"](start), op
        assert r["new_lines"][reports[op]["new"] - 1] == r["old_lines"][start - 1]
    edited = reports[r["edited"]]["lines"]
    assert [(c["sign"], c["text"]) for c in edited] == [
        ("-", r["old_lines"][r["edited_line"] - 1]), ("+", r["old_lines"][r["edited_line"] - 1] + " (edited by the vendor)")]
    assert edited[0]["line"] == r["edited_line"]
    assert [(c["sign"], c["text"]) for c in reports[r["grown"]]["lines"]] == [("+", "An added sentence.")]


def test_text_report_names_each_operation_and_the_changed_lines(run_cli, republished):
    r = republished
    result = run_cli("seed-diff", r["old"], r["new"], r["spec"])
    assert result.code == 0
    lines = result.out.splitlines()
    assert f"changed {r['grown']} " in result.out and "  +L" in result.out
    assert sum(line.startswith("moved ") for line in lines) == len(r["starts"]) - 2
    assert lines[-1] == f"{len(r['starts'])} operation(s): 2 changed, {len(r['starts']) - 2} moved, 0 unchanged"


def test_the_same_seed_reports_nothing_changed(run_cli, republished):
    r = republished
    result = run_cli("seed-diff", r["old"], r["old"], r["spec"], "--format", "json")
    assert not any(item["changed"] or item["offset"] for item in json.loads(result.out))


def test_rewrite_moves_x_seed_lines_and_the_logs_citations(run_cli, republished):
    r = republished
    log = r["spec"].parent / "CURATION.md"
    before = log.read_text(encoding="utf-8")
    result = run_cli("seed-diff", r["old"], r["new"], r["spec"], "--rewrite")
    assert result.code == 0, result.err
    moved = _seed_starts(r["spec"])
    for op, start in r["starts"].items():
        assert moved[op] == start + r["offset"](start)
    after = log.read_text(encoding="utf-8")
    old_section, new_section = (_section(text, "## CRM.COM Back-Office API") for text in (before, after))
    old_cites, new_cites = _citations(old_section), _citations(new_section)
    assert len(old_cites) == len(new_cites) > 100
    for old_line, new_line in zip(old_cites, new_cites):
        if old_line != r["edited_line"]:
            assert r["new_lines"][new_line - 1] == r["old_lines"][old_line - 1], (old_line, new_line)
    # Sections that cite other seeds are left alone.
    assert _section(after, "## CRM.COM Self-Service API") == _section(before, "## CRM.COM Self-Service API")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def _citations(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"(?<![\w#])L(\d+)\b", text)]


@pytest.mark.parametrize("case", ["missing seed", "spec without x-seed", "seed cited by no operation"])
def test_bad_input_is_one_line_and_exit_2(run_cli, republished, write_spec, case):
    r = republished
    args = {
        "missing seed": (r["old"].with_name("absent.txt"), r["new"], r["spec"]),
        "spec without x-seed": (r["old"], r["new"], write_spec({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                                                                 "paths": {"/a": {"get": {"responses": {}}}}})),
        "seed cited by no operation": (r["new"].with_name("other.txt"), r["new"], r["spec"]),
    }[case]
    if case == "seed cited by no operation":
        shutil.copy(r["new"], args[0])
    result = run_cli("seed-diff", *args)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.splitlines()) == 1 and re.match(r"\S+:1:1: \S+: ", result.err), result.err
