"""What a change means for the generated SDK: the client methods and models whose signatures move."""

from __future__ import annotations

import re

from generator.diff.change import Change
from generator.ir import build_api
from generator.load import Document, split_pointer
from generator.schemas import UnsupportedSchema

_COMPONENT = re.compile(r"^/components/schemas/([^/]+)")


def sdk_impact(old: Document, new: Document, changes: list[Change]) -> dict[Change, str]:
    """For each change: `client.<tag>.<method>()` of its operation and `models.<Name>` of its component schema.

    Methods and models come from the new spec (the old one for removals), named as the generator names them.
    """
    if not changes:
        return {}
    methods: dict[str, str] = {}
    models: dict[str, str] = {}
    for document in (old, new):
        try:
            api = build_api(document)
        except UnsupportedSchema:
            continue
        models.update(api.component_models)
        for group in api.groups:
            for op in group.operations:
                methods[f"{op.method.upper()} {op.path}"] = f"client.{group.attribute}.{op.python_name}()"
    impact = {}
    for change in changes:
        names = [methods[change.operation]] if change.operation in methods else []
        for pointer in (change.new_pointer, change.old_pointer):
            match = _COMPONENT.match(pointer)
            if match and split_pointer(match.group(0))[-1] in models:
                names.append("models." + models[split_pointer(match.group(0))[-1]])
                break
        if names:
            impact[change] = ", ".join(names)
    return impact
