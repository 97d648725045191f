"""Media-type rules: a request or response content type removed or added, and its schema compared."""

from __future__ import annotations

from generator.diff.change import Comparison
from generator.diff.registry import ERROR, INFO, rule
from generator.diff.schemas import Place, compare_schemas
from generator.model import MediaType

REQUEST_MEDIA_TYPE_REMOVED = rule("request-media-type-removed", (ERROR,),
                                  "a request content type the client sends is no longer accepted", "media types")
REQUEST_MEDIA_TYPE_ADDED = rule("request-media-type-added", (INFO,), "a request content type added", "media types")
RESPONSE_MEDIA_TYPE_REMOVED = rule("response-media-type-removed", (ERROR,),
                                   "a response content type removed", "media types")
RESPONSE_MEDIA_TYPE_ADDED = rule("response-media-type-added", (INFO,), "a response content type added",
                                 "media types")
_RULES = {"request": (REQUEST_MEDIA_TYPE_REMOVED, REQUEST_MEDIA_TYPE_ADDED),
          "response": (RESPONSE_MEDIA_TYPE_REMOVED, RESPONSE_MEDIA_TYPE_ADDED)}


def compare_content(comparison: Comparison, place: Place, old: dict[str, MediaType], new: dict[str, MediaType]) -> None:
    removed_rule, added_rule = _RULES[place.prefix]
    for media in sorted(old.keys() - new.keys()):
        comparison.add(place.label, removed_rule, ERROR, f"{place.what}: media type {media} removed",
                       old=old[media].pointer)
    for media in sorted(new.keys() - old.keys()):
        comparison.add(place.label, added_rule, INFO, f"{place.what}: media type {media} added",
                       new=new[media].pointer)
    for media in sorted(old.keys() & new.keys()):
        compare_schemas(comparison, place, old[media].schema, new[media].schema)
