"""Diagnostics: one problem, where it is, and how bad it is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    """How serious a diagnostic is; errors make `validate` fail."""

    WARNING = 1
    ERROR = 2


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem at a source position, printed as `FILE:LINE:COL: RULE: message`."""

    file: str
    line: int
    col: int
    rule: str
    message: str
    level: Level = Level.ERROR

    def __str__(self) -> str:
        prefix = "warning: " if self.level is Level.WARNING else ""
        return f"{self.file}:{self.line}:{self.col}: {self.rule}: {prefix}{self.message}"


class SpecInputError(Exception):
    """The input cannot be used at all (unreadable, not YAML/JSON, not OpenAPI 3.x)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic
