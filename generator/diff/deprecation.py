"""Deprecation, sunset and stability, with the reference tool's (oasdiff) policy.

An operation, parameter or body property marked `deprecated` may be removed without breaking anyone once its
`x-sunset` date (RFC 3339 date) has passed, or at any time when it has none; removing it before its
sunset breaks. With a policy of N deprecation days, deprecating needs a sunset at least N days
away. `x-stability-level` is draft < alpha < beta < stable (the default); draft and alpha
operations are left out of breaking-change checks, and lowering a level breaks.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from generator.diff.change import Comparison
from generator.diff.registry import ERROR, INFO, Rule, rule

STABILITY = ("draft", "alpha", "beta", "stable")
UNCHECKED_STABILITY = frozenset({"draft", "alpha"})
INVALID = "invalid"


def lifecycle_rules(kind: str, family: str) -> dict[str, Rule]:
    """The lifecycle rules of one kind of element (`operation`, `parameter`), declared under its prefix."""
    return {
        "removed-after-deprecation": rule(f"{kind}-removed-after-deprecation", (INFO,),
                                          f"a deprecated {kind} removed at or after its sunset (or without one)",
                                          family),
        "removed-before-sunset": rule(f"{kind}-removed-before-sunset", (ERROR,),
                                      f"a deprecated {kind} removed before its x-sunset date", family),
        "sunset-invalid": rule(f"{kind}-sunset-invalid", (ERROR,), f"a {kind}'s x-sunset is not an RFC 3339 date",
                               family),
        "deprecated": rule(f"{kind}-deprecated", (INFO,), f"a {kind} became deprecated", family),
        "deprecated-without-sunset": rule(f"{kind}-deprecated-without-sunset", (ERROR,),
                                          f"a {kind} deprecated without the x-sunset the policy asks for", family),
        "sunset-too-soon": rule(f"{kind}-sunset-too-soon", (ERROR,),
                                f"a {kind}'s sunset is closer than the policy's deprecation days", family),
        "reactivated": rule(f"{kind}-reactivated", (INFO,), f"a {kind} is no longer deprecated", family),
        "sunset-removed": rule(f"{kind}-sunset-removed", (ERROR,), f"a deprecated {kind}'s x-sunset removed",
                               family),
        "sunset-moved-earlier": rule(f"{kind}-sunset-moved-earlier", (ERROR,),
                                     f"a deprecated {kind}'s x-sunset moved to an earlier date", family),
    }


OPERATION = lifecycle_rules("operation", "operations")
PARAMETER = lifecycle_rules("parameter", "parameters")
STABILITY_DECREASED = rule("operation-stability-decreased", (ERROR,),
                           "x-stability-level lowered (e.g. stable to beta)", "operations")
STABILITY_INCREASED = rule("operation-stability-increased", (INFO,), "x-stability-level raised", "operations")
STABILITY_INVALID = rule("operation-stability-invalid", (ERROR,),
                         "x-stability-level is not draft, alpha, beta or stable", "operations")


def sunset(raw: dict[str, Any]) -> date | str | None:
    """`x-sunset` as a date; INVALID when it is not an RFC 3339 date (or date-time); None when absent."""
    value = raw.get("x-sunset")
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return INVALID


def stability(raw: dict[str, Any]) -> str:
    value = raw.get("x-stability-level", "stable")
    return value if value in STABILITY else INVALID


def unchecked(raw: dict[str, Any]) -> bool:
    """Draft and alpha operations are left out of breaking-change checks."""
    return stability(raw) in UNCHECKED_STABILITY


def removal(comparison: Comparison, rules: dict[str, Rule], where: str, raw: dict[str, Any], what: str,
            pointer: str) -> bool:
    """Report the removal of a deprecated element by its sunset; False when it was not deprecated."""
    if raw.get("deprecated") is not True:
        return False
    when = sunset(raw)
    if when == INVALID:
        comparison.add(where, rules["sunset-invalid"], ERROR, f"{what} removed; its x-sunset "
                       f"{raw.get('x-sunset')!r} is not a date", old=pointer)
    elif isinstance(when, date) and when > comparison.policy.today:
        comparison.add(where, rules["removed-before-sunset"], ERROR,
                       f"{what} removed before its sunset {when.isoformat()}", old=pointer)
    else:
        comparison.add(where, rules["removed-after-deprecation"], INFO, f"deprecated {what} removed", old=pointer)
    return True


def lifecycle(comparison: Comparison, rules: dict[str, Rule], where: str, old: dict[str, Any], new: dict[str, Any],
              what: str, pointers: tuple[str, str]) -> None:
    """Deprecation, reactivation and sunset changes of an element kept in both specs."""
    was, now = old.get("deprecated") is True, new.get("deprecated") is True
    before, after = sunset(old), sunset(new)
    policy = comparison.policy
    if now and not was:
        if after == INVALID:
            comparison.add(where, rules["sunset-invalid"], ERROR, f"{what} deprecated; its x-sunset "
                           f"{new.get('x-sunset')!r} is not a date", *pointers)
        elif after is None and policy.deprecation_days:
            comparison.add(where, rules["deprecated-without-sunset"], ERROR,
                           f"{what} deprecated without an x-sunset (policy: {policy.deprecation_days} days)",
                           *pointers)
        elif isinstance(after, date) and after < policy.today + timedelta(days=policy.deprecation_days):
            comparison.add(where, rules["sunset-too-soon"], ERROR,
                           f"{what} deprecated with sunset {after.isoformat()}, sooner than "
                           f"{policy.deprecation_days} days", *pointers)
        else:
            sunset_text = f" (sunset {after.isoformat()})" if isinstance(after, date) else ""
            comparison.add(where, rules["deprecated"], INFO, f"{what} deprecated{sunset_text}", *pointers)
    elif was and not now:
        comparison.add(where, rules["reactivated"], INFO, f"{what} is no longer deprecated", *pointers)
    elif was and now and before != after:
        if after is None:
            comparison.add(where, rules["sunset-removed"], ERROR, f"{what}: x-sunset removed", *pointers)
        elif after == INVALID:
            comparison.add(where, rules["sunset-invalid"], ERROR,
                           f"{what}: x-sunset {new.get('x-sunset')!r} is not a date", *pointers)
        elif isinstance(before, date) and isinstance(after, date) and after < before:
            comparison.add(where, rules["sunset-moved-earlier"], ERROR,
                           f"{what}: sunset moved from {before.isoformat()} to {after.isoformat()}", *pointers)


def compare_stability(comparison: Comparison, where: str, old: dict[str, Any], new: dict[str, Any],
                      pointers: tuple[str, str]) -> None:
    before, after = stability(old), stability(new)
    if before == after:
        return
    if INVALID in (before, after):
        bad = old if before == INVALID else new
        comparison.add(where, STABILITY_INVALID, ERROR,
                       f"x-stability-level {bad.get('x-stability-level')!r} is not one of {', '.join(STABILITY)}",
                       *pointers)
    elif STABILITY.index(after) < STABILITY.index(before):
        comparison.add(where, STABILITY_DECREASED, ERROR, f"stability lowered from {before} to {after}", *pointers)
    else:
        comparison.add(where, STABILITY_INCREASED, INFO, f"stability raised from {before} to {after}", *pointers)
