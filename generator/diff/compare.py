"""The comparison of two specs: every rule family, operation by operation, then document-wide."""

from __future__ import annotations

from generator.diagnostics import SpecInputError
from generator.diff.change import Change, Comparison
from generator.diff.operations import compare_operation_facts, compare_operation_sets, operations_by_endpoint
from generator.diff.parameters import compare_parameters
from generator.diff.request_bodies import compare_request_bodies
from generator.diff.responses import compare_responses
from generator.diff.security import compare_operation_security, compare_security_schemes
from generator.diff.servers import compare_servers
from generator.load import Document
from generator.model import ModelError, SpecModel


def diff_documents(old: Document, new: Document) -> list[Change]:
    """Every change from `old` to `new`, sorted by place and rule; SpecInputError when a spec cannot be read."""
    comparison = Comparison(SpecModel(old), SpecModel(new))
    try:
        old_ops, new_ops = operations_by_endpoint(comparison.old), operations_by_endpoint(comparison.new)
        compare_operation_sets(comparison, old_ops, new_ops)
        for key in sorted(old_ops.keys() & new_ops.keys()):
            old_op, new_op = old_ops[key], new_ops[key]
            label = new_op.label
            compare_operation_facts(comparison, label, old_op, new_op)
            compare_operation_security(comparison, label, old_op, new_op)
            compare_parameters(comparison, label, old_op, new_op)
            compare_request_bodies(comparison, label, old_op, new_op)
            compare_responses(comparison, label, old_op, new_op)
        compare_servers(comparison)
        compare_security_schemes(comparison)
    except ModelError as exc:
        raise SpecInputError(exc.document.diagnostic(exc.pointer, "ref-resolves", str(exc))) from None
    return sorted(set(comparison.found))
