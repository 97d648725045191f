"""What a change means for the generated SDK: the client methods and models whose signatures move."""

from __future__ import annotations

import re

from generator.diff.rules import Change
from generator.ir import build_api
from generator.load import Document
from generator.naming import pascal_case
from generator.schemas import UnsupportedSchema

_COMPONENT = re.compile(r"^/components/schemas/([^/]+)")


def sdk_impact(old: Document, new: Document, changes: list[Change]) -> dict[Change, str]:
    """For each change: `client.<tag>.<method>()` of its operation and `models.<Name>` of its component schema.

    Methods come from the new spec (the old one for removals); model names follow the generator's naming.
    """
    if not changes:
        return {}
    methods: dict[str, str] = {}
    for document in (old, new):
        try:
            api = build_api(document)
        except UnsupportedSchema:
            continue
        for group in api.groups:
            for op in group.operations:
                methods[f"{op.method.upper()} {op.path}"] = f"client.{group.attribute}.{op.python_name}()"
    impact = {}
    for change in changes:
        names = [methods[change.operation]] if change.operation in methods else []
        for pointer in (change.new_pointer, change.old_pointer):
            match = _COMPONENT.match(pointer)
            if match:
                names.append("models." + pascal_case(match.group(1).replace("~1", "/").replace("~0", "~")))
                break
        if names:
            impact[change] = ", ".join(names)
    return impact
