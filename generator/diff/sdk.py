"""SDK-level changes: does code written against the previously generated SDK still work with the new one?

`sdk_changes(old, new)` compares what the generator makes of two specs (`generator.ir`): client
methods (`client.<group>.<method>`), their keyword arguments, body and return annotations, and the
component models with their fields. Each `SdkChange` has a level (error: existing calls or
attribute reads break; warning: type checkers may complain; info: additions) and the spec pointers
it stems from. `judge(changes, sdk)` gives each wire change its SDK level and SDK names, and turns
SDK changes no wire change accounts for (a renamed path parameter, a renamed component) into changes
of their own. Reusable for semantic-version bumps of generated packages: the highest level decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable

from generator.diff.change import Change

from generator.diff.registry import ERROR, INFO, WARNING, rule
from generator.ir import ClientSurface, Operation, client_surface
from generator.load import Document, split_pointer
from generator.model import Operation as SpecOperation
from generator.model import Schema, SpecModel, normalise_path
from generator.schemas import UnsupportedSchema

_RANK = {"": -1, INFO: 0, WARNING: 1, ERROR: 2}
_COMPONENT = re.compile(r"^/components/schemas/([^/]+)")
_SIGNATURE_KEYS = ("parameters", "requestBody", "responses")  # what a generated method's signature follows

KINDS = {
    "method-removed": (ERROR, "a client method removed"),
    "method-renamed": (ERROR, "a client method renamed (its operationId changed)"),
    "method-added": (INFO, "a client method added"),
    "argument-removed": (ERROR, "a keyword argument removed or renamed"),
    "argument-added-required": (ERROR, "a required argument added"),
    "argument-added": (INFO, "an optional keyword argument added"),
    "argument-became-required": (ERROR, "an argument became required"),
    "argument-became-optional": (INFO, "an argument became optional"),
    "argument-type-changed": (WARNING, "an argument's annotation changed (error when narrowed)"),
    "body-type-changed": (WARNING, "the body argument's annotation changed (error when narrowed)"),
    "return-type-changed": (WARNING, "the return annotation changed"),
    "model-removed": (ERROR, "a model class removed"),
    "model-renamed": (ERROR, "a model class renamed"),
    "field-removed": (ERROR, "a model field removed"),
    "field-became-required": (ERROR, "a model field became required (constructors need it)"),
    "field-became-optional": (WARNING, "a model field became optional (its type gains None)"),
    "field-type-changed": (WARNING, "a model field's type changed (error when narrowed)"),
}
# SDK changes no wire change accounts for are reported under these ids, at wire level info.
SDK_RULES = {kind: rule(f"sdk-{kind}", (INFO,), f"SDK only: {text}", "sdk") for kind, (_, text) in KINDS.items()}


@dataclass(frozen=True, order=True)
class SdkChange:
    """One change to the generated SDK's surface."""

    operation: str  # `GET /pets` for method-level changes, `components` for models
    kind: str  # a key of KINDS
    level: str
    target: str  # e.g. `client.pets.get_pet(fields=)` or `models.Pet.name`
    message: str
    pointers: frozenset[tuple[str, str]] = frozenset()  # ("old" | "new", pointer) of the spec elements behind it


@dataclass
class SdkReport:
    changes: list[SdkChange]
    calls: dict[str, str]  # operation label -> "client.<group>.<method>" (new spec's name over old's)
    models: dict[str, str]  # component key -> model class


def sdk_changes(old: Document, new: Document) -> SdkReport:
    """Every SDK-level change from `old` to `new`; none when either spec cannot be generated."""
    old_model, new_model = SpecModel(old), SpecModel(new)
    old_ops = {_endpoint(op.method, op.path): op for op in old_model.operations}
    new_ops = {_endpoint(op.method, op.path): op for op in new_model.operations}

    def differs(other: dict[tuple[str, str], SpecOperation]) -> Callable[[SpecOperation], bool]:
        """Only an operation in both specs whose parameters, body or responses are written differently can
        change its signature: annotations name models by component, and `_models` compares those."""
        def wanted(op: SpecOperation) -> bool:
            twin = other.get(_endpoint(op.method, op.path))
            return twin is not None and (any(twin.raw.get(key) != op.raw.get(key) for key in _SIGNATURE_KEYS)
                                         or twin.path_item.get("parameters") != op.path_item.get("parameters"))
        return wanted

    try:
        before = client_surface(old, differs(new_ops))
        after = client_surface(new, differs(old_ops))
    except UnsupportedSchema:
        return SdkReport([], {}, {})
    changes = _methods(before, after, old_ops, new_ops) + _models(before, after, old_model, new_model)
    calls = {f"{m.upper()} {p}": call for surface in (before, after) for (m, p), call in surface.calls.items()}
    return SdkReport(sorted(changes), calls, {**before.component_models, **after.component_models})


Operations = dict[tuple[str, str], SpecOperation]


def _methods(before: ClientSurface, after: ClientSurface, old_ops: Operations, new_ops: Operations) -> list[SdkChange]:
    found: list[SdkChange] = []
    built_old = {_endpoint(op.method, op.path): op for op in before.operations}
    built_new = {_endpoint(op.method, op.path): op for op in after.operations}
    old_calls, new_calls = _calls(before), _calls(after)
    for key in sorted(old_calls.keys() | new_calls.keys()):
        label = (new_ops.get(key) or old_ops[key]).label
        old_call, new_call = old_calls.get(key), new_calls.get(key)
        pointers = _sides(getattr(old_ops.get(key), "pointer", ""), getattr(new_ops.get(key), "pointer", ""))
        if new_call is None:
            found.append(SdkChange(label, "method-removed", ERROR, f"{old_call}()", f"{old_call}() removed", pointers))
        elif old_call is None:
            found.append(SdkChange(label, "method-added", INFO, f"{new_call}()", f"{new_call}() added", pointers))
        elif old_call != new_call:
            found.append(SdkChange(label, "method-renamed", ERROR, f"{old_call}()",
                                   f"{old_call}() became {new_call}()", pointers))
        if key in built_old and key in built_new:
            found += _signature(label, new_call or "", built_old[key], built_new[key], old_ops[key], new_ops[key])
    return found


def _signature(label: str, call: str, old: Operation, new: Operation, old_spec: SpecOperation,
               new_spec: SpecOperation) -> list[SdkChange]:
    found: list[SdkChange] = []
    old_params, new_params = _by_key(old.parameters), _by_key(new.parameters)
    old_pointers = {key: p.pointer for key, p in _by_key(old_spec.parameters).items()}
    new_pointers = {key: p.pointer for key, p in _by_key(new_spec.parameters).items()}

    def add(kind: str, level: str, argument: str, message: str, *keys: tuple[str, str]) -> None:
        pointers = frozenset().union(*(_sides(old_pointers.get(k, ""), new_pointers.get(k, "")) for k in keys))
        found.append(SdkChange(label, kind, level, f"{call}({argument}=)", f"{call}(): {message}", pointers))

    for key in sorted(old_params.keys() - new_params.keys()):
        name = old_params[key].python_name
        add("argument-removed", ERROR, name, f"argument {name!r} removed", key)
    for key in sorted(new_params.keys() - old_params.keys()):
        param = new_params[key]
        if param.required:
            add("argument-added-required", ERROR, param.python_name, f"required argument {param.python_name!r} added", key)
        else:
            add("argument-added", INFO, param.python_name, f"optional argument {param.python_name!r} added", key)
    for key in sorted(old_params.keys() & new_params.keys()):
        was, now = old_params[key], new_params[key]
        if was.python_name != now.python_name:
            add("argument-removed", ERROR, was.python_name,
                f"argument {was.python_name!r} became {now.python_name!r}", key)
        if now.required and not was.required:
            add("argument-became-required", ERROR, now.python_name, f"argument {now.python_name!r} became required", key)
        elif was.required and not now.required:
            add("argument-became-optional", INFO, now.python_name, f"argument {now.python_name!r} became optional", key)
        if was.annotation != now.annotation:
            add("argument-type-changed", ERROR if narrowed(was.annotation, now.annotation) else WARNING,
                now.python_name, f"{now.python_name}: {was.annotation} became {now.annotation}", key)
    old_body, new_body = old.body.annotation if old.body else None, new.body.annotation if new.body else None
    if old_body != new_body and old_body and new_body:
        found.append(SdkChange(label, "body-type-changed", ERROR if narrowed(old_body, new_body) else WARNING,
                               f"{call}(body=)", f"{call}(): body {old_body} became {new_body}",
                               _sides(old_spec.pointer, new_spec.pointer)))
    if old.success_annotation != new.success_annotation:
        found.append(SdkChange(label, "return-type-changed", WARNING, f"{call}()",
                               f"{call}() returns {new.success_annotation} (was {old.success_annotation})",
                               _sides(old_spec.pointer, new_spec.pointer)))
    return found


def _endpoint(method: str, path: str) -> tuple[str, str]:
    """Operations are the same endpoint when method and path template match (parameter names aside), as on the wire."""
    return method, normalise_path(path)


def _calls(surface: ClientSurface) -> dict[tuple[str, str], str]:
    return {_endpoint(method, path): call for (method, path), call in surface.calls.items()}


def _by_key(parameters: list[Any]) -> dict[tuple[str, str], Any]:
    """Parameters by (location, name); path parameters by position, as the wire rules match them."""
    result, index = {}, 0
    for parameter in parameters:
        if parameter.location == "path":
            result[("path", f"#{index}")] = parameter
            index += 1
        else:
            result[(parameter.location, parameter.name)] = parameter
    return result


def _sides(old: str, new: str) -> frozenset[tuple[str, str]]:
    """Pointers tagged with the spec they are in (the same pointer may name different things in each)."""
    return frozenset(side for side in (("old", old), ("new", new)) if side[1])


def narrowed(old: str, new: str) -> bool:
    """An annotation narrowed: some member of the old union is not in the new one."""
    return not set(_members(old)) <= set(_members(new))


def _members(annotation: str) -> list[str]:
    return [part.strip() for part in annotation.split("|")]


def _models(before: ClientSurface, after: ClientSurface, old: SpecModel, new: SpecModel) -> list[SdkChange]:
    found: list[SdkChange] = []
    old_schemas, new_schemas = old.schemas, new.schemas
    for key in sorted(old_schemas.keys() | new_schemas.keys()):
        old_class, new_class = before.component_models.get(key), after.component_models.get(key)
        if old_class is None or new_class is None:
            if old_class is not None:
                found.append(SdkChange("components", "model-removed", ERROR, f"models.{old_class}",
                                       f"models.{old_class} removed", _sides(old_schemas[key].pointer, "")))
            continue
        if old_class != new_class:
            found.append(SdkChange("components", "model-renamed", ERROR, f"models.{old_class}",
                                   f"models.{old_class} became models.{new_class}",
                                   _sides(old_schemas[key].pointer, new_schemas[key].pointer)))
        if old_schemas[key].raw != new_schemas[key].raw:
            found += _fields(new_class, old_schemas[key], new_schemas[key])
    return found


def _fields(model: str, old: Schema, new: Schema) -> list[SdkChange]:
    found: list[SdkChange] = []
    old_props, new_props = old.properties, new.properties
    for name in sorted(old_props.keys() - new_props.keys()):
        found.append(SdkChange("components", "field-removed", ERROR, f"models.{model}.{name}",
                               f"models.{model}.{name} removed", _sides(old_props[name].pointer, "")))
    for name in sorted(old_props.keys() & new_props.keys()):
        was, now = old_props[name], new_props[name]
        pointers = _sides(was.pointer, now.pointer)
        target = f"models.{model}.{name}"
        if name in new.required and name not in old.required:
            found.append(SdkChange("components", "field-became-required", ERROR, target, f"{target} became required",
                                   pointers))
        elif name in old.required and name not in new.required:
            found.append(SdkChange("components", "field-became-optional", WARNING, target,
                                   f"{target} became optional", pointers))
        before, after = was.declared_types, now.declared_types
        if before != after and before and after:
            level = ERROR if not before <= after and not after <= before else WARNING
            found.append(SdkChange("components", "field-type-changed", level, target,
                                   f"{target}: {'|'.join(sorted(before))} became {'|'.join(sorted(after))}", pointers))
    return found


def judge(changes: list[Change], report: SdkReport) -> list[Change]:
    """Each wire change with its SDK level and names; unmatched SDK changes as `sdk-*` changes of their own."""
    sdk = report.changes
    by_pointer: dict[tuple[str, str], list[SdkChange]] = {}
    for item in sdk:
        for pointer in item.pointers:
            by_pointer.setdefault(pointer, []).append(item)
    used: set[SdkChange] = set()
    judged = []
    for change in changes:
        matched = sorted({s for side in _sides(change.old_pointer, change.new_pointer) for s in _at_or_above(by_pointer,
                                                                                                          side)
                          if s.operation in (change.operation, "components")})
        used.update(matched)
        level = max((s.level for s in matched), key=_RANK.__getitem__, default=INFO)
        names = [s.target for s in matched] or _names(change, report)
        judged.append(replace(change, sdk_level=level, sdk=", ".join(dict.fromkeys(names))))
    for item in sorted(set(sdk) - used):
        if item.kind == "method-added":
            continue  # the wire change operation-added already says so
        judged.append(Change(item.operation, SDK_RULES[item.kind].id, INFO, item.message,
                             sdk_level=item.level, sdk=item.target))
    return sorted(judged)


def _at_or_above(by_pointer: dict[tuple[str, str], list[SdkChange]], side: tuple[str, str]) -> list[SdkChange]:
    """SDK changes of the element at a pointer, and of arguments and fields the pointer lies inside."""
    found = list(by_pointer.get(side, []))
    which, pointer = side
    while "/" in pointer:
        pointer = pointer.rsplit("/", 1)[0]
        found += [s for s in by_pointer.get((which, pointer), []) if s.kind.startswith(("argument-", "field-"))]
    return found


def _names(change: Change, report: SdkReport) -> list[str]:
    """The SDK names a change touches without changing them: its method, the model its pointer lies in."""
    names = [f"{report.calls[change.operation]}()"] if change.operation in report.calls else []
    for pointer in (change.new_pointer, change.old_pointer):
        match = _COMPONENT.match(pointer)
        if match and split_pointer(match.group(0))[-1] in report.models:
            names.append("models." + report.models[split_pointer(match.group(0))[-1]])
            break
    return names

