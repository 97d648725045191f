"""Security rules: an operation's requirements, and the declared security schemes."""

from __future__ import annotations

import json

from generator.diff.change import Comparison
from generator.diff.registry import ERROR, INFO, rule
from generator.model import Operation

SECURITY_REQUIREMENT_CHANGED = rule("security-requirement-changed", (ERROR, INFO),
                                    "an operation's security requirements changed (error when a client that "
                                    "met an old alternative meets no new one: a scheme or scope is now needed)",
                                    "security")
SECURITY_SCHEME_REMOVED = rule("security-scheme-removed", (INFO,),
                               "a security scheme removed (operations that used it report their own change)",
                               "security")
SECURITY_SCHEME_ADDED = rule("security-scheme-added", (INFO,), "a security scheme added", "security")
SECURITY_SCHEME_CHANGED = rule("security-scheme-changed", (ERROR, INFO),
                               "a security scheme changed (error when how credentials are sent changed and an "
                               "operation uses it)", "security")
# What decides how a client sends its credentials (the reference tool's list).
_CREDENTIAL_FIELDS = ("type", "in", "name", "scheme", "openIdConnectUrl")

Requirement = dict[str, frozenset[str]]  # scheme name -> scopes


def _requirements(operation: Operation) -> list[Requirement]:
    return [{name: frozenset(scopes) for name, scopes in r.items()} for r in operation.security]


def _describe(requirements: list[Requirement]) -> str:
    def one(requirement: Requirement) -> str:
        return "+".join(f"{name}{'[' + ','.join(sorted(scopes)) + ']' if scopes else ''}"
                        for name, scopes in sorted(requirement.items())) or "(none)"

    return " or ".join(sorted(one(r) for r in requirements)) or "no security"


def _still_met(old: Requirement, new: list[Requirement]) -> bool:
    """A client holding what `old` asks for meets some new alternative (or no security is needed any more)."""
    return not new or any(all(name in old and scopes <= old[name] for name, scopes in alternative.items())
                          for alternative in new)


def compare_operation_security(comparison: Comparison, label: str, old_op: Operation, new_op: Operation) -> None:
    old, new = _requirements(old_op), _requirements(new_op)
    if sorted(_describe([r]) for r in old) == sorted(_describe([r]) for r in new):
        return
    pointers = old_op.pointer, new_op.pointer
    unmet = [r for r in old if not _still_met(r, new)] if old else [{}]
    if unmet and new:
        comparison.add(label, SECURITY_REQUIREMENT_CHANGED, ERROR,
                       f"security changed from {_describe(old)} to {_describe(new)}", *pointers)
    else:
        comparison.add(label, SECURITY_REQUIREMENT_CHANGED, INFO,
                       f"security changed from {_describe(old)} to {_describe(new)}; every client still qualifies",
                       *pointers)


def compare_security_schemes(comparison: Comparison) -> None:
    old, new = comparison.old.security_schemes, comparison.new.security_schemes
    for name in sorted(old.keys() - new.keys()):
        comparison.add("components", SECURITY_SCHEME_REMOVED, INFO, f"security scheme {name!r} removed",
                       old=old[name].pointer)
    for name in sorted(new.keys() - old.keys()):
        comparison.add("components", SECURITY_SCHEME_ADDED, INFO, f"security scheme {name!r} added",
                       new=new[name].pointer)
    used = {scheme for op in comparison.new.operations for requirement in op.security for scheme in requirement}
    for name in sorted(old.keys() & new.keys()):
        before, after = old[name].raw, new[name].raw
        if json.dumps(before, sort_keys=True, default=str) == json.dumps(after, sort_keys=True, default=str):
            continue
        moved = [field for field in _CREDENTIAL_FIELDS if before.get(field) != after.get(field)]
        level = ERROR if moved and name in used else INFO
        what = f"{', '.join(moved)} changed" if moved else "changed"
        comparison.add("components", SECURITY_SCHEME_CHANGED, level, f"security scheme {name!r}: {what}",
                       old[name].pointer, new[name].pointer)
