"""Parameter serialisation as OpenAPI 3.1 prescribes it: one codec for client, server and verify.

Every `style` of the Parameter Object (path `simple`/`label`/`matrix`, query `form`/
`spaceDelimited`/`pipeDelimited`/`deepObject`, header `simple`, cookie `form`) with `explode`
true and false, for primitives, arrays and objects; `allowReserved`; parameters described by
`content` (JSON). Values are percent-encoded as RFC 6570 expansion does (RFC 3986 unreserved
characters stay, the style's own delimiters stay, everything else is encoded).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

from pydantic import BaseModel

# Reserved characters allowReserved lets through, minus the ones that would end a query pair.
_RESERVED = ":/?[]@!$'()*,;"
_DELIMITERS = {"spaceDelimited": "%20", "pipeDelimited": "%7C"}
_SPLITTERS = {"spaceDelimited": re.compile(r"%20|\+| "), "pipeDelimited": re.compile(r"%7C|\|", re.IGNORECASE)}


class CodecError(ValueError):
    """A parameter value that its serialisation does not allow (the message names the parameter)."""


@dataclasses.dataclass(frozen=True)
class Wire:
    """How one parameter travels: its style, explode, value shape and encoding options."""

    name: str
    location: str  # path | query | header | cookie
    style: str
    explode: bool
    shape: str = "primitive"  # primitive | array | object
    allow_reserved: bool = False
    content_type: str | None = None  # set for parameters described by `content`


# -- encoding -----------------------------------------------------------------------------------


def scalar_text(value: Any) -> str:
    """A primitive as text: JSON spelling for booleans and null, enums by value, dates ISO 8601."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def _escape(wire: Wire, text: str) -> str:
    safe = _RESERVED if wire.allow_reserved else ""
    if wire.location == "header":  # headers are not URLs: only what would break the value is encoded
        return "".join(c if c.isascii() and c.isprintable() and c not in "%," else quote(c, safe="") for c in text)
    return quote(text, safe=safe)


def _parts(wire: Wire, value: Any) -> tuple[str, list[str]]:
    """The value's shape and its escaped parts: the items of an array, key, value, ... of an object."""
    if isinstance(value, Mapping):
        pairs = [(_escape(wire, str(k)), _escape(wire, scalar_text(v))) for k, v in value.items() if v is not None]
        return "object", [x for pair in pairs for x in pair]
    if isinstance(value, list):
        return "array", [_escape(wire, scalar_text(v)) for v in value]
    return "primitive", [_escape(wire, scalar_text(value))]


def encode(wire: Wire, value: Any) -> str:
    """The serialised parameter: a path segment, `k=v` query pairs joined by `&`, a header value,
    or cookie pairs joined by `; `."""
    value = _plain(value)
    name = _escape(wire, wire.name)
    if wire.content_type is not None:
        text = quote(json.dumps(value, separators=(",", ":"), ensure_ascii=False), safe="") \
            if wire.location != "header" else json.dumps(value, separators=(",", ":"))
        return text if wire.location in ("path", "header") else f"{name}={text}"
    shape, parts = _parts(wire, value)
    pairs = list(zip(parts[::2], parts[1::2]))
    if wire.style == "deepObject":
        if shape != "object":
            raise CodecError(f"parameter {wire.name!r}: deepObject needs an object")
        return "&".join(f"{name}%5B{k}%5D={v}" for k, v in pairs)
    if wire.style in _DELIMITERS:
        if shape == "primitive":
            raise CodecError(f"parameter {wire.name!r}: {wire.style} needs an array or an object")
        return f"{name}={_DELIMITERS[wire.style].join(parts)}"
    prefix, separator, named = {
        "label": (".", ".", False), "matrix": (";", ";", True), "simple": ("", ",", False),
    }.get(wire.style, ("", "&" if wire.location == "query" else "; ", True))
    if shape == "primitive":
        return prefix + (f"{name}={parts[0]}" if named else parts[0])
    if not wire.explode:
        joined = ",".join(parts)
        if named:
            return f"{prefix}{name}" + (f"={joined}" if joined or wire.style != "matrix" else "")
        return prefix + joined
    if shape == "array":
        items = [f"{name}={p}" if named else p for p in parts]
        return prefix + separator.join(items) if items or not named else f"{prefix}{name}="
    return prefix + separator.join(f"{k}={v}" for k, v in pairs)


# -- decoding -----------------------------------------------------------------------------------


def parse_query(raw: str) -> list[tuple[str, str]]:
    """A query string's `k=v` pairs, still percent-encoded."""
    return [(k, v) for k, _, v in (pair.partition("=") for pair in raw.split("&") if pair)]


def parse_cookies(header: str) -> list[tuple[str, str]]:
    """A Cookie header's pairs, still encoded."""
    return [(k.strip(), v.strip()) for k, _, v in (p.partition("=") for p in header.split(";") if p.strip())]


def _split_object(wire: Wire, items: list[str]) -> dict[str, str]:
    if len(items) % 2:
        raise CodecError(f"parameter {wire.name!r}: an object needs key,value pairs, got {len(items)} items")
    return dict(zip(items[::2], items[1::2]))


def _pairs(wire: Wire, items: list[str]) -> dict[str, str]:
    result = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals:
            raise CodecError(f"parameter {wire.name!r}: expected key=value, got {item!r}")
        result[key] = value
    return result


def _shaped(wire: Wire, items: list[str], exploded_pairs: bool, unescape: Any) -> Any:
    """Items split on the style's delimiter, as the parameter's shape wants them."""
    if wire.shape == "array":
        return [unescape(i) for i in items]
    if wire.shape == "object":
        pairs = _pairs(wire, items) if exploded_pairs else _split_object(wire, items)
        return {unescape(k): unescape(v) for k, v in pairs.items()}
    if len(items) != 1:
        raise CodecError(f"parameter {wire.name!r}: expected one value, got {len(items)}")
    return unescape(items[0])


def _content(wire: Wire, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise CodecError(f"parameter {wire.name!r}: not valid JSON") from None


def decode_path(wire: Wire, raw: str) -> Any:
    """A path parameter from its raw (still percent-encoded) segment."""
    if wire.content_type is not None:
        return _content(wire, unquote(raw))
    if wire.style in ("label", "matrix"):
        prefix = "." if wire.style == "label" else ";"
        if not raw.startswith(prefix):
            raise CodecError(f"parameter {wire.name!r}: a {wire.style} value starts with {prefix!r}")
        raw = raw[1:]
        if wire.style == "matrix":
            return _decode_matrix(wire, raw)
        separator = "." if wire.explode and wire.shape != "primitive" else ","
        if wire.shape == "array" and not raw:
            return []
        return _shaped(wire, raw.split(separator) if wire.shape != "primitive" else [raw], wire.explode, unquote)
    if wire.shape == "primitive":
        return unquote(raw)
    return _shaped(wire, raw.split(",") if raw else [], wire.explode, unquote)


def _decode_matrix(wire: Wire, raw: str) -> Any:
    pieces = raw.split(";")
    if wire.explode and wire.shape == "object":
        return _shaped(wire, pieces, True, unquote)
    values = []
    for piece in pieces:
        key, _, value = piece.partition("=")
        if unquote(key) != wire.name:
            raise CodecError(f"parameter {wire.name!r}: unexpected matrix name {unquote(key)!r}")
        values.append(value)
    if wire.explode and wire.shape == "array":
        return [unquote(v) for v in values]
    if len(values) != 1:
        raise CodecError(f"parameter {wire.name!r}: expected one value, got {len(values)}")
    if wire.shape == "primitive":
        return unquote(values[0])
    return _shaped(wire, values[0].split(",") if values[0] else [], False, unquote)


MISSING: Any = object()  # what decode_query and decode_cookie return for an absent parameter


def decode_query(wire: Wire, pairs: list[tuple[str, str]], others: frozenset[str] = frozenset()) -> Any:
    """A query parameter from the query's raw pairs, or MISSING; `others` are the operation's other
    query parameter names (what an exploded form object must not claim)."""
    if wire.style == "deepObject":
        pattern = re.compile(re.escape(wire.name) + r"\[([^\[\]]*)\]")
        found = {m.group(1): unquote_plus(v) for k, v in pairs if (m := pattern.fullmatch(unquote_plus(k)))}
        return found if found else MISSING
    if wire.shape == "object" and wire.explode and wire.style == "form" and wire.content_type is None:
        found = {unquote_plus(k): unquote_plus(v) for k, v in pairs if unquote_plus(k) not in others | {wire.name}}
        return found if found else MISSING
    values = [v for k, v in pairs if unquote_plus(k) == wire.name]
    if not values:
        return MISSING
    if wire.content_type is not None:
        return _content(wire, _single(wire, values, unquote_plus))
    if wire.shape == "array" and wire.explode and wire.style == "form":
        return [unquote_plus(v) for v in values] if values != [""] else []
    raw = _single(wire, values, lambda v: v)
    if wire.shape == "primitive":
        return unquote_plus(raw)
    splitter = _SPLITTERS.get(wire.style)
    items = (splitter.split(raw) if splitter else raw.split(",")) if raw else []
    return _shaped(wire, items, False, unquote_plus)


def _single(wire: Wire, values: list[str], unescape: Any) -> str:
    if len(values) != 1:
        raise CodecError(f"parameter {wire.name!r}: expected one value, got {len(values)} "
                         "(this parameter is not exploded)")
    return unescape(values[0])  # type: ignore[no-any-return]


def decode_header(wire: Wire, raw: str) -> Any:
    """A header parameter from its value."""
    if wire.content_type is not None:
        return _content(wire, raw)
    if wire.shape == "primitive":
        return unquote(raw.strip())
    return _shaped(wire, [i.strip() for i in raw.split(",")] if raw.strip() else [], wire.explode, unquote)


def decode_cookie(wire: Wire, pairs: list[tuple[str, str]]) -> Any:
    """A cookie parameter from the Cookie header's pairs, or MISSING."""
    if wire.shape == "object" and wire.explode and wire.content_type is None:
        found = {unquote(k): unquote(v) for k, v in pairs if unquote(k) != wire.name}
        return found if found else MISSING
    values = [v for k, v in pairs if unquote(k) == wire.name]
    if not values:
        return MISSING
    if wire.content_type is not None:
        return _content(wire, _single(wire, values, unquote))
    if wire.shape == "array" and wire.explode:
        return [unquote(v) for v in values]
    raw = _single(wire, values, lambda v: v)
    if wire.shape == "primitive":
        return unquote(raw)
    return _shaped(wire, raw.split(",") if raw else [], False, unquote)



def describe(wire: Wire) -> str:
    """How the parameter travels, in words for docs (`comma-separated`, `color[R]=…`)."""
    if wire.content_type is not None:
        return f"{wire.content_type} text"
    if wire.shape == "primitive":
        return {"label": "`.value`", "matrix": f"`;{wire.name}=value`"}.get(wire.style, "")
    if wire.style == "deepObject":
        return f"`{wire.name}[key]=value` per key"
    if wire.style in _DELIMITERS:
        return "space-separated" if wire.style == "spaceDelimited" else "pipe-separated"
    if wire.explode:
        if wire.style == "form":
            return f"one `{wire.name}=value` per item" if wire.shape == "array" else "one `key=value` per key"
        return {"label": "dot-separated", "matrix": "semicolon-separated"}.get(wire.style, "comma-separated") + (
            " `key=value` pairs" if wire.shape == "object" else "")
    return "comma-separated" + (" key,value pairs" if wire.shape == "object" else "")
