"""The broken-spec corpus in tests/bad_specs: each gets its rule, line and exit code, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, TESTS

BAD = TESTS / "bad_specs"

# file, rule id, line, exit code
CASES = [
    ("invalid-yaml.yaml", "yaml-syntax", 8, 2),
    ("trailing-comma.json", "json-syntax", 7, 2),
    ("wrong-version.yaml", "openapi-version", 1, 2),
    ("swagger-2.yaml", "openapi-version", 1, 2),
    ("dangling-ref.yaml", "ref-resolves", 15, 1),
    ("ref-cycle.yaml", "ref-cycle", 19, 1),
    ("duplicate-operation-id.yaml", "operation-id-unique", 14, 1),
    ("bad-example.yaml", "example-valid", 20, 1),
    ("not-utf8.yaml", "encoding", 3, 2),
    ("empty.yaml", "empty-document", 1, 2),
    ("billion-laughs.yaml", "yaml-alias-bomb", 1, 2),
    ("duplicate-key.yaml", "yaml-syntax", 10, 2),
    ("not-a-mapping.yaml", "not-a-mapping", 1, 2),
]


@pytest.mark.parametrize("name, rule, line, code", CASES, ids=[c[0] for c in CASES])
def test_bad_spec_gets_its_diagnostic(run_cli, name, rule, line, code):
    result = run_cli("validate", BAD / name)
    assert result.code == code, result.out
    first = result.lines[0]
    assert first.startswith(f"tests/bad_specs/{name}:{line}:"), first
    assert f": {rule}: " in first
    assert "Traceback" not in result.out + result.err


def test_every_bad_spec_is_covered():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(c[0] for c in CASES)


def test_ref_cycle_reports_each_member_of_the_loop_once(run_cli):
    result = run_cli("validate", BAD / "ref-cycle.yaml")
    cycle_lines = [line for line in result.lines if ": ref-cycle: " in line]
    assert [line.split(":")[1] for line in cycle_lines] == ["19", "21"]


def test_bad_specs_in_a_subprocess_print_no_traceback():
    """The real entry point, all files at once: exit 2 (some unusable), one line each, no traceback."""
    process = subprocess.run(
        [sys.executable, "-m", "generator", "validate", *sorted(str(p) for p in BAD.iterdir())],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert process.returncode == 2
    assert "Traceback" not in process.stdout + process.stderr
    lines = process.stdout.splitlines()
    assert lines[:-1] == sorted(lines[:-1])
    assert lines[-1].startswith(f"{len(CASES)} specs invalid:")


def test_ten_megabyte_spec_validates(run_cli, tmp_path):
    """A large, valid spec (about 10 MB) is accepted in one piece.

    Long descriptions carry most of the bytes: openapi-spec-validator's own cost grows with the
    number of operations, and that is measured by `make bench`, not here.
    """
    filler = "Lorem ipsum dolor sit amet. " * 400
    lines = ["openapi: 3.1.0", "info: {title: big, version: '1'}", "paths:"]
    index = 0
    while sum(len(line) + 1 for line in lines) < 10_000_000:
        lines += [
            f"  /items{index}/{{id}}:",
            "    get:",
            f"      operationId: get_item_{index}",
            f"      description: '{filler}'",
            "      parameters:",
            "        - {name: id, in: path, required: true, schema: {type: integer}, example: 1}",
            "      responses:",
            "        '200': {description: ok}",
        ]
        index += 1
    spec = tmp_path / "big.yaml"
    spec.write_text("\n".join(lines) + "\n")
    assert spec.stat().st_size >= 10_000_000
    result = run_cli("validate", spec)
    assert result.code == 0, result.out[-2000:]
    assert result.lines[-1] == "1 spec valid: 0 errors, 0 warnings"
