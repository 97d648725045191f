"""`[tool.crm-codegen]` in pyproject.toml: which specs, their package names, and which operations.

```toml
[tool.crm-codegen]
out = "generated"

[[tool.crm-codegen.package]]
spec = "spec/back-office.yaml"
name = "crm_back_office"                 # default: crm_<spec name>
include-tags = ["activities"]            # only these tags (default: every tag)
exclude-operations = ["delete_activity"] # operationIds left out
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILTERS = ("include-tags", "exclude-tags", "include-operations", "exclude-operations")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the JSON pointer."""


@dataclass(frozen=True)
class Selection:
    """The operations to generate: by tag (any of an operation's tags) and by operationId."""

    include_tags: frozenset[str] = frozenset()
    exclude_tags: frozenset[str] = frozenset()
    include_operations: frozenset[str] = frozenset()
    exclude_operations: frozenset[str] = frozenset()

    def admits(self, tags: list[str], operation_id: str) -> bool:
        if self.include_tags and not self.include_tags & set(tags):
            return False
        if self.include_operations and operation_id not in self.include_operations:
            return False
        return not (self.exclude_tags & set(tags) or operation_id in self.exclude_operations)

    def key(self) -> str:
        """A stable text of the selection, for fingerprints."""
        return repr([sorted(self.include_tags), sorted(self.exclude_tags), sorted(self.include_operations),
                     sorted(self.exclude_operations)])

    def unknown(self, tags: set[str], operation_ids: set[str]) -> list[str]:
        """Filter entries naming no tag or operation of the spec (a typo would silently select nothing)."""
        return sorted([f"tag {t!r}" for t in (self.include_tags | self.exclude_tags) - tags]
                      + [f"operation {o!r}" for o in (self.include_operations | self.exclude_operations)
                         - operation_ids])


@dataclass(frozen=True)
class PackageConfig:
    spec: Path
    name: str | None
    selection: Selection = field(default_factory=Selection)


@dataclass(frozen=True)
class Config:
    out: Path
    packages: list[PackageConfig]


def load_config(pyproject: Path) -> Config | None:
    """The `[tool.crm-codegen]` table of a pyproject.toml; None when there is none."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: {exc}") from None
    table = data.get("tool", {}).get("crm-codegen")
    if table is None:
        return None
    where = f"{pyproject}#/tool/crm-codegen"
    _keys(table, {"out", "package"}, where)
    packages = table.get("package", [])
    if not isinstance(packages, list) or not packages:
        raise ConfigError(f"{where}/package: expected at least one [[tool.crm-codegen.package]] table")
    base = pyproject.parent
    return Config(base / _string(table.get("out", "generated"), f"{where}/out"),
                  [_package(entry, base, f"{where}/package/{i}") for i, entry in enumerate(packages)])


def _package(entry: Any, base: Path, where: str) -> PackageConfig:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table")
    _keys(entry, {"spec", "name", *FILTERS}, where)
    if "spec" not in entry:
        raise ConfigError(f"{where}: missing key 'spec'")
    name = entry.get("name")
    if name is not None and not (_string(name, f"{where}/name").isidentifier()):
        raise ConfigError(f"{where}/name: {name!r} is not a Python package name")
    lists = {key: frozenset(_strings(entry.get(key, []), f"{where}/{key}")) for key in FILTERS}
    selection = Selection(lists["include-tags"], lists["exclude-tags"], lists["include-operations"],
                          lists["exclude-operations"])
    return PackageConfig(base / _string(entry["spec"], f"{where}/spec"), name, selection)


def _keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"{where}/{unknown[0]}: unknown key (expected one of {', '.join(sorted(allowed))})")


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: expected a non-empty string")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return list(value)
