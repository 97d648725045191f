"""Values built from JSON Schemas for the mock: each one satisfies its schema (types, formats,
patterns, lengths, ranges, enums), the schema's own example first when it has one."""

from __future__ import annotations

import copy
import math
import re
from re import _parser as _regex  # type: ignore[attr-defined]  # the standard library's regex parser
from typing import Any


def pointer(document: Any, location: str) -> Any:
    """The node at a JSON pointer (`#/components/schemas/X`)."""
    node = document
    for part in location.lstrip("#/").split("/") if location.strip("#/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def deref(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """A node with its local `$ref`s followed."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#") and depth < 50:
        node = pointer(document, node["$ref"])
        depth += 1
    return node


_FORMAT_SAMPLES = {
    "date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "time": "00:00:00Z", "email": "user@example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "uri": "https://example.com", "url": "https://example.com",
    "uri-reference": "https://example.com", "iri": "https://example.com", "hostname": "example.com",
    "ipv4": "127.0.0.1", "ipv6": "::1", "byte": "AAAA", "duration": "P1D", "regex": ".*",
    "json-pointer": "/a", "idn-email": "user@example.com", "idn-hostname": "example.com",
}


def sample(document: dict[str, Any], schema: Any, depth: int = 0, *, examples: bool = True) -> Any:
    """A value that satisfies `schema`: its examples when it has some (unless `examples` is False),
    else one built from its type."""
    schema = deref(document, schema)
    if not isinstance(schema, dict) or depth > 12:
        return None
    for key in ("example", "default", "const") if examples else ("const", "default"):
        if key in schema:
            return copy.deepcopy(schema[key])
    if examples and isinstance(schema.get("examples"), list) and schema["examples"]:
        return copy.deepcopy(schema["examples"][0])
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for member in schema["allOf"]:
            value = sample(document, member, depth + 1, examples=examples)
            if isinstance(value, dict):
                merged.update(value)
        own = {k: v for k, v in schema.items() if k != "allOf"}
        if own.get("properties"):
            merged.update(sample(document, own, depth + 1, examples=examples) or {})
        return merged
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return sample(document, schema[key][0], depth + 1, examples=examples)
    types = schema.get("type")
    kind = next((t for t in types if t != "null"), "null") if isinstance(types, list) else types
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: sample(document, value, depth + 1, examples=examples) for name, value in properties.items()}
    if kind == "array":
        return _sample_array(document, schema, depth, examples)
    if kind in ("integer", "number"):
        return _sample_number(schema, kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return sample_string(schema)


def _sample_array(document: dict[str, Any], schema: dict[str, Any], depth: int, examples: bool) -> list[Any]:
    count = max(1, int(schema.get("minItems") or 1))
    item = sample(document, schema.get("items") or {}, depth + 1, examples=examples)
    if schema.get("uniqueItems") and count > 1:
        return [item] + [_variant(item, i) for i in range(1, count)]
    return [copy.deepcopy(item) for _ in range(count)]


def _variant(value: Any, index: int) -> Any:
    """A different value of the same kind (for unique items)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value + index
    return f"{value}{index}" if isinstance(value, str) else copy.deepcopy(value)


def _sample_number(schema: dict[str, Any], integer: bool) -> int | float:
    """The smallest value the bounds and multipleOf allow (0 when that is allowed)."""
    def bound(key: str, exclusive: str) -> tuple[float | None, bool]:
        value, flag = schema.get(key), schema.get(exclusive)
        if isinstance(flag, (int, float)) and not isinstance(flag, bool):
            return float(flag), True
        return (float(value), flag is True) if isinstance(value, (int, float)) else (None, False)

    low, low_open = bound("minimum", "exclusiveMinimum")
    high, high_open = bound("maximum", "exclusiveMaximum")
    step = schema.get("multipleOf") if isinstance(schema.get("multipleOf"), (int, float)) else (1 if integer else None)
    start = 0.0 if low is None else low
    if high is not None and low is None and high < 0:
        start = high
    candidate: float
    if step:
        candidate = math.ceil(start / step) * step
        if low_open and candidate <= start:
            candidate += step
        if high is not None and (candidate > high or high_open and candidate >= high):
            candidate = math.floor(high / step) * step
    else:
        candidate = start + (0.5 if low_open else 0)
    return int(candidate) if integer else float(candidate)


def sample_string(schema: dict[str, Any]) -> str:
    """A string of the schema's format, matching its pattern, within its lengths."""
    pattern = schema.get("pattern")
    text = _FORMAT_SAMPLES.get(str(schema.get("format")), "string")
    if isinstance(pattern, str) and not re.search(pattern, text):
        text = _from_pattern(pattern, int(schema.get("minLength") or 0)) or text
    low, high = int(schema.get("minLength") or 0), schema.get("maxLength")
    if len(text) < low:
        text += "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _from_pattern(pattern: str, min_length: int) -> str | None:
    """A string the regular expression matches (searched, as JSON Schema does), or None."""
    try:
        text = _build(_regex.parse(pattern), min_length)
    except (re.error, ValueError, TypeError, IndexError, RecursionError):
        return None
    return text if re.search(pattern, text) else None


def _build(parsed: Any, min_length: int = 0) -> str:
    out = []
    for op, value in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(value))
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_class_member(value))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, item = value
            count = max(low, 1 if min_length else 0) if high != 0 else 0
            out.append(_build(item) * count)
        elif name == "SUBPATTERN":
            out.append(_build(value[-1]))
        elif name == "BRANCH":
            out.append(_build(value[1][0]))
        elif name in ("AT", "ASSERT", "ASSERT_NOT", "GROUPREF"):
            continue
        else:
            raise ValueError(name)
    return "".join(out)


def _class_member(items: list[Any]) -> str:
    """A character of a `[...]` class (the first one it allows)."""
    if items and str(items[0][0]) == "NEGATE":
        excluded = _build([i for i in items[1:] if str(i[0]) == "LITERAL"])
        return next(c for c in "aA0_-" if c not in excluded)
    op, value = items[0]
    name = str(op)
    if name == "LITERAL":
        return chr(value)
    if name == "RANGE":
        return chr(value[0])
    if name == "CATEGORY":
        return {"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " ", "CATEGORY_WORD": "a"}.get(str(value), "a")
    raise ValueError(name)
