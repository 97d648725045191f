"""`$ref` resolution across a root document and the files it refers to."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, TypeVar

from generator.diagnostics import SpecInputError
from generator.load import Document, join_pointer, load_document, split_pointer


P = TypeVar("P", str, None)


class RefError(Exception):
    """A `$ref` that does not resolve; the message says why."""


class RefCycleError(RefError):
    """A chain of bare `$ref`s that loops; `members` are the (file, pointer)s on the loop."""

    def __init__(self, message: str, members: set[tuple[Path, str]]):
        super().__init__(message)
        self.members = members


class Resolver:
    """Resolves `$ref` strings relative to the document they appear in, loading files once.

    Every object of a referenced file is remembered with its file and pointer, so a node
    reached through a `$ref` keeps its base: `where` tells a caller that lost track.
    """

    def __init__(self, root: Document):
        self.root = root
        self.documents: dict[Path, Document] = {root.path.resolve(): root}
        self._owners: dict[int, tuple[Document, str]] = {}
        self._anchors: dict[Path, dict[str, str]] = {}

    def where(self, node: Any, document: Document, pointer: P) -> tuple[Document, P | str]:
        """The document and pointer of `node`: its own file's when it came from one, else as given."""
        return self._owners.get(id(node), (document, pointer))

    def resolve(self, ref: str, base: Document) -> tuple[Document, str, Any]:
        """The document, JSON pointer and value a `$ref` found in `base` points at."""
        if not isinstance(ref, str):
            raise RefError("$ref must be a string")
        target, _, fragment = ref.partition("#")
        if "://" in target:
            raise RefError(f"remote $ref {ref!r} is not supported; download the file and refer to it relatively")
        document = self._document(target, base) if target else base
        pointer = fragment or ""
        if pointer and not pointer.startswith("/"):
            pointer = self._anchor(document, pointer, ref)
        try:
            return document, pointer, pointer_value(document.data, pointer)
        except LookupError:
            where = f" in {document.name}" if target else ""
            raise RefError(f"$ref {ref!r} does not resolve: no {pointer or '/'}{where}") from None

    def resolve_chain(self, node: Any, base: Document, pointer: str) -> tuple[Document, str, Any]:
        """Follow `$ref` after `$ref` to the first node that is not a bare reference."""
        chain = [(base.path, pointer)]
        while isinstance(node, dict) and "$ref" in node:
            base, pointer, node = self.resolve(node["$ref"], base)
            if (base.path, pointer) in chain:
                members = set(chain[chain.index((base.path, pointer)) :])
                message = f"$ref cycle: {pointer or '/'} refers back to itself through $refs only"
                raise RefCycleError(message, members)
            chain.append((base.path, pointer))
        return base, pointer, node

    def _document(self, target: str, base: Document) -> Document:
        path = (base.path.parent / target).resolve()
        if path not in self.documents:
            if not path.is_file():
                raise RefError(f"$ref file {target!r} does not exist")
            try:
                self.documents[path] = load_document(path)
                self._index(self.documents[path])
            except SpecInputError as exc:
                raise RefError(f"$ref file {target!r} cannot be used: {exc.diagnostic.message}") from None
        return self.documents[path]

    @property
    def anchors_used(self) -> bool:
        """Whether a `$ref` was resolved by `$anchor` (which may name a schema anywhere in its file)."""
        return bool(self._anchors)

    def _anchor(self, document: Document, name: str, ref: str) -> str:
        """The pointer of the schema that declares `$anchor: name` in `document`."""
        key = document.path.resolve()
        if key not in self._anchors:
            self._anchors[key] = {
                str(node["$anchor"]): join_pointer(parts)
                for parts, node in _iter_nodes(document.data, []) if isinstance(node, dict) and "$anchor" in node
            }
        if name not in self._anchors[key]:
            raise RefError(f"$ref {ref!r} does not resolve: no schema declares $anchor {name!r}")
        return self._anchors[key][name]

    def _index(self, document: Document) -> None:
        for parts, node in _iter_nodes(document.data, []):
            self._owners[id(node)] = (document, join_pointer(parts))


def _iter_nodes(node: Any, parts: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    """Every object and array in a tree, with its pointer parts."""
    stack = [(parts, node)]
    while stack:
        parts, node = stack.pop()
        if isinstance(node, dict):
            yield parts, node
            stack.extend((parts + [key], value) for key, value in node.items())
        elif isinstance(node, list):
            yield parts, node
            stack.extend((parts + [i], value) for i, value in enumerate(node))


def pointer_value(data: Any, pointer: str) -> Any:
    """The value at a JSON pointer; LookupError when there is none."""
    node = data
    for part in split_pointer(pointer):
        if isinstance(node, list):
            if not part.isdigit():
                raise LookupError(part)
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node[part]
        else:
            raise LookupError(part)
    return node


def iter_refs(node: Any) -> Iterator[tuple[str, str]]:
    """Every `$ref` in a tree, as (pointer of the object holding it, the ref string).

    Example payloads (`example`, `examples` lists, an Example object's `value`) are data:
    a `$ref` key inside them is not a reference.
    """
    stack: list[tuple[Any, list[Any]]] = [(node, [])]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                yield join_pointer(where), ref
            in_examples_map = len(where) > 1 and where[-2] == "examples"
            for key, value in current.items():
                is_property_name = bool(where) and where[-1] == "properties"
                if key == "$ref" or (key == "example" and not is_property_name):
                    continue
                if key == "value" and in_examples_map:
                    continue
                if key == "examples" and isinstance(value, list):
                    continue
                stack.append((value, where + [key]))
        elif isinstance(current, list):
            stack.extend((value, where + [i]) for i, value in enumerate(current))
