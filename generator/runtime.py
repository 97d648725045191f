"""The parameter codec generated packages ship (`templates/package/_codec.py`), for the generator's own use.

Loaded from the template itself, so docs, `verify` and generated code serialise parameters
with one implementation.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

from generator.freshness import TEMPLATES
from generator.model import Parameter

_NAME = "crm_codegen_codec"
_spec = importlib.util.spec_from_file_location(_NAME, TEMPLATES / "package" / "_codec.py")
assert _spec is not None and _spec.loader is not None
codec = importlib.util.module_from_spec(_spec)
sys.modules[_NAME] = codec  # dataclasses look their module up by name
_spec.loader.exec_module(codec)

Wire = codec.Wire
CodecError = codec.CodecError
MISSING = codec.MISSING
describe = codec.describe
encode = codec.encode
decode_path = codec.decode_path
decode_query = codec.decode_query
parse_query = codec.parse_query
scalar_text = codec.scalar_text


def wire_of(parameter: Parameter) -> Any:  # a codec `Wire` (the codec is loaded at run time)
    """How a documented parameter travels, as the codec takes it."""
    media = parameter.content_media_type
    return Wire(parameter.name, parameter.location, parameter.style, parameter.explode, parameter.shape,
                parameter.allow_reserved, media.name if media is not None else None)
