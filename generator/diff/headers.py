"""Response-header rules: a header removed, added, made optional or required, and its schema.

Header names are compared ignoring case (HTTP's rule). A client may rely on a required header,
so removing it or making it optional breaks; an optional one it must already do without.
"""

from __future__ import annotations

from generator.diff.change import Comparison
from generator.diff.registry import ERROR, INFO, WARNING, rule
from generator.diff.schemas import Place, compare_schemas
from generator.model import Header, Response, Schema

RESPONSE_HEADER_REMOVED = rule("response-header-removed", (ERROR, WARNING),
                               "a response header removed (error when it was required)", "response headers")
RESPONSE_HEADER_ADDED = rule("response-header-added", (INFO,), "a response header added", "response headers")
RESPONSE_HEADER_BECAME_OPTIONAL = rule("response-header-became-optional", (ERROR,),
                                       "a required response header became optional", "response headers")
RESPONSE_HEADER_BECAME_REQUIRED = rule("response-header-became-required", (INFO,),
                                       "a response header became required", "response headers")


def _by_name(response: Response) -> dict[str, Header]:
    return {name.lower(): header for name, header in response.headers.items()}


def compare_headers(comparison: Comparison, label: str, status: str, old: Response, new: Response) -> None:
    before, after = _by_name(old), _by_name(new)
    for key in sorted(before.keys() - after.keys()):
        header = before[key]
        comparison.add(label, RESPONSE_HEADER_REMOVED, ERROR if header.required else WARNING,
                       f"response {status}: {'required ' if header.required else ''}header {header.name!r} removed",
                       old=header.pointer)
    for key in sorted(after.keys() - before.keys()):
        header = after[key]
        comparison.add(label, RESPONSE_HEADER_ADDED, INFO, f"response {status}: header {header.name!r} added",
                       new=header.pointer)
    for key in sorted(before.keys() & after.keys()):
        was, now = before[key], after[key]
        pointers = was.pointer, now.pointer
        if was.required and not now.required:
            comparison.add(label, RESPONSE_HEADER_BECAME_OPTIONAL, ERROR,
                           f"response {status}: header {now.name!r} is no longer required", *pointers)
        elif now.required and not was.required:
            comparison.add(label, RESPONSE_HEADER_BECAME_REQUIRED, INFO,
                           f"response {status}: header {now.name!r} became required", *pointers)
        place = Place(label, comparison.direction(False), "response-header", f"response {status} header {now.name!r}")
        compare_schemas(comparison, place, _schema(was), _schema(now))


def _schema(header: Header) -> Schema | None:
    if header.schema is not None:
        return header.schema
    media = next(iter(header.content.values()), None)
    return media.schema if media is not None else None
