"""Loading YAML and JSON specs with source positions.

Parsing keeps the fast C paths (json, libyaml); positions are recovered lazily,
only for the JSON pointers a diagnostic needs, so a clean spec never pays for them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, SpecInputError

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# YAML aliases are shared in memory but every walk expands them: refuse documents
# whose expanded tree is far larger than what is written ("billion laughs").
MAX_ALIAS_EXPANSION = 10
MIN_EXPANSION_BUDGET = 200_000
SUPPORTED_VERSION = re.compile(r"3\.[01]\.\d+")
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]+", re.MULTILINE)


class _SpecLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """Safe YAML loader that keeps dates as strings and mapping keys as written."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
        self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "mapping keys must be scalars", key_node.start_mark
                )
            key = key_node.value
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SpecLoader.add_constructor("tag:yaml.org,2002:map", _SpecLoader.construct_mapping)


@dataclass
class Document:
    """A parsed spec file: its data plus a way back from JSON pointers to lines."""

    path: Path
    text: str
    data: Any
    is_json: bool
    _yaml_root: yaml.Node | None = field(default=None, repr=False)
    _json_offsets: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return display_path(self.path)

    def locate(self, pointer: str) -> tuple[int, int]:
        """Line and column (1-based) of the node at `pointer` (of its key, for a mapping member).

        A pointer that leads nowhere is located at its nearest existing ancestor.
        """
        parts = split_pointer(pointer)
        if self.is_json:
            offset = self._json_offset(parts)
            line = self.text.count("\n", 0, offset) + 1
            return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        mark = self._yaml_mark(parts)
        return mark.line + 1, mark.column + 1

    def diagnostic(self, pointer: str, rule: str, message: str, **kwargs: Any) -> Diagnostic:
        """A diagnostic located at `pointer` in this document."""
        line, col = self.locate(pointer)
        return Diagnostic(self.name, line, col, rule, message, **kwargs)

    def _yaml_mark(self, parts: list[str]) -> yaml.Mark:
        if self._yaml_root is None:
            self._yaml_root = yaml.compose(self.text, Loader=_SpecLoader)
        node = self._yaml_root
        assert node is not None, "empty documents are refused when loaded"
        mark = node.start_mark
        for part in parts:
            found = _yaml_child(node, part)
            if found is None:
                break
            label, node = found
            mark = label.start_mark
        return mark

    def _json_offset(self, parts: list[str]) -> int:
        value_offset = label_offset = _skip_ws(self.text, 0)
        for depth, part in enumerate(parts):
            prefix = "/".join(parts[: depth + 1])
            cached = self._json_offsets.get(prefix)
            if cached is None:
                cached = _json_child_offset(self.text, value_offset, part)
                if cached is None:
                    break
                self._json_offsets[prefix] = cached
            label_offset, value_offset = cached
        return label_offset


def display_path(path: Path) -> str:
    """A path as shown in diagnostics: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def split_pointer(pointer: str) -> list[str]:
    """The unescaped reference tokens of a JSON pointer ('' is the root)."""
    pointer = pointer.lstrip("#")
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def join_pointer(parts: list[Any]) -> str:
    """A JSON pointer from reference tokens."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def extend_pointer(pointer: str, *parts: Any) -> str:
    """`join_pointer([*split_pointer(pointer), *parts])` without unescaping and escaping `pointer` again."""
    base = pointer.lstrip("#")
    result = "/" + base.lstrip("/") if base else ""
    for part in parts:
        text = str(part)
        result += "/" + (text.replace("~", "~0").replace("/", "~1") if "~" in text or "/" in text else text)
    return result


def load_document(path: Path) -> Document:
    """Read and parse a YAML or JSON spec; raise SpecInputError when it cannot be used."""
    name = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecInputError(Diagnostic(name, 1, 1, "read-error", exc.strerror or str(exc))) from None
    text = _decode(raw, name)
    if not text.strip():
        raise SpecInputError(Diagnostic(name, 1, 1, "empty-document", "the file is empty"))
    is_json = path.suffix.lower() == ".json"
    data = _parse_json(text, name) if is_json else _parse_yaml(text, name)
    if not isinstance(data, dict):
        raise SpecInputError(
            Diagnostic(name, 1, 1, "not-a-mapping", "the document must be a mapping (an OpenAPI object)")
        )
    return Document(path=path, text=text, data=data, is_json=is_json)


def load_openapi(path: Path) -> Document:
    """Load a spec and refuse it unless it is OpenAPI 3.0 or 3.1 (what `validate` refuses too)."""
    document = load_document(path)
    check_openapi_version(document)
    return document


def check_openapi_version(document: Document) -> None:
    """Refuse documents that are not OpenAPI 3.0 or 3.1 (the input cannot be used)."""
    version = document.data.get("openapi")
    if version is None:
        hint = " (Swagger 2.0 is not supported: convert it to OpenAPI 3)" if "swagger" in document.data else ""
        raise SpecInputError(document.diagnostic("", "openapi-version", f"no 'openapi' field{hint}"))
    if not SUPPORTED_VERSION.fullmatch(str(version)):
        message = f"openapi version {version!r} is not supported (3.0.x and 3.1.x are)"
        raise SpecInputError(document.diagnostic("/openapi", "openapi-version", message))


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = raw[: exc.start]
        line = head.count(b"\n") + 1
        col = len(head) - (head.rfind(b"\n") + 1) + 1
        message = f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded"
        raise SpecInputError(Diagnostic(name, line, col, "encoding", message)) from None


def _parse_json(text: str, name: str) -> Any:
    def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            raise ValueError(f"duplicate key {duplicate!r}")
        return result

    try:
        return json.loads(text, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as exc:
        raise SpecInputError(Diagnostic(name, exc.lineno, exc.colno, "json-syntax", exc.msg)) from None
    except ValueError as exc:
        raise SpecInputError(Diagnostic(name, 1, 1, "json-syntax", str(exc))) from None


def _parse_yaml(text: str, name: str) -> Any:
    loader = _SpecLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecInputError(Diagnostic(name, 1, 1, "empty-document", "the file holds no YAML document"))
        if _ANCHOR.search(text):
            _check_alias_expansion(node, name)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise SpecInputError(Diagnostic(name, line, col, "yaml-syntax", message)) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise SpecInputError(Diagnostic(name, 1, 1, "yaml-syntax", str(exc).splitlines()[0])) from None
    finally:
        loader.dispose()


def _check_alias_expansion(root: yaml.Node, name: str) -> None:
    """Refuse YAML whose aliases expand to far more nodes than the document holds."""
    expanded: dict[int, int] = {}
    distinct = 0

    def size(node: yaml.Node) -> int:
        nonlocal distinct
        known = expanded.get(id(node))
        if known is not None:
            return known
        expanded[id(node)] = 1  # a recursive alias counts once
        distinct += 1
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        expanded[id(node)] = total
        return total

    total = size(root)
    if total > max(MIN_EXPANSION_BUDGET, MAX_ALIAS_EXPANSION * distinct):
        message = (
            f"YAML aliases expand {distinct} nodes into {total}: refused as an alias bomb"
        )
        raise SpecInputError(Diagnostic(name, 1, 1, "yaml-alias-bomb", message))


def _yaml_child(node: yaml.Node, part: str) -> tuple[yaml.Node, yaml.Node] | None:
    """(label, value) of a member: the key node for mappings, the element itself in sequences."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return key, value
    elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
        element = node.value[int(part)]
        return element, element
    return None


_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\r\n]*")


def _skip_ws(text: str, offset: int) -> int:
    return _WS.match(text, offset).end()  # type: ignore[union-attr]


def _json_child_offset(text: str, offset: int, part: str) -> tuple[int, int] | None:
    """(label, value) offsets of member/element `part` of the JSON container at `offset`."""
    opener = text[offset : offset + 1]
    if opener not in ("{", "["):
        return None
    index = 0
    offset = _skip_ws(text, offset + 1)
    while offset < len(text) and text[offset] not in "}]":
        label = offset
        if opener == "{":
            key, offset = _DECODER.raw_decode(text, offset)
            offset = _skip_ws(text, _skip_ws(text, offset) + 1)  # past ':'
            matches = key == part
        else:
            matches = str(index) == part
            index += 1
        if matches:
            return label, offset
        _, offset = _DECODER.raw_decode(text, offset)
        offset = _skip_ws(text, offset)
        if text[offset : offset + 1] == ",":
            offset = _skip_ws(text, offset + 1)
    return None
