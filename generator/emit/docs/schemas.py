"""Schemas in JSON words: type names, constraint lines and nested field tables.

Component schemas are described once, on their own anchor, and linked wherever they are used;
the spec model has already followed `$ref`s and merged `allOf` members.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from generator.emit.docs.text import anchor, markdown
from generator.model import Schema, SpecModel
from generator.naming import UniqueNames

MAX_DEPTH = 8
_BARE = re.compile(r"^[\w.:/@+-]+$")
# Constraint keywords shown as they are written, in this order.
_CONSTRAINTS = ("minLength", "maxLength", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum",
                "multipleOf", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties")
_NESTING = ("properties", "allOf", "oneOf", "anyOf", "items")
_COMPONENT = re.compile(r"^/components/schemas/([^/]+)$")


def value_text(value: Any) -> str:
    """A value as an API user writes it: bare words unquoted, everything else as JSON."""
    if isinstance(value, str) and _BARE.match(value):
        return value
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class TypeName:
    """A schema's type in JSON words, and the anchor of the component it names (or "")."""

    text: str
    link: str = ""


@dataclass
class Row:
    """One field of a schema table."""

    depth: int
    name: str
    type: TypeName
    required: bool
    description: Markup
    details: list[str] = field(default_factory=list)


class SchemaTables:
    """Type names, constraint lines and field rows of one spec's schemas."""

    def __init__(self, model: SpecModel, slug: str):
        self.model = model
        ids = UniqueNames(separator="-")  # `UidName` and `UIdName` are two schemas: two anchors
        self.anchors = {name: ids.claim(anchor(slug, "schema", name)) for name in model.schemas}

    def component(self, schema: Schema | None) -> str | None:
        """The component key of a schema reached through `#/components/schemas/...` of this spec."""
        if schema is None or schema.component is None or schema.document is not self.model.document:
            return None
        match = _COMPONENT.match(schema.pointer)
        name = match and match.group(1).replace("~1", "/").replace("~0", "~")
        return name if name in self.anchors else None

    def is_structured(self, schema: Schema) -> bool:
        """Objects, arrays and compositions get their own table; scalars are described inline."""
        return bool(schema.types & {"object", "array"}) or any(schema.has(k) for k in ("allOf", "oneOf", "anyOf"))

    def type_name(self, schema: Schema | None, depth: int = 0) -> TypeName:
        """`string (date-time)`, `array of Pet`, `Guid (string)`, `string or null`, `one of: A, B`."""
        if schema is None or depth > MAX_DEPTH:
            return TypeName("any")
        name = self.component(schema)
        if name is not None:
            scalar = "" if self.is_structured(schema) else f" ({self.type_name(as_written(schema), depth + 1).text})"
            return TypeName(name + scalar, "#" + self.anchors[name])
        null = " or null" if schema.nullable else ""
        for keyword, joiner in (("oneOf", "one of: "), ("anyOf", "any of: ")):
            members = schema.children(keyword)
            if members:
                real = [m for m in members if m.types != {"null"}]
                null = " or null" if schema.nullable or len(real) < len(members) else ""
                names = [self.type_name(m, depth + 1) for m in real]
                if len(names) == 1:
                    return TypeName(names[0].text + null, names[0].link)
                return TypeName(joiner + ", ".join(n.text for n in names) + null)
        allof = schema.children("allOf")
        if len(allof) == 1 and not schema.has("properties"):
            inner = self.type_name(allof[0], depth + 1)
            return TypeName(inner.text + ("" if inner.text.endswith(" or null") else null), inner.link)
        types = sorted(schema.types - {"null", "any"}, key=lambda t: _TYPE_ORDER.get(t, len(_TYPE_ORDER)))
        if not types and schema.enum:
            types = sorted({_JSON_TYPES.get(type(v), "any") for v in schema.enum if v is not None})
        if "array" in types:
            inner = self.type_name(schema.items, depth + 1)
            others = [t for t in types if t != "array"]
            return TypeName(" or ".join(["array of " + inner.text, *others]) + null, inner.link)
        if schema.has("const"):
            return TypeName("const " + value_text(schema.get("const")))
        additional = schema.additional_properties if schema.has("additionalProperties") else None
        if isinstance(additional, Schema) and types == ["object"] and not schema.properties:
            inner = self.type_name(additional, depth + 1)
            return TypeName("map of " + inner.text + null, inner.link)
        text = " or ".join(types) or ("object" if allof else "any")
        if schema.format and types:
            text += f" ({schema.format})"
        return TypeName(text + null)

    def details(self, schema: Schema | None) -> list[str]:
        """Constraint lines: values, default, pattern, lengths and ranges, read/write only, deprecation."""
        if schema is None:
            return []
        lines = []
        target = schema.items if "array" in schema.types and schema.items is not None else schema
        enum = target.enum
        if enum is not None:
            lines.append(("items: " if target is not schema else "") + " | ".join(value_text(v) for v in enum))
        if target.format and target is not schema:
            lines.append(f"items: {target.format}")
        if target.has("pattern"):
            lines.append(f"pattern: {target.get('pattern')}")
        if schema.has("default"):
            lines.append(f"default: {value_text(schema.get('default'))}")
        lines += [f"{key}: {value_text(schema.get(key))}" for key in _CONSTRAINTS if schema.has(key)]
        lines += [word for word, on in (("read-only", schema.read_only), ("write-only", schema.write_only),
                                        ("deprecated", schema.get("deprecated") is True)) if on]
        return lines

    def rows(self, schema: Schema | None, depth: int = 0, seen: frozenset[tuple[str, str]] = frozenset()) -> list[Row]:
        """The fields of an object schema (of an array's items), nested inline objects indented."""
        if schema is None or depth > MAX_DEPTH or not any(k in schema.node for k in _NESTING):
            return []
        if schema.identity() in seen:
            return []
        seen = seen | {schema.identity()}
        if "array" in schema.types and schema.items is not None and not schema.properties:
            items = schema.items
            return [] if self.component(items) else self.rows(items, depth, seen)
        result: list[Row] = []
        required = schema.required
        for name, value in schema.properties.items():
            result.append(Row(depth, name, self.type_name(value), name in required, markdown(str(value.get("description") or "")),
                              self.details(value)))
            if self.component(value) is None:
                result += self.rows(value, depth + 1, seen)
        for member in schema.children("oneOf") + schema.children("anyOf"):
            if self.component(member) is None and member.properties:
                result += self.rows(member, depth, seen)
        return result


_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "object"}
_TYPE_ORDER = {name: i for i, name in enumerate(("object", "array", "string", "integer", "number", "boolean", "any",
                                                 "null"))}


def as_written(schema: Schema) -> Schema:
    """The same schema, seen as written rather than as a component (so its own type is described)."""
    return Schema(schema.model, schema.document, schema.pointer, schema.raw, None)
