"""How a parameter travels, in the words of OpenAPI's style/explode table, and example values on the wire.

The docs only describe the serialization (the runtime codec implements it): `form` without
`explode` is comma-separated, `deepObject` is `name[key]=value`, and so on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from generator.model import Parameter

_DELIMITERS = {"spaceDelimited": "%20", "pipeDelimited": "|"}


def serialization(parameter: Parameter) -> str | None:
    """One line saying how the value is written on the wire (None for a plain scalar)."""
    media = parameter.content_media_type
    if parameter.schema is None:
        return f"serialized as {media.name}" if media is not None else None
    kind = parameter.shape  # the model decides what the style serialises
    if kind == "primitive":
        return None
    n, style, explode = parameter.name, parameter.style, parameter.explode
    if kind == "array":
        if parameter.location in ("query", "cookie") and (explode or style not in ("form", *_DELIMITERS)):
            return f"repeated: {n}=a&{n}=b"
        words = {"form": "comma-separated", "simple": "comma-separated", "spaceDelimited": "space-separated",
                 "pipeDelimited": "pipe-separated"}
        sample = {"form": f"{n}=a,b", "simple": "a,b", "spaceDelimited": f"{n}=a%20b", "pipeDelimited": f"{n}=a|b",
                  "label": ".a.b" if explode else ".a,b", "matrix": f";{n}=a;{n}=b" if explode else f";{n}=a,b"}
        return f"{words.get(style, style)}: {sample.get(style, f'{n}=a,b')}"
    samples = {
        ("deepObject", True): f"{n}[x]=1&{n}[y]=2", ("deepObject", False): f"{n}[x]=1&{n}[y]=2",
        ("form", True): "one parameter per property: x=1&y=2", ("form", False): f"keys and values comma-separated: {n}=x,1,y,2",
        ("spaceDelimited", False): f"keys and values space-separated: {n}=x%201%20y%202",
        ("pipeDelimited", False): f"keys and values pipe-separated: {n}=x|1|y|2",
        ("simple", True): "comma-separated pairs: x=1,y=2", ("simple", False): "keys and values comma-separated: x,1,y,2",
        ("label", True): ".x=1.y=2", ("label", False): ".x,1,y,2",
        ("matrix", True): ";x=1;y=2", ("matrix", False): f";{n}=x,1,y,2",
    }
    return samples.get((style, explode), f"style {style}, explode {str(explode).lower()}")


def scalar(value: Any) -> str:
    """A scalar as it appears in a URL or header: JSON's true/false/null words, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def query_pairs(parameter: Parameter, value: Any) -> list[str]:
    """`name=value` pieces of the query string (or cookie) for one parameter, percent-encoded."""
    n = quote(parameter.name, safe="")
    style, explode = parameter.style, parameter.explode
    if isinstance(value, list):
        items = [quote(scalar(v), safe="") for v in value]
        if explode and style != "deepObject":
            return [f"{n}={item}" for item in items]
        return [f"{n}=" + _DELIMITERS.get(style, ",").join(items)]
    if isinstance(value, dict):
        pairs = [(quote(str(k), safe=""), quote(scalar(v), safe="")) for k, v in value.items()]
        if style == "deepObject":
            return [f"{n}%5B{k}%5D={v}" for k, v in pairs]
        if explode:
            return [f"{k}={v}" for k, v in pairs]
        return [f"{n}=" + _DELIMITERS.get(style, ",").join(f"{k}{_DELIMITERS.get(style, ',')}{v}" for k, v in pairs)]
    return [f"{n}={quote(scalar(value), safe='')}"]


def path_value(parameter: Parameter, value: Any) -> str:
    """A path parameter's value as it replaces `{name}` (styles simple, label and matrix)."""
    style, explode, n = parameter.style, parameter.explode, parameter.name
    if isinstance(value, dict):
        items = [f"{quote(str(k), safe='')}={quote(scalar(v), safe='')}" if explode
                 else f"{quote(str(k), safe='')},{quote(scalar(v), safe='')}" for k, v in value.items()]
    else:
        items = [quote(scalar(v), safe="") for v in (value if isinstance(value, list) else [value])]
    if style == "label":
        return "." + ("." if explode else ",").join(items)
    if style == "matrix":
        if explode and isinstance(value, list):
            return "".join(f";{n}={item}" for item in items)
        if explode and isinstance(value, dict):
            return "".join(f";{item}" for item in items)
        return f";{n}=" + ",".join(items)
    return ",".join(items)


def header_value(value: Any) -> str:
    """A header parameter's value (style simple): arrays and objects comma-separated."""
    if isinstance(value, list):
        return ",".join(scalar(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{scalar(v)}" for k, v in value.items())
    return scalar(value)
