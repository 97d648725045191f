"""The resolved spec model every stage reads: see `api.SpecModel` and `schema.Schema`."""

from generator.model.api import (
    HTTP_METHODS,
    Header,
    MediaType,
    ModelError,
    Operation,
    Parameter,
    RequestBody,
    Response,
    SecurityScheme,
    Server,
    SpecModel,
    choose_media_type,
    lookup_response,
    match_media_type,
    media_kind,
    normalise_path,
)
from generator.model.schema import Schema, schema_types

__all__ = [
    "HTTP_METHODS", "Header", "MediaType", "ModelError", "Operation", "Parameter", "RequestBody", "Response",
    "Schema", "SecurityScheme", "Server", "SpecModel", "choose_media_type", "lookup_response", "match_media_type", "media_kind",
    "normalise_path", "schema_types",
]
