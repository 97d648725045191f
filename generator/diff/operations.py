"""Operation rules: operations matched by method and path template, removed, added, renamed, deprecated."""

from __future__ import annotations

from generator.diff.change import Comparison
from generator.diff.registry import ERROR, INFO, WARNING, rule
from generator.model import Operation, SpecModel, normalise_path

OPERATION_REMOVED = rule("operation-removed", (ERROR,), "an operation removed", "operations")
OPERATION_ADDED = rule("operation-added", (INFO,), "an operation added", "operations")
OPERATION_ID_CHANGED = rule("operation-id-changed", (WARNING,),
                            "the operationId changed (generated method names follow it)", "operations")
OPERATION_DEPRECATED = rule("operation-deprecated", (WARNING,), "an operation became deprecated", "operations")
OPERATION_TAG_CHANGED = rule("operation-tag-changed", (WARNING,),
                             "the operation's first tag changed (the generated client groups methods by it)",
                             "operations")


def operations_by_endpoint(spec: SpecModel) -> dict[tuple[str, str], Operation]:
    """Operations keyed by (method, path template with parameter names erased)."""
    return {(op.method, normalise_path(op.path)): op for op in spec.operations}


def compare_operation_sets(comparison: Comparison, old: dict[tuple[str, str], Operation],
                           new: dict[tuple[str, str], Operation]) -> None:
    for key in sorted(old.keys() - new.keys()):
        comparison.add(old[key].label, OPERATION_REMOVED, ERROR, "operation removed", old=old[key].pointer)
    for key in sorted(new.keys() - old.keys()):
        comparison.add(new[key].label, OPERATION_ADDED, INFO, "operation added", new=new[key].pointer)


def compare_operation_facts(comparison: Comparison, label: str, old: Operation, new: Operation) -> None:
    if old.operation_id != new.operation_id:
        comparison.add(label, OPERATION_ID_CHANGED, WARNING,
                       f"operationId {old.operation_id!r} became {new.operation_id!r} "
                       "(generated method names follow it)", old.pointer, new.pointer)
    if (old.tags or ["default"])[0] != (new.tags or ["default"])[0]:
        comparison.add(label, OPERATION_TAG_CHANGED, WARNING, f"tags {old.tags} became {new.tags} "
                       "(the generated method moves to another client namespace)", old.pointer, new.pointer)
    if new.deprecated and not old.deprecated:
        comparison.add(label, OPERATION_DEPRECATED, WARNING, "operation deprecated", old.pointer, new.pointer)
