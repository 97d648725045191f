"""Operation rules: operations (paths, webhooks, callbacks) matched by method and path template; removed
(by their sunset), added, renamed, deprecated, and their stability."""

from __future__ import annotations

from generator.diff import deprecation
from generator.diff.change import Comparison
from generator.diff.registry import ERROR, INFO, WARNING, rule
from generator.model import Operation, normalise_path

OPERATION_REMOVED = rule("operation-removed", (ERROR,), "an operation removed without being deprecated first",
                         "operations")
OPERATION_ADDED = rule("operation-added", (INFO,), "an operation added", "operations")
OPERATION_ID_CHANGED = rule("operation-id-changed", (WARNING,),
                            "the operationId changed (generated method names follow it)", "operations")
OPERATION_TAG_CHANGED = rule("operation-tag-changed", (WARNING,),
                             "the operation's first tag changed (the generated client groups methods by it)",
                             "operations")


def operations_by_endpoint(operations: list[Operation]) -> dict[tuple[str, str], Operation]:
    """Operations keyed by (method, path template with parameter names erased)."""
    return {(op.method, normalise_path(op.path)): op for op in operations}


def label(op: Operation, owner: str = "") -> str:
    """How a change names an operation: `GET /pets`, `webhook newPet POST`, `POST /subscribe callback … POST`."""
    if op.section == "webhooks":
        return f"webhook {op.path} {op.method.upper()}"
    if op.section == "callbacks":
        return f"{owner} callback {op.path} {op.method.upper()}"
    return op.label


def compare_operation_sets(comparison: Comparison, old: dict[tuple[str, str], Operation],
                           new: dict[tuple[str, str], Operation], owner: str = "") -> None:
    for key in sorted(old.keys() - new.keys()):
        op = old[key]
        where = label(op, owner)
        if deprecation.unchecked(op.raw):
            continue
        if not deprecation.removal(comparison, deprecation.OPERATION, where, op.raw, "operation", op.pointer):
            comparison.add(where, OPERATION_REMOVED, ERROR, "operation removed", old=op.pointer)
    for key in sorted(new.keys() - old.keys()):
        comparison.add(label(new[key], owner), OPERATION_ADDED, INFO, "operation added", new=new[key].pointer)


def compare_operation_facts(comparison: Comparison, where: str, old: Operation, new: Operation) -> None:
    pointers = old.pointer, new.pointer
    if old.operation_id != new.operation_id:
        comparison.add(where, OPERATION_ID_CHANGED, WARNING,
                       f"operationId {old.operation_id!r} became {new.operation_id!r} "
                       "(generated method names follow it)", *pointers)
    if (old.tags or ["default"])[0] != (new.tags or ["default"])[0]:
        comparison.add(where, OPERATION_TAG_CHANGED, WARNING, f"tags {old.tags} became {new.tags} "
                       "(the generated method moves to another client namespace)", *pointers)
    deprecation.lifecycle(comparison, deprecation.OPERATION, where, old.raw, new.raw, "operation", pointers)
    deprecation.compare_stability(comparison, where, old.raw, new.raw, pointers)
