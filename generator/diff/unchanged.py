"""Proving two schemas identical without comparing them rule by rule: what makes `diff` fast on large specs.

Two schema nodes are unchanged when they are equal as written and every local `$ref` they contain
points at a node that is itself unchanged (followed transitively, cycles allowed). A reference to
another file is never proven unchanged, so such schemas are always compared in full.
"""

from __future__ import annotations

from typing import Any

from generator.load import split_pointer
from generator.model import Schema, SpecModel

_MISSING = object()


class Unchanged:
    def __init__(self, old: SpecModel, new: SpecModel):
        self.old, self.new = old, new
        self._refs: dict[int, frozenset[str] | None] = {}
        self._clean: dict[str, bool] = {}

    def __call__(self, old: Schema, new: Schema) -> bool:
        if old.document is not self.old.document or new.document is not self.new.document:
            return False
        return self.nodes(old.raw, new.raw)

    def nodes(self, old: Any, new: Any) -> bool:
        """Two nodes of the root documents (an operation, a path item) are equal and reach only unchanged refs."""
        if old != new:
            return False
        refs = self._refs_in(old)
        return refs is not None and all(self._ref_clean(ref) for ref in refs)

    def _refs_in(self, node: Any) -> frozenset[str] | None:
        """The local `$ref`s written inside a node; None when one points at another file."""
        key = id(node)
        if key not in self._refs:
            found: set[str] = set()
            stack = [node]
            local = True
            while stack and local:
                value = stack.pop()
                if isinstance(value, dict):
                    ref = value.get("$ref")
                    if isinstance(ref, str):
                        local = ref.startswith("#")
                        found.add(ref)
                    stack.extend(value.values())
                elif isinstance(value, list):
                    stack.extend(value)
            self._refs[key] = frozenset(found) if local else None
        return self._refs[key]

    def _ref_clean(self, ref: str) -> bool:
        """Every node reachable from `ref` is equal in both specs; a clean answer holds for all of them."""
        if ref in self._clean:
            return self._clean[ref]
        visited: set[str] = set()
        stack = [ref]
        clean = True
        while stack and clean:
            current = stack.pop()
            if current in visited or self._clean.get(current) is True:
                continue
            visited.add(current)
            old, new = _at(self.old.data, current), _at(self.new.data, current)
            refs = self._refs_in(old) if old is not _MISSING and old == new else None
            if refs is None or self._clean.get(current) is False:
                clean = False
            else:
                stack.extend(refs)
        for reached in visited if clean else (ref,):
            self._clean[reached] = clean
        return clean


def _at(data: Any, ref: str) -> Any:
    node = data
    for part in split_pointer(ref[1:]):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node
