"""Schemas of the spec model: `$ref`s followed lazily, `allOf` merged once, types normalised.

A `Schema` wraps one schema object (or boolean schema) of a loaded document. It keeps the
document and JSON pointer it was read from, so diagnostics still say FILE:LINE:COL, and the
component it was reached through, so code generation can name it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from generator.load import Document, extend_pointer, split_pointer

if TYPE_CHECKING:
    from generator.model.api import SpecModel

# Keywords whose value is one schema, a list of schemas, or a map of schemas (JSON Schema 2020-12 and 3.0).
SCHEMA_VALUED = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
                 "unevaluatedItems", "unevaluatedProperties", "contentSchema")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
MAX_MERGE_DEPTH = 32


def schema_types(raw: dict[str, Any]) -> list[str]:
    """The JSON types a raw schema allows, 3.0 `nullable` included; `["any"]` when nothing constrains it.

    An untyped schema with `properties` is an object, one with `items` an array; a composition,
    `enum` or `const` without `type` states no type of its own (`[]`).
    """
    declared = raw.get("type")
    if isinstance(declared, list):
        types = [str(t) for t in declared]
    elif isinstance(declared, str):
        types = [declared]
    elif "properties" in raw or "additionalProperties" in raw:
        types = ["object"]
    elif "items" in raw:
        types = ["array"]
    else:
        types = [] if any(k in raw for k in ("oneOf", "anyOf", "allOf", "enum", "const")) else ["any"]
    if raw.get("nullable") is True and "null" not in types:
        types.append("null")
    return types


@dataclass(frozen=True, eq=False)
class Schema:
    """One schema of the spec, with bare `$ref`s already followed.

    `raw` is the schema object itself (a dict), or `True`/`False` for a boolean schema.
    `component` is the (document, pointer) of the `$ref` target it was reached through,
    or None for a schema written inline.
    """

    model: SpecModel
    document: Document
    pointer: str
    raw: dict[str, Any] | bool
    component: tuple[Document, str] | None = None

    @cached_property
    def node(self) -> dict[str, Any]:
        """The schema object; `{}` for the boolean schema `true`, `{"not": {}}` for `false`."""
        if isinstance(self.raw, bool):
            return {} if self.raw else {"not": {}}
        return self.raw

    @property
    def is_false(self) -> bool:
        """The boolean schema `false` (or `{"not": {}}`): no value is valid."""
        return self.raw is False or (isinstance(self.raw, dict) and self.raw.get("not") == {} and len(self.raw) == 1)

    def get(self, keyword: str, default: Any = None) -> Any:
        """A keyword's raw value."""
        return self.node.get(keyword, default)

    def has(self, keyword: str) -> bool:
        return keyword in self.node

    @property
    def name(self) -> str | None:
        """The component's key (`Pet` for `#/components/schemas/Pet`), when reached through a `$ref`."""
        if self.component is None:
            return None
        parts = split_pointer(self.component[1])
        return parts[-1] if parts else self.component[0].path.stem

    # -- types -----------------------------------------------------------------------------------

    @cached_property
    def types(self) -> frozenset[str]:
        """The JSON types this schema states, nullability included (3.0 `nullable`, 3.1 type arrays)."""
        return frozenset(schema_types(self.node))

    @property
    def declared_types(self) -> frozenset[str]:
        """The types written with `type` (and `nullable`), without inference from other keywords."""
        declared = self.get("type")
        types = set(declared) if isinstance(declared, list) else {declared} if isinstance(declared, str) else set()
        if self.get("nullable") is True:
            types.add("null")
        return frozenset(str(t) for t in types)

    @property
    def nullable(self) -> bool:
        return "null" in self.types or (isinstance(self.get("enum"), list) and None in self.get("enum"))

    @property
    def read_only(self) -> bool:
        return self.get("readOnly") is True

    @property
    def write_only(self) -> bool:
        return self.get("writeOnly") is True

    @property
    def enum(self) -> list[Any] | None:
        value = self.get("enum")
        return value if isinstance(value, list) else None

    @property
    def format(self) -> str | None:
        value = self.get("format")
        return value if isinstance(value, str) else None

    # -- sub-schemas -----------------------------------------------------------------------------

    def child(self, *path: str | int) -> Schema | None:
        """The sub-schema at a relative path (`child("items")`, `child("oneOf", 0)`), refs followed."""
        node: Any = self.node
        for part in path:
            if isinstance(node, dict) and isinstance(part, str) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        if not isinstance(node, (dict, bool)):
            return None
        return self.model.schema(node, self.document, extend_pointer(self.pointer, *path))

    def children(self, keyword: str) -> list[Schema]:
        """The schemas of a list keyword (`allOf`, `oneOf`, `anyOf`, `prefixItems`)."""
        value = self.get(keyword)
        if not isinstance(value, list):
            return []
        return [s for s in (self.child(keyword, i) for i in range(len(value))) if s is not None]

    def mapping(self, keyword: str) -> dict[str, Schema]:
        """The schemas of a map keyword (`properties`, `patternProperties`, `$defs`, ...)."""
        value = self.get(keyword)
        if not isinstance(value, dict):
            return {}
        return {str(k): s for k in value if (s := self.child(keyword, k)) is not None}

    @cached_property
    def items(self) -> Schema | None:
        return self.child("items")

    @property
    def additional_properties(self) -> Schema | bool | None:
        """`additionalProperties` as a schema, or the booleans as written; None when absent."""
        value = self.get("additionalProperties")
        if isinstance(value, bool):
            return value
        return self.child("additionalProperties")

    # -- allOf merged ------------------------------------------------------------------------------

    @cached_property
    def all_of_chain(self) -> list[Schema]:
        """This schema and its `allOf` members (refs followed, nested), each once, in merge order.

        Members come before the schema that lists them, so in a merge later entries win: a
        schema's own properties override those it takes from its members, as a subclass's do.
        """
        chain: list[Schema] = []
        seen: set[tuple[str, str]] = set()

        def visit(schema: Schema, depth: int) -> None:
            if schema.identity() in seen or depth > MAX_MERGE_DEPTH:
                return
            seen.add(schema.identity())
            for member in schema.children("allOf"):
                visit(member, depth + 1)
            chain.append(schema)

        visit(self, 0)
        return chain

    @cached_property
    def properties(self) -> dict[str, Schema]:
        """Every property, those of `allOf` members included (see `all_of_chain` for which one wins)."""
        merged: dict[str, Schema] = {}
        for schema in self.all_of_chain:
            merged.update(schema.mapping("properties"))
        return merged

    @cached_property
    def required(self) -> frozenset[str]:
        """Required property names, those of `allOf` members included (a name required anywhere is required)."""
        return frozenset(name for schema in self.all_of_chain for name in schema.required_here)

    @property
    def required_here(self) -> list[str]:
        """The names this schema object itself lists as required, in order."""
        names = self.get("required")
        return [str(n) for n in names] if isinstance(names, list) else []

    @property
    def discriminator(self) -> dict[str, Any] | None:
        value = self.get("discriminator")
        return value if isinstance(value, dict) else None

    def identity(self) -> tuple[str, str]:
        """Where this schema is written: (file, pointer); equal for two views of one schema."""
        return str(self.document.path), self.pointer
