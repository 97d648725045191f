"""Every diff rule, declared once: its stable id, the levels it reports at, and what it means.

A family module declares its rules with `rule(...)` (or `schema_rule(...)` for the checks that
apply alike to parameters, request bodies and responses) and reports them through
`Comparison.add`, which refuses an undeclared rule or level. The README's rule table is
checked against `RULES` by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, INFO = "error", "warning", "info"
LEVELS = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Rule:
    id: str
    levels: tuple[str, ...]
    description: str
    family: str


RULES: dict[str, Rule] = {}


def rule(rule_id: str, levels: tuple[str, ...], description: str, family: str) -> Rule:
    """Declare a rule; ids are unique across the registry."""
    if rule_id in RULES:
        raise ValueError(f"diff rule {rule_id!r} declared twice")
    if not levels or set(levels) - set(LEVELS):
        raise ValueError(f"diff rule {rule_id!r}: levels must be among {LEVELS}")
    RULES[rule_id] = declared = Rule(rule_id, levels, description, family)
    return declared


@dataclass(frozen=True)
class SchemaRule:
    """A schema check reported under the prefix of what the schema belongs to."""

    parameter: Rule
    request: Rule
    response: Rule

    def __getitem__(self, prefix: str) -> Rule:
        return {"parameter": self.parameter, "request": self.request, "response": self.response}[prefix]


def schema_rule(parameter_id: str, request_id: str, response_id: str, levels: tuple[str, ...],
                description: str) -> SchemaRule:
    """Declare one schema check under its three ids (`parameter-…`, `request-…`, `response-…`)."""
    return SchemaRule(*(rule(rule_id, levels, description, "schemas")
                        for rule_id in (parameter_id, request_id, response_id)))
