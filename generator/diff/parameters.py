"""Parameter rules: added, removed, moved, required or optional, and their schemas.

Path parameters are matched by position (renaming `{id}` to `{petId}` is no change),
the others by location and name.
"""

from __future__ import annotations

from generator.diff import deprecation
from generator.diff.change import Comparison
from generator.diff.registry import ERROR, INFO, WARNING, rule
from generator.diff.schemas import Place, compare_schemas
from generator.model import Operation, Parameter

REQUIRED_PARAMETER_ADDED = rule("required-parameter-added", (ERROR,), "a required parameter added", "parameters")
OPTIONAL_PARAMETER_ADDED = rule("optional-parameter-added", (INFO,), "an optional parameter added", "parameters")
PARAMETER_REMOVED = rule("parameter-removed", (WARNING,),
                         "a parameter removed without being deprecated first (the server may reject it)",
                         "parameters")
PARAMETER_LOCATION_CHANGED = rule("parameter-location-changed", (ERROR,),
                                  "a parameter moved (for example from query to header)", "parameters")
PARAMETER_BECAME_REQUIRED = rule("parameter-became-required", (ERROR,), "a parameter became required", "parameters")
PARAMETER_BECAME_OPTIONAL = rule("parameter-became-optional", (INFO,), "a parameter became optional", "parameters")
PARAMETER_SERIALIZATION_CHANGED = rule("parameter-serialization-changed", (ERROR,),
                                       "a parameter's style or explode changed (the spec's defaults applied): "
                                       "the same value goes on the wire differently", "parameters")


def _by_key(operation: Operation) -> dict[tuple[str, str], Parameter]:
    result = {}
    path_index = 0
    for parameter in operation.parameters:
        name = parameter.name
        if parameter.location == "path":
            name, path_index = f"#{path_index}", path_index + 1
        result[(parameter.location, name)] = parameter
    return result


def compare_parameters(comparison: Comparison, label: str, old_op: Operation, new_op: Operation) -> None:
    old, new = _by_key(old_op), _by_key(new_op)
    moved = {name for (_, name) in old.keys() - new.keys()} & {name for (_, name) in new.keys() - old.keys()}
    for key in sorted(old.keys() - new.keys()):
        parameter = old[key]
        if key[1] in moved:
            new_location = next(loc for (loc, name) in new if name == key[1])
            comparison.add(label, PARAMETER_LOCATION_CHANGED, ERROR,
                           f"parameter {parameter.name!r} moved from {key[0]} to {new_location}", old=parameter.pointer)
        elif not deprecation.removal(comparison, deprecation.PARAMETER, label, parameter.raw,
                                     f"{key[0]} parameter {parameter.name!r}", parameter.pointer):
            comparison.add(label, PARAMETER_REMOVED, WARNING, f"{key[0]} parameter {parameter.name!r} removed",
                           old=parameter.pointer)
    for key in sorted(new.keys() - old.keys()):
        if key[1] in moved:
            continue
        parameter = new[key]
        if parameter.required:
            comparison.add(label, REQUIRED_PARAMETER_ADDED, ERROR,
                           f"required {key[0]} parameter {parameter.name!r} added", new=parameter.pointer)
        else:
            comparison.add(label, OPTIONAL_PARAMETER_ADDED, INFO,
                           f"optional {key[0]} parameter {parameter.name!r} added", new=parameter.pointer)
    for key in sorted(old.keys() & new.keys()):
        before, after = old[key], new[key]
        pointers = before.pointer, after.pointer
        if after.required and not before.required:
            comparison.add(label, PARAMETER_BECAME_REQUIRED, ERROR, f"parameter {after.name!r} became required",
                           *pointers)
        elif before.required and not after.required:
            comparison.add(label, PARAMETER_BECAME_OPTIONAL, INFO, f"parameter {after.name!r} became optional",
                           *pointers)
        if (before.style, before.explode) != (after.style, after.explode):  # old clients send the old form
            comparison.add(label, PARAMETER_SERIALIZATION_CHANGED, ERROR,
                           f"parameter {after.name!r} is serialised as style {after.style}, explode "
                           f"{str(after.explode).lower()} (was {before.style}, explode {str(before.explode).lower()})",
                           *pointers)
        deprecation.lifecycle(comparison, deprecation.PARAMETER, label, before.raw, after.raw,
                              f"parameter {after.name!r}", pointers)
        compare_schemas(comparison, Place(label, comparison.direction(True), "parameter", f"parameter {after.name!r}"),
                        before.value_schema, after.value_schema)
