"""Response rules: a status removed or added, and each kept response's headers and content."""

from __future__ import annotations

from generator.diff.change import Comparison
from generator.diff.content import compare_content
from generator.diff.headers import compare_headers
from generator.diff.registry import ERROR, INFO, WARNING, rule
from generator.diff.schemas import Place
from generator.model import Operation

RESPONSE_STATUS_REMOVED = rule("response-status-removed", (ERROR, WARNING),
                               "a documented status removed (error for 2xx, warning for others)", "responses")
RESPONSE_STATUS_ADDED = rule("response-status-added", (INFO,), "a documented status added", "responses")


def compare_responses(comparison: Comparison, label: str, old_op: Operation, new_op: Operation) -> None:
    old, new = old_op.responses, new_op.responses
    for status in sorted(old.keys() - new.keys()):
        comparison.add(label, RESPONSE_STATUS_REMOVED, ERROR if status.startswith("2") else WARNING,
                       f"response {status} removed", old=f"{old_op.pointer}/responses/{status}")
    for status in sorted(new.keys() - old.keys()):
        comparison.add(label, RESPONSE_STATUS_ADDED, INFO, f"response {status} added",
                       new=f"{new_op.pointer}/responses/{status}")
    for status in sorted(old.keys() & new.keys()):
        compare_headers(comparison, label, status, old[status], new[status])
        compare_content(comparison, Place(label, comparison.direction(False), "response", f"response {status}"),
                        old[status].content, new[status].content)
