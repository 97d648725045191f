"""Reporting changes: text (coloured on a terminal), markdown, json and junit; ignore files; exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from generator.diff.change import Change
from generator.diff.registry import ERROR, INFO, WARNING

_RANK = {INFO: 0, WARNING: 1, ERROR: 2}
_COLOURS = {ERROR: "\033[31m", WARNING: "\033[33m", INFO: "\033[36m"}


def read_ignore_file(path: Path) -> set[tuple[str, str]]:
    """Accepted changes, one per line: `RULE-ID WHERE` (WHERE: `METHOD /path`, a component, or `*`)."""
    accepted = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            rule, _, where = line.partition(" ")
            accepted.add((rule, where.strip() or "*"))
    return accepted


def without_ignored(changes: list[Change], accepted: set[tuple[str, str]]) -> list[Change]:
    return [c for c in changes if (c.rule, c.operation) not in accepted and (c.rule, "*") not in accepted]


def should_fail(changes: list[Change], fail_on: str | None) -> bool:
    """True when a change is at or above the `--fail-on` level."""
    return fail_on is not None and any(_RANK[c.level] >= _RANK[fail_on] for c in changes)


def render(changes: list[Change], fmt: str, impact: dict[Change, str], colour: bool = False) -> str:
    """The report as text, markdown, json or junit; `impact` gives the SDK names (methods, models) a change touches."""
    ordered = sorted(changes, key=lambda c: (-_RANK[c.level], c.operation, c.rule, c.message))
    if fmt == "json":
        return json.dumps([{"id": c.rule, "level": c.level, "operation": c.operation,
                            "location": {"old": c.old_pointer, "new": c.new_pointer}, "message": c.message,
                            "sdk": impact.get(c, "")} for c in ordered], indent=1) + "\n"
    if fmt == "markdown":
        return _markdown(ordered, impact)
    if fmt == "junit":
        return _junit(ordered)
    return _text(ordered, impact, colour)


def summary(changes: list[Change]) -> str:
    counts = {level: sum(c.level == level for c in changes) for level in (ERROR, WARNING, INFO)}
    return f"{len(changes)} change(s): {counts[ERROR]} breaking (error), {counts[WARNING]} warning, {counts[INFO]} info"


def _text(changes: list[Change], impact: dict[Change, str], colour: bool) -> str:
    lines = []
    for c in changes:
        level = f"{_COLOURS[c.level]}{c.level}\033[0m" if colour else c.level
        where = c.new_pointer or c.old_pointer
        sdk = f" [{impact[c]}]" if c in impact else ""
        lines.append(f"{level} {c.rule} {c.operation}: {c.message} ({where}){sdk}")
    lines.append(summary(changes))
    return "\n".join(lines) + "\n"


def _markdown(changes: list[Change], impact: dict[Change, str]) -> str:
    lines = [f"### API changes\n\n{summary(changes)}\n", "| level | rule | where | change | SDK |", "|---|---|---|---|---|"]
    for c in changes:
        cells = [c.level, f"`{c.rule}`", f"`{c.operation}`", c.message, impact.get(c, "")]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _junit(changes: list[Change]) -> str:
    failures = sum(c.level == ERROR for c in changes)
    cases = []
    for c in changes:
        name = quoteattr(f"{c.rule} {c.operation}")
        body = f"<failure message={quoteattr(c.message)}>{escape(c.new_pointer or c.old_pointer)}</failure>" \
            if c.level == ERROR else f"<system-out>{escape(c.level + ': ' + c.message)}</system-out>"
        cases.append(f'  <testcase classname="api-diff" name={name}>{body}</testcase>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="api-diff" tests="{len(changes)}" '
            f'failures="{failures}">\n' + "\n".join(cases) + "\n</testsuite>\n")
