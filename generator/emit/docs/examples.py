"""Example values for the docs: the spec's own examples first, else values built from schemas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.load import extend_pointer
from generator.model import MediaType, Parameter, Schema, SpecModel

MAX_DEPTH = 4
_FORMATS = {"date-time": "2024-01-01T12:00:00Z", "date": "2024-01-01", "time": "12:00:00Z", "email": "user@example.com",
            "uri": "https://example.com", "url": "https://example.com", "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "ipv4": "192.0.2.1", "ipv6": "2001:db8::1", "hostname": "example.com", "byte": "U3dhZ2dlcg=="}


@dataclass(frozen=True)
class Example:
    """One named example value."""

    name: str
    summary: str
    value: Any


def named_examples(model: SpecModel, owner: MediaType | Parameter) -> list[Example]:
    """`example`, then every entry of the `examples` map (`$ref`s followed), as written."""
    result = []
    if "example" in owner.raw:
        result.append(Example("", "", owner.raw["example"]))
    examples = owner.raw.get("examples")
    if isinstance(examples, dict):
        for name, raw in examples.items():
            where = extend_pointer(owner.pointer, "examples", str(name))
            entry = model.follow(raw, owner.document, where)[2]
            if isinstance(entry, dict) and "value" in entry:
                result.append(Example(str(name), str(entry.get("summary") or ""), entry["value"]))
    return result


def media_examples(model: SpecModel, media: MediaType) -> list[Example]:
    """A body's examples as written, else one built from its schema (none for a schema-less body)."""
    written = named_examples(model, media)
    if written or media.schema is None:
        return written
    return [Example("", "built from the schema", schema_example(media.schema, writing=False))]


def parameter_example(model: SpecModel, parameter: Parameter) -> Any:
    """The value an example call sends for a parameter."""
    written = named_examples(model, parameter)
    if written:
        return written[0].value
    media = parameter.content_media_type
    if media is not None and named_examples(model, media):
        return named_examples(model, media)[0].value
    return schema_example(parameter.value_schema, writing=True)


def schema_example(schema: Schema | None, writing: bool, depth: int = 0) -> Any:
    """A value valid for simple schemas: its example, default, first enum value, else one per type."""
    if schema is None or depth > MAX_DEPTH:
        return None
    for keyword in ("example", "default", "const"):
        if schema.has(keyword):
            return schema.get(keyword)
    listed = schema.get("examples")
    if isinstance(listed, list) and listed:
        return listed[0]
    if schema.enum:
        return schema.enum[0]
    for keyword in ("oneOf", "anyOf"):
        members = [m for m in schema.children(keyword) if m.types != {"null"}]
        if members:
            return schema_example(members[0], writing, depth + 1)
    types = schema.types
    if "object" in types or schema.properties:
        skip = "readOnly" if writing else "writeOnly"
        return {name: schema_example(value, writing, depth + 1) for name, value in schema.properties.items()
                if value.get(skip) is not True}
    if "array" in types:
        return [schema_example(schema.items, writing, depth + 1)]
    if "string" in types:
        return _FORMATS.get(schema.format or "", "string")
    if "integer" in types or "number" in types:
        return schema.get("minimum", 0)
    if "boolean" in types:
        return True
    return None
