"""A reported change and the comparison context every rule family writes to."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.diff.registry import RULES, Rule
from generator.model import SpecModel


@dataclass(frozen=True, order=True)
class Change:
    """One difference: rule id, level, where (operation or component) and a one-line message."""

    operation: str
    rule: str
    level: str
    message: str
    old_pointer: str = ""
    new_pointer: str = ""


@dataclass
class Comparison:
    """The two specs being compared and the changes found so far."""

    old: SpecModel
    new: SpecModel
    found: list[Change] = field(default_factory=list)

    def add(self, where: str, rule: Rule, level: str, message: str, old: str = "", new: str = "") -> None:
        """Report a change under a declared rule, at one of the levels it declares."""
        if RULES.get(rule.id) is not rule or level not in rule.levels:
            raise ValueError(f"diff rule {rule.id!r} reported at undeclared level {level!r}")
        self.found.append(Change(where, rule.id, level, message, old, new))
