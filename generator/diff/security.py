"""Security rules: an operation's requirements, and the declared security schemes."""

from __future__ import annotations

import json

from generator.diff.change import Comparison
from generator.diff.registry import ERROR, INFO, WARNING, rule
from generator.model import Operation

SECURITY_REQUIREMENT_CHANGED = rule("security-requirement-changed", (ERROR, WARNING),
                                    "an operation's security requirements changed (error when no old "
                                    "alternative still works)", "security")
SECURITY_SCHEME_REMOVED = rule("security-scheme-removed", (ERROR,), "a security scheme removed", "security")
SECURITY_SCHEME_ADDED = rule("security-scheme-added", (INFO,), "a security scheme added", "security")
SECURITY_SCHEME_CHANGED = rule("security-scheme-changed", (ERROR,), "a security scheme changed", "security")


def _requirements(operation: Operation) -> set[frozenset[str]]:
    return {frozenset(requirement) for requirement in operation.security}


def _describe(requirements: set[frozenset[str]]) -> str:
    return " or ".join(sorted("+".join(sorted(r)) or "(none)" for r in requirements)) or "no security"


def compare_operation_security(comparison: Comparison, label: str, old_op: Operation, new_op: Operation) -> None:
    old, new = _requirements(old_op), _requirements(new_op)
    if old == new:
        return
    pointers = old_op.pointer, new_op.pointer
    if not old or (new and not (old & new)):
        comparison.add(label, SECURITY_REQUIREMENT_CHANGED, ERROR,
                       f"security changed from {_describe(old)} to {_describe(new)}", *pointers)
    else:
        comparison.add(label, SECURITY_REQUIREMENT_CHANGED, WARNING,
                       f"security alternatives changed from {_describe(old)} to {_describe(new)}", *pointers)


def compare_security_schemes(comparison: Comparison) -> None:
    old, new = comparison.old.security_schemes, comparison.new.security_schemes
    for name in sorted(old.keys() - new.keys()):
        comparison.add("components", SECURITY_SCHEME_REMOVED, ERROR, f"security scheme {name!r} removed",
                       old=old[name].pointer)
    for name in sorted(new.keys() - old.keys()):
        comparison.add("components", SECURITY_SCHEME_ADDED, INFO, f"security scheme {name!r} added",
                       new=new[name].pointer)
    for name in sorted(old.keys() & new.keys()):
        if json.dumps(old[name].raw, sort_keys=True, default=str) != json.dumps(new[name].raw, sort_keys=True,
                                                                                 default=str):
            comparison.add("components", SECURITY_SCHEME_CHANGED, ERROR, f"security scheme {name!r} changed",
                           old[name].pointer, new[name].pointer)
