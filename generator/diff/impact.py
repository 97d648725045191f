"""What a change means for the generated SDK: the client methods whose signatures move."""

from __future__ import annotations

from generator.diff.rules import Change
from generator.ir import Api, build_api
from generator.load import Document
from generator.schemas import UnsupportedSchema


def sdk_impact(old: Document, new: Document, changes: list[Change]) -> dict[str, str]:
    """`METHOD /path` -> `client.<tag>.<method>()`, from the new spec (the old one for removals)."""
    if not changes:
        return {}
    methods: dict[str, str] = {}
    for document in (old, new):
        try:
            api: Api = build_api(document)
        except UnsupportedSchema:
            continue
        for group in api.groups:
            for op in group.operations:
                methods[f"{op.method.upper()} {op.path}"] = f"client.{group.attribute}.{op.python_name}()"
    return {c.operation: methods[c.operation] for c in changes if c.operation in methods}
