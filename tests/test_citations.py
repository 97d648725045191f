"""Provenance points at the right seed lines: every `x-seed` in the specs, every `L<n>` in CURATION.md."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from generator.load import load_document
from test_specs import SEEDS

SPECS = ("self-service.yaml", "back-office.yaml", "client-data.yaml")
CITATION = re.compile(r"(?<![\w#])(?:(?P<prefix>\d{3})#)?L(?P<first>\d+)(?:[–-]L(?P<last>\d+))?\b")
WORD = re.compile(r"[A-Za-z_]\w*|\d[\w-]*")


def seed(file_name: str) -> list[str]:
    return (SEEDS / file_name).read_text(encoding="utf-8").split("\n")


def x_seeds(node, parts=()):
    """(pointer parts, node) for every object carrying an `x-seed`."""
    if isinstance(node, dict):
        if "x-seed" in node:
            yield list(parts), node
        for key, value in node.items():
            yield from x_seeds(value, (*parts, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from x_seeds(value, (*parts, i))


def _claim_holds(parts: list, node: dict, lines: list[str], n: int) -> bool:
    """Whether seed line `n` (1-based) holds what the object citing it is."""
    line = lines[n - 1]
    if parts[0] == "paths" and len(parts) == 3:  # operations: test_specs checks title, path or description
        return True
    if "value" in node:  # an example: its request/response starts here
        value = node["value"]
        if isinstance(value, dict):
            window = " ".join(lines[n - 1: n + 30])
            return f'"{next(iter(value))}"' in window
        return str(value)[:15] in line
    if node.get("type") == "apiKey":
        return node["name"] in line
    if "in" in node:  # a parameter: its example value
        return str(node.get("example")) in line
    if parts[-2] == "responses":  # a bodyless response: the example status line
        return line.startswith("HTTP/1.1 " + str(parts[-1]))
    if parts[-2] == "properties":
        return parts[-1] in [text.strip() for text in lines[n - 1: n + 1]] or f'"{parts[-1]}"' in line
    if "url" in node:
        return node["url"].split("//")[1].split("/")[0] in line
    shared = {w.lower() for w in WORD.findall(line) if len(w) > 3} & {
        w.lower() for w in WORD.findall(str(node.get("description", ""))) if len(w) > 3}
    return len(shared) >= 4


@pytest.mark.parametrize("name", SPECS)
def test_every_x_seed_points_at_a_line_holding_what_it_claims(name):
    document = load_document(ROOT / "spec" / name).data
    found = list(x_seeds(document))
    assert len(found) > 40
    wrong = []
    for parts, node in found:
        file_name, line = str(node["x-seed"]).split("#L")
        lines = seed(file_name)
        if not (1 <= int(line) <= len(lines)) or not _claim_holds(parts, node, lines, int(line)):
            wrong.append(("/".join(map(str, parts)), node["x-seed"]))
    assert wrong == []


def _log_entries():
    """(log line number, seed prefix, entry text) for each bullet of a section that names its seed."""
    section_seed = None
    for number, line in enumerate((ROOT / "spec" / "CURATION.md").read_text(encoding="utf-8").split("\n"), 1):
        if line.startswith("## "):
            section_seed = None
        named = re.search(r"\b(\d{3})_[0-9a-f]{16}\.txt", line)
        if section_seed is None and named and not line.startswith("|"):
            section_seed = named[1]
        if line.startswith("- ") and section_seed:
            yield number, section_seed, line[2:]


def _seed_files() -> dict[str, list[str]]:
    return {path.name[:3]: seed(path.name) for path in SEEDS.glob("*.txt")}


def test_every_log_citation_is_a_line_of_its_seed():
    seeds = _seed_files()
    count = 0
    for number, section_seed, entry in _log_entries():
        for cite in CITATION.finditer(entry):
            lines = seeds[cite["prefix"] or section_seed]
            first, last = int(cite["first"]), int(cite["last"] or cite["first"])
            count += 1
            assert 1 <= first <= last <= len(lines), f"CURATION.md:{number}: {cite[0]}"
    assert count > 500


def test_log_entries_quote_what_their_lines_hold():
    """An entry `LINES — what the seed says — …`: every word `quoted` in its second part is on the lines it cites."""
    seeds = _seed_files()
    checked, wrong = 0, []
    for number, section_seed, entry in _log_entries():
        parts = entry.split(" — ")
        if len(parts) < 3 or not CITATION.search(parts[0]):
            continue
        quoted = re.findall(r"`([^`]+)`", parts[1])
        cites = list(CITATION.finditer(parts[0])) + list(CITATION.finditer(parts[1]))
        if not quoted:
            continue
        held = " ".join(" ".join(seeds[cite["prefix"] or section_seed][int(cite["first"]) - 1: int(cite["last"] or cite["first"])])
                        for cite in cites)
        missing = [word for text in quoted for word in WORD.findall(text) if word not in held]
        checked += 1
        if missing:
            wrong.append(f"CURATION.md:{number}: {parts[0][:40]} lacks {missing[:4]}")
    assert checked > 90
    assert wrong == []
