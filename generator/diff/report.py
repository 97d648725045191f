"""Reporting changes: text (coloured on a terminal), markdown, json, junit, GitHub Actions annotations and
SARIF 2.1.0; ignore files; exit codes.

A change has a wire level (existing clients) and, from `diff`, an SDK level (code written against the
previously generated SDK); every format shows both. `--fail-on` gates on either: `error`/`warning`
for the wire, `sdk-error`/`sdk-warning` for the SDK.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from generator.diff.change import Change
from generator.diff.registry import ERROR, INFO, RULES, WARNING

FORMATS = ("text", "markdown", "json", "junit", "github", "sarif")
FAIL_ON = ("error", "warning", "sdk-error", "sdk-warning")
_RANK = {"": -1, INFO: 0, WARNING: 1, ERROR: 2}
_COLOURS = {ERROR: "\033[31m", WARNING: "\033[33m", INFO: "\033[36m"}
_SARIF_LEVELS = {ERROR: "error", WARNING: "warning", INFO: "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# Where a change is written: (file, line, column); `diff` locates in the new spec, else the old.
Locate = Callable[[Change], tuple[str, int, int]]


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


def should_fail(changes: list[Change], fail_on: list[str] | None) -> bool:
    """True when a change reaches one of the `--fail-on` gates (`error`, `warning`, `sdk-error`, `sdk-warning`)."""
    for gate in fail_on or []:
        sdk, level = gate.startswith("sdk-"), gate.removeprefix("sdk-")
        if any(_RANK[c.sdk_level if sdk else c.level] >= _RANK[level] for c in changes):
            return True
    return False


def render(changes: list[Change], fmt: str, locate: Locate, colour: bool = False) -> str:
    """The report in one of FORMATS."""
    ordered = sorted(changes, key=lambda c: (-_RANK[c.level], -_RANK[c.sdk_level], c.operation, c.rule, c.message))
    if fmt == "json":
        return json.dumps([{"id": c.rule, "level": c.level, "sdk_level": c.sdk_level, "operation": c.operation,
                            "location": {"old": c.old_pointer, "new": c.new_pointer}, "message": c.message,
                            "sdk": c.sdk} for c in ordered], indent=1) + "\n"
    if fmt == "markdown":
        return _markdown(ordered)
    if fmt == "junit":
        return _junit(ordered)
    if fmt == "github":
        return _github(ordered, locate)
    if fmt == "sarif":
        return _sarif(ordered, locate)
    return _text(ordered, colour)


def summary(changes: list[Change]) -> str:
    counts = {level: sum(c.level == level for c in changes) for level in (ERROR, WARNING, INFO)}
    text = f"{len(changes)} change(s): {counts[ERROR]} breaking (error), {counts[WARNING]} warning, {counts[INFO]} info"
    if any(c.sdk_level for c in changes):
        sdk = {level: sum(c.sdk_level == level for c in changes) for level in (ERROR, WARNING)}
        text += f"; SDK: {sdk[ERROR]} breaking, {sdk[WARNING]} warning"
    return text


def _sdk_note(change: Change) -> str:
    if not change.sdk_level:
        return ""
    return f"sdk {change.sdk_level}" + (f": {change.sdk}" if change.sdk else "")


def _text(changes: list[Change], colour: bool) -> str:
    lines = []
    for c in changes:
        level = f"{_COLOURS[c.level]}{c.level}\033[0m" if colour else c.level
        where = c.new_pointer or c.old_pointer
        sdk = f" [{_sdk_note(c)}]" if c.sdk_level else ""
        lines.append(f"{level} {c.rule} {c.operation}: {c.message} ({where}){sdk}")
    lines.append(summary(changes))
    return "\n".join(lines) + "\n"


def _markdown(changes: list[Change]) -> str:
    lines = [f"### API changes\n\n{summary(changes)}\n", "| level | SDK | rule | where | change | SDK names |",
             "|---|---|---|---|---|---|"]
    for c in changes:
        cells = [c.level, c.sdk_level, f"`{c.rule}`", f"`{c.operation}`", c.message, c.sdk]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _junit(changes: list[Change]) -> str:
    failures = sum(ERROR in (c.level, c.sdk_level) for c in changes)
    cases = []
    for c in changes:
        name = quoteattr(f"{c.rule} {c.operation}")
        text = f"{c.message} (wire {c.level}{', ' + _sdk_note(c) if c.sdk_level else ''})"
        body = f"<failure message={quoteattr(text)}>{escape(c.new_pointer or c.old_pointer)}</failure>" \
            if ERROR in (c.level, c.sdk_level) else f"<system-out>{escape(c.level + ': ' + text)}</system-out>"
        cases.append(f'  <testcase classname="api-diff" name={name}>{body}</testcase>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="api-diff" tests="{len(changes)}" '
            f'failures="{failures}">\n' + "\n".join(cases) + "\n</testsuite>\n")


def _worst(change: Change) -> str:
    return max((change.level, change.sdk_level), key=_RANK.__getitem__)


def _github(changes: list[Change], locate: Locate) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`."""
    commands = {ERROR: "error", WARNING: "warning", INFO: "notice"}
    lines = []
    for c in changes:
        path, line, col = locate(c)
        title = f"{c.rule} (wire {c.level}{', ' + 'sdk ' + c.sdk_level if c.sdk_level else ''})"
        message = f"{c.operation}: {c.message}" + (f" [{c.sdk}]" if c.sdk else "")
        lines.append(f"::{commands[_worst(c)]} file={_escape_property(path)},line={line},col={col},"
                     f"title={_escape_property(title)}::{_escape_data(message)}")
    lines.append(summary(changes))
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _sarif(changes: list[Change], locate: Locate) -> str:
    """SARIF 2.1.0: one run, a rule per id reported (with its description), a result per change."""
    rule_ids = sorted({c.rule for c in changes})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    rules = [{"id": rule_id, "shortDescription": {"text": RULES[rule_id].description if rule_id in RULES
                                                  else rule_id}} for rule_id in rule_ids]
    results = []
    for c in changes:
        path, line, col = locate(c)
        results.append({
            "ruleId": c.rule, "ruleIndex": index[c.rule], "level": _SARIF_LEVELS[_worst(c)],
            "message": {"text": f"{c.operation}: {c.message}" + (f" [{c.sdk}]" if c.sdk else "")},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": path},
                                                "region": {"startLine": line, "startColumn": col}},
                           "logicalLocations": [{"name": c.operation, "fullyQualifiedName": c.new_pointer or
                                                 c.old_pointer or c.operation}]}],
            "properties": {"wireLevel": c.level, "sdkLevel": c.sdk_level, "sdk": c.sdk,
                           "oldPointer": c.old_pointer, "newPointer": c.new_pointer},
        })
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "crm-codegen", "rules": rules}},
        "results": results}]}
    return json.dumps(log, indent=1, sort_keys=True) + "\n"
