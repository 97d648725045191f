"""How a parameter travels, for the docs: the codec's own words and the codec's own encoding.

The generated client sends what `encode` gives, so the docs' example URLs and the sentence
in each parameter row (`comma-separated: states=a,b`) show exactly that.
"""

from __future__ import annotations

from typing import Any

from generator.model import Parameter
from generator.runtime import CodecError, describe, encode, scalar_text, wire_of

_SAMPLES: dict[str, Any] = {"array": ["a", "b"], "object": {"x": 1, "y": 2}}


def serialization(parameter: Parameter) -> str | None:
    """One line saying how the value is written on the wire (None for a plain scalar)."""
    wire = wire_of(parameter)
    words = str(describe(wire))
    example = encoded(parameter, _SAMPLES[wire.shape]) if wire.content_type is None and wire.shape in _SAMPLES else None
    return f"{words}: {example}" if example is not None else words or None


def encoded(parameter: Parameter, value: Any) -> str | None:
    """The parameter's value as the client sends it (a path segment, query pairs, a header or cookie
    value), or None when the value is not one the parameter's style can carry."""
    try:
        return str(encode(wire_of(parameter), value))
    except CodecError:
        return None


def scalar(value: Any) -> str:
    """A scalar as it appears in a form body: JSON's true/false words, numbers as written, null empty."""
    return "" if value is None else str(scalar_text(value))
