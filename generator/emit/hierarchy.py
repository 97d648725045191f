"""Class hierarchies Python can linearise.

datamodel-code-generator turns each `allOf` of `$ref`s into base classes, in the order the
spec lists them. `allOf` is unordered, but Python's method resolution order (C3) is not:
parents listed in opposite orders (A: [X, Y], B: [Y, X], C: [A, B]) give a module that
fails at import. Such models are found here, on the generated code, and merged: their
`allOf` folded into one object schema, so they inherit nothing and conflict with nothing.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

from generator.load import Document
from generator.model import SpecModel


def unlinearisable(code: str) -> list[str]:
    """The classes of a module whose bases admit no method resolution order, sorted."""
    classes = [node for node in ast.parse(code).body if isinstance(node, ast.ClassDef)]
    bases = {node.name: [b.id for b in node.bases if isinstance(b, ast.Name)] for node in classes}
    orders: dict[str, list[str] | None] = {}

    def order(name: str) -> list[str] | None:
        if name not in orders:
            orders[name] = None  # a class that (through its bases) contains itself has none
            local = [base for base in bases.get(name, []) if base in bases]
            parents = [order(base) for base in local]
            orders[name] = None if None in parents else _c3(name, [*parents, local])  # type: ignore[list-item]
        return orders[name]

    return sorted(name for name in bases if order(name) is None)


def _c3(name: str, sequences: list[list[str]]) -> list[str] | None:
    """C3 linearisation of `name` over its parents' orders and its list of bases; None if none exists."""
    sequences = [list(sequence) for sequence in sequences if sequence]
    result = [name]
    while sequences:
        head = next((s[0] for s in sequences if not any(s[0] in other[1:] for other in sequences)), None)
        if head is None:
            return None
        result.append(head)
        sequences = [rest for rest in ([x for x in s if x != head] for s in sequences) if rest]
    return result


def merge_all_of(document: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The models document with each named schema's `allOf` folded into a single object schema."""
    result = copy.deepcopy(document)
    spec = SpecModel(Document(Path("models"), "", copy.deepcopy(document), is_json=True))
    schemas = result["components"]["schemas"]
    for name in names:
        chain = spec.schemas[name].all_of_chain
        properties: dict[str, Any] = {}
        for member in chain:
            properties.update(copy.deepcopy(member.get("properties") or {}))  # as written: `$ref`s kept
        required = list(dict.fromkeys(n for member in chain for n in member.required_here))
        merged = {key: value for key, value in schemas[name].items() if key != "allOf"}
        merged.update(type="object", properties=properties)
        if required:
            merged["required"] = required
        schemas[name] = merged
    return result
