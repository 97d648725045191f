"""A reported change and the comparison context every rule family writes to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from generator.diff.registry import RULES, Rule
from generator.diff.unchanged import Unchanged
from generator.model import Operation, Schema, SpecModel


@dataclass(frozen=True, order=True)
class Change:
    """One difference: rule id, level, where (operation or component) and a one-line message.

    `level` is what the change does on the wire to existing clients; `sdk_level` what it does to code
    written against the previously generated SDK (empty until `generator.diff.sdk` has judged it).
    """

    operation: str
    rule: str
    level: str
    message: str
    old_pointer: str = ""
    new_pointer: str = ""
    sdk_level: str = ""
    sdk: str = ""  # the SDK names it touches, e.g. "client.pets.get_pet(fields=)"


@dataclass(frozen=True)
class Policy:
    """The deprecation policy (the reference tool's): today's date, and how many days a sunset must be away."""

    today: date = field(default_factory=lambda: datetime.now(timezone.utc).date())
    deprecation_days: int = 0  # 0: a sunset date is optional


@dataclass
class Comparison:
    """The two specs being compared, the policy, and the changes found so far."""

    old: SpecModel
    new: SpecModel
    policy: Policy = field(default_factory=Policy)
    found: list[Change] = field(default_factory=list)
    reverse: bool = False  # comparing a webhook or callback: the API sends the request, the client answers

    def __post_init__(self) -> None:
        self._unchanged = Unchanged(self.old, self.new)

    def add(self, where: str, rule: Rule, level: str, message: str, old: str = "", new: str = "") -> None:
        """Report a change under a declared rule, at one of the levels it declares."""
        if RULES.get(rule.id) is not rule or level not in rule.levels:
            raise ValueError(f"diff rule {rule.id!r} reported at undeclared level {level!r}")
        self.found.append(Change(where, rule.id, level, message, old, new))

    def direction(self, request: bool) -> str:
        """`request` for what the client sends, `response` for what it receives (swapped for webhooks)."""
        return "request" if request != self.reverse else "response"

    def unchanged(self, old: Schema, new: Schema) -> bool:
        """True when two schemas are provably identical (same text, every `$ref` they reach unchanged)."""
        return self._unchanged(old, new)

    def unchanged_operation(self, old: Operation, new: Operation) -> bool:
        """True when an operation (with its path item's parameters) is provably identical in both specs."""
        roots = old.document is self.old.document and new.document is self.new.document
        return roots and self._unchanged.nodes(old.raw, new.raw) and self._unchanged.nodes(
            old.path_item.get("parameters"), new.path_item.get("parameters"))
