"""The comparison of two specs: every rule family, operation by operation (paths, webhooks, callbacks),
then document-wide."""

from __future__ import annotations

from generator.diagnostics import SpecInputError
from generator.diff import deprecation
from generator.diff.change import Change, Comparison, Policy
from generator.diff.operations import compare_operation_facts, compare_operation_sets, label, operations_by_endpoint
from generator.diff.parameters import compare_parameters
from generator.diff.request_bodies import compare_request_bodies
from generator.diff.responses import compare_responses
from generator.diff.security import compare_operation_security, compare_security_schemes
from generator.diff.servers import compare_servers
from generator.load import Document
from generator.model import ModelError, Operation, SpecModel


def diff_documents(old: Document, new: Document, policy: Policy | None = None) -> list[Change]:
    """Every change from `old` to `new`, sorted by place and rule; SpecInputError when a spec cannot be read."""
    comparison = Comparison(SpecModel(old), SpecModel(new), policy or Policy())
    try:
        _compare_operations(comparison, comparison.old.operations, comparison.new.operations)
        comparison.reverse = True  # the API sends a webhook's request and the client answers it
        _compare_operations(comparison, comparison.old.webhooks, comparison.new.webhooks)
        comparison.reverse = False
        compare_servers(comparison)
        compare_security_schemes(comparison)
    except ModelError as exc:
        raise SpecInputError(exc.document.diagnostic(exc.pointer, "ref-resolves", str(exc))) from None
    return sorted(set(comparison.found))


def _compare_operations(comparison: Comparison, old: list[Operation], new: list[Operation], owner: str = "") -> None:
    old_ops, new_ops = operations_by_endpoint(old), operations_by_endpoint(new)
    compare_operation_sets(comparison, old_ops, new_ops, owner)
    for key in sorted(old_ops.keys() & new_ops.keys()):
        old_op, new_op = old_ops[key], new_ops[key]
        where = label(new_op, owner)
        compare_operation_facts(comparison, where, old_op, new_op)
        if deprecation.unchecked(old_op.raw) and deprecation.unchecked(new_op.raw):
            continue
        compare_operation_security(comparison, where, old_op, new_op)  # may follow the document's security
        if comparison.unchanged_operation(old_op, new_op):
            continue
        compare_parameters(comparison, where, old_op, new_op)
        compare_request_bodies(comparison, where, old_op, new_op)
        compare_responses(comparison, where, old_op, new_op)
        _compare_callbacks(comparison, where, old_op, new_op)


def _compare_callbacks(comparison: Comparison, where: str, old_op: Operation, new_op: Operation) -> None:
    """Callbacks compared like operations, the roles swapped (the API calls the client)."""
    old_callbacks, new_callbacks = old_op.callbacks, new_op.callbacks
    if not old_callbacks and not new_callbacks:
        return
    reverse = comparison.reverse
    comparison.reverse = not reverse
    for name in sorted(old_callbacks.keys() | new_callbacks.keys()):
        _compare_operations(comparison, old_callbacks.get(name, []), new_callbacks.get(name, []), f"{where} {name}")
    comparison.reverse = reverse
