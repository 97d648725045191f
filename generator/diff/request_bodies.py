"""Request-body rules: a body added, removed, made required or optional, and its content."""

from __future__ import annotations

from generator.diff.change import Comparison
from generator.diff.content import compare_content
from generator.diff.registry import ERROR, INFO, rule
from generator.diff.schemas import Place
from generator.model import Operation

REQUEST_BODY_ADDED_REQUIRED = rule("request-body-added-required", (ERROR,), "a required request body added",
                                   "request bodies")
REQUEST_BODY_ADDED = rule("request-body-added", (INFO,), "an optional request body added", "request bodies")
REQUEST_BODY_REMOVED = rule("request-body-removed", (ERROR,),
                            "the request body removed (what clients send is no longer read)", "request bodies")
REQUEST_BODY_BECAME_REQUIRED = rule("request-body-became-required", (ERROR,), "the request body became required",
                                    "request bodies")
REQUEST_BODY_BECAME_OPTIONAL = rule("request-body-became-optional", (INFO,), "the request body became optional",
                                    "request bodies")


def compare_request_bodies(comparison: Comparison, label: str, old_op: Operation, new_op: Operation) -> None:
    old, new = old_op.request_body, new_op.request_body
    if old is None and new is None:
        return
    if old is None:
        assert new is not None
        if new.required:
            comparison.add(label, REQUEST_BODY_ADDED_REQUIRED, ERROR, "request body added (required)", new=new.pointer)
        else:
            comparison.add(label, REQUEST_BODY_ADDED, INFO, "request body added", new=new.pointer)
        return
    if new is None:
        comparison.add(label, REQUEST_BODY_REMOVED, ERROR, "request body removed", old=old.pointer)
        return
    if new.required and not old.required:
        comparison.add(label, REQUEST_BODY_BECAME_REQUIRED, ERROR, "request body became required",
                       old.pointer, new.pointer)
    elif old.required and not new.required:
        comparison.add(label, REQUEST_BODY_BECAME_OPTIONAL, INFO, "request body became optional",
                       old.pointer, new.pointer)
    compare_content(comparison, Place(label, comparison.direction(True), "request", "request"), old.content, new.content)
