"""`seed-diff`: which operations' source blocks a republished vendor page changed.

An operation's block runs from its `x-seed` line to the next `x-seed` line in the
same seed file (the last one to the end of the file). Comparing the old and the
new page line by line tells, per operation, whether its block changed or only
moved, and `rewrite` carries the `x-seed` lines and the curation log's citations
over to the new page.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import SpecInputError
from generator.load import display_path, load_document
from generator.model.walk import iter_operations

SEED_REFERENCE = re.compile(r"^(?P<file>[^#\s]+)#L(?P<line>\d+)$")
CURATION_LOG = "CURATION.md"
# A citation in the curation log: `L12`, `L12–L20` or `001#L12`; bare ones cite the section's seed.
_CITATION = re.compile(r"(?<![\w#])(?:(?P<prefix>\d{3})#)?L(?P<line>\d+)\b")


class SeedDiffError(Exception):
    """An input that cannot be used, with its one-line diagnostic."""


@dataclass(frozen=True)
class Block:
    """The lines of the old seed an operation came from (1-based, end exclusive)."""

    operation_id: str
    spec: str
    start: int
    end: int


@dataclass(frozen=True)
class LineChange:
    """One line removed (`-`, old numbering) or added (`+`, new numbering)."""

    sign: str
    line: int
    text: str


@dataclass(frozen=True)
class BlockReport:
    """What became of one operation's block in the new seed."""

    block: Block
    new_start: int | None
    lines: tuple[LineChange, ...]

    @property
    def changed(self) -> bool:
        return bool(self.lines)

    @property
    def offset(self) -> int | None:
        return None if self.new_start is None else self.new_start - self.block.start


class LineMap:
    """Old line numbers to new ones, from a line-by-line diff of two seeds."""

    def __init__(self, old: list[str], new: list[str]):
        self.old, self.new = old, new
        self.opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()

    def __call__(self, line: int) -> int | None:
        """Where old line `line` is in the new seed; a replaced line maps into its replacement."""
        index = line - 1
        for tag, i1, i2, j1, j2 in self.opcodes:
            if i1 <= index < i2:
                if tag == "equal":
                    return j1 + index - i1 + 1
                if j2 > j1:
                    return j1 + min(index - i1, j2 - j1 - 1) + 1
                return j1 + 1 if j1 < len(self.new) else None  # deleted: the line that follows now
        return None

    def changes(self, start: int, end: int) -> tuple[LineChange, ...]:
        """Removed and added lines inside old lines [start, end); lines added just before `end` included."""
        first, stop = start - 1, end - 1
        found: list[LineChange] = []
        for tag, i1, i2, j1, j2 in self.opcodes:
            if tag == "equal":
                continue
            inside = i1 < stop and i2 > first if i2 > i1 else first < i1 <= stop
            if not inside:
                continue
            found.extend(LineChange("-", i + 1, self.old[i]) for i in range(max(i1, first), min(i2, stop)))
            found.extend(LineChange("+", j + 1, self.new[j]) for j in range(j1, j2))
        return tuple(found)


def read_seed(path: Path) -> list[str]:
    """The lines of a seed file; unreadable or non-UTF-8 input is a SeedDiffError."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise SeedDiffError(f"{display_path(path)}:1:1: read-error: cannot read the seed: {reason}") from None


def blocks_of(specs: list[Path], seed_name: str, seed_length: int) -> list[Block]:
    """Every operation block the specs cite in `seed_name`, in seed order."""
    starts: list[tuple[int, str, str]] = []
    for spec in specs:
        try:
            document = load_document(spec)
        except SpecInputError as exc:
            raise SeedDiffError(str(exc.diagnostic)) from None
        cited = 0
        for site in iter_operations(document.data if isinstance(document.data, dict) else {}):
            match = SEED_REFERENCE.match(str(site.operation.get("x-seed", "")))
            if not match:
                continue
            cited += 1
            if match["file"] == seed_name:
                operation_id = str(site.operation.get("operationId") or f"{site.method.upper()} {site.path}")
                starts.append((int(match["line"]), operation_id, display_path(spec)))
        if not cited:
            raise SeedDiffError(f"{display_path(spec)}:1:1: x-seed: no operation has an x-seed (FILE#L<line>)")
    if not starts:
        raise SeedDiffError(f"{seed_name}:1:1: x-seed: no operation of the given specs cites this seed")
    starts.sort()
    lines = sorted({line for line, _, _ in starts}) + [seed_length + 1]
    following = dict(itertools.pairwise(lines))
    return [Block(operation_id, spec, line, following[line]) for line, operation_id, spec in starts]


def compare(old_seed: Path, new_seed: Path, specs: list[Path]) -> tuple[list[BlockReport], LineMap]:
    """One report per operation citing the old seed, and the line map used."""
    old, new = read_seed(old_seed), read_seed(new_seed)
    line_map = LineMap(old, new)
    reports = [BlockReport(block, line_map(block.start), line_map.changes(block.start, block.end))
               for block in blocks_of(specs, old_seed.name, len(old))]
    return reports, line_map


def render_text(reports: list[BlockReport]) -> str:
    """One line per operation (changed, moved or unchanged), changed lines indented below."""
    out: list[str] = []
    for report in reports:
        block, new = report.block, report.new_start
        where = f"L{block.start} -> " + (f"L{new}" if new else "removed")
        if report.changed:
            out.append(f"changed {block.operation_id} ({block.spec}) {where}")
            out.extend(f"  {c.sign}L{c.line}: {c.text}" for c in report.lines)
        else:
            out.append(f"{'moved' if report.offset else 'unchanged'} {block.operation_id} ({block.spec}) {where}"
                       + (f" ({report.offset:+d})" if report.offset else ""))
    changed = sum(r.changed for r in reports)
    moved = sum(not r.changed and bool(r.offset) for r in reports)
    out.append(f"{len(reports)} operation(s): {changed} changed, {moved} moved, {len(reports) - changed - moved} unchanged")
    return "\n".join(out) + "\n"


def render_json(reports: list[BlockReport]) -> str:
    """Per operation: operationId, spec, changed, old and new line, offset and the changed lines."""
    items: list[dict[str, Any]] = [{
        "operationId": r.block.operation_id,
        "spec": r.block.spec,
        "changed": r.changed,
        "old": r.block.start,
        "new": r.new_start,
        "offset": r.offset,
        "lines": [{"sign": c.sign, "line": c.line, "text": c.text} for c in r.lines],
    } for r in reports]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def rewrite_spec(text: str, seed_name: str, new_name: str, line_map: LineMap) -> str:
    """`text` with every `SEED#L<n>` of the old seed moved to the new seed's line."""
    pattern = re.compile(re.escape(seed_name) + r"#L(\d+)")
    return pattern.sub(lambda m: f"{new_name}#L{_mapped(line_map, int(m[1]))}", text)


def rewrite_log(text: str, seed_name: str, line_map: LineMap) -> str:
    """The curation log with the citations of `seed_name` moved to the new seed's lines.

    Bare `L<n>` citations belong to the first seed file a `## ` section names; `NNN#L<n>` to the
    seed whose name starts with `NNN_`.
    """
    prefix = seed_name.split("_", 1)[0]
    out: list[str] = []
    section_seed: str | None = None
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            section_seed = None
        if section_seed is None and (named := re.search(r"\d{3}_[0-9a-f]+\.txt", line)) and not line.startswith("|"):
            section_seed = named[0]
        bare_cites_seed = section_seed == seed_name

        def moved(match: re.Match[str], bare: bool = bare_cites_seed) -> str:
            return _moved(match, prefix, bare, line_map)

        out.append(_CITATION.sub(moved, line))
    return "".join(out)


def _moved(match: re.Match[str], prefix: str, bare_cites_seed: bool, line_map: LineMap) -> str:
    """A log citation with its line moved, when it cites the seed being replaced."""
    if not (match["prefix"] == prefix if match["prefix"] else bare_cites_seed):
        return match[0]
    return match[0][: match.start("line") - match.start()] + str(_mapped(line_map, int(match["line"])))


def _mapped(line_map: LineMap, line: int) -> int:
    new = line_map(line)
    return new if new is not None else len(line_map.new)


def rewrite(specs: list[Path], old_seed: Path, new_seed: Path, line_map: LineMap) -> list[Path]:
    """Move the specs' `x-seed` lines and their curation logs' citations; the files changed."""
    targets: dict[Path, str] = {}
    for spec in specs:
        targets[spec] = rewrite_spec(spec.read_text(encoding="utf-8"), old_seed.name, new_seed.name, line_map)
        log = spec.parent / CURATION_LOG
        if log.is_file() and log not in targets:
            moved = rewrite_log(log.read_text(encoding="utf-8"), old_seed.name, line_map)
            targets[log] = moved.replace(old_seed.name, new_seed.name)
    changed = [path for path, text in targets.items() if text != path.read_text(encoding="utf-8")]
    for path in changed:  # every new text is ready before the first file is replaced
        temporary = path.with_name(f".{path.name}.seed-diff")
        temporary.write_text(targets[path], encoding="utf-8")
        temporary.replace(path)
    return changed

