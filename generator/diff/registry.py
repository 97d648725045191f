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


SCHEMA_PREFIXES = ("parameter", "request", "response", "response-header")


@dataclass(frozen=True)
class SchemaRule:
    """A schema check reported under the prefix of what the schema belongs to (`parameter-…`, `request-…`,
    `response-…`, `response-header-…`)."""

    rules: dict[str, Rule]

    def __getitem__(self, prefix: str) -> Rule:
        return self.rules[prefix]


def schema_rule(suffix: str, levels: tuple[str, ...], description: str) -> SchemaRule:
    """Declare one schema check under its four ids. Info is always among its levels: inside a readOnly
    request property or a writeOnly response property a change reaches no client."""
    levels = tuple(dict.fromkeys((*levels, INFO)))
    return SchemaRule({prefix: rule(f"{prefix}-{suffix}", levels, description, "schemas")
                       for prefix in SCHEMA_PREFIXES})


def rule_table() -> str:
    """The README's rule table: one row per family and rule, schema rules once for their four prefixes."""
    import generator.diff.compare  # noqa: F401  every family declares its rules on import
    import generator.diff.sdk  # noqa: F401

    rows = ["| family | rule id | levels | meaning |", "|---|---|---|---|"]
    done: set[str] = set()
    for declared in sorted(RULES.values(), key=lambda r: (r.family, r.id)):
        if declared.id in done:
            continue
        rule_id = f"`{declared.id}`"
        if declared.family == "schemas":
            suffix = declared.id.removeprefix("parameter-")
            done.update(f"{prefix}-{suffix}" for prefix in SCHEMA_PREFIXES)
            rule_id = f"`{{parameter,request,response,response-header}}-{suffix}`"
        rows.append(f"| {declared.family} | {rule_id} | {', '.join(declared.levels)} | {declared.description} |")
    return "\n".join(rows) + "\n"
