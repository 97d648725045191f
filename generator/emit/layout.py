"""Expressions laid out as black lays them out, so black's pass over generated code changes nothing.

Black formats a piece a second time whenever its first pass changed it; a piece emitted
in its final layout costs one pass. The templates hold the shape of each statement; the
expressions inside (calls, tuples and dicts of literals and names, parameter annotations)
are broken into lines here by black's rules for them: a line that fits stays whole; a
bracket with the template's trailing comma, or holding one, is exploded one item per line
with a trailing comma; otherwise a call keeps its arguments together on one line inside
its brackets when they fit there, a tuple or dict is exploded, and a single item is never
given a trailing comma. String literals get black's quotes. What this does not lay out
as black would is still formatted by black, at the cost of the second pass.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import Any

from black.strings import normalize_string_quotes, str_width

WIDTH = 88  # black's line length
_STRING = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*\"""")


@dataclass(frozen=True)
class Pair:
    """`name=value` or `"key": value`: `key` holds the name and its separator."""

    key: str
    value: Node

    @cached_property
    def text(self) -> str:
        return self.key + flat(self.value)

    @cached_property
    def magic(self) -> bool:
        return _magic(self.value)


@dataclass(frozen=True)
class Brackets:
    """A call (`opening` ends with its name and bracket) or a tuple or dict literal (`collection`)."""

    opening: str
    items: tuple[Node, ...]
    closing: str
    collection: bool = False
    exploded: bool = False  # the template's trailing comma: one item per line even where they fit

    @property
    def one_tuple(self) -> bool:
        return self.collection and self.opening == "(" and len(self.items) == 1

    @property
    def single_comma(self) -> bool:
        """A single item followed by a comma (a one-tuple, or the template's): not a reason to explode."""
        return len(self.items) == 1 and (self.one_tuple or (self.exploded and self.closing == ")"))

    @cached_property
    def text(self) -> str:
        inner = ", ".join(flat(item) for item in self.items)
        return f"{self.opening}{inner}{',' if self.single_comma else ''}{self.closing}"

    @cached_property
    def magic(self) -> bool:
        return (self.exploded and bool(self.items) and not self.single_comma) or any(map(_magic, self.items))


@dataclass(frozen=True)
class Union:
    """`a | b | c`: broken before each `|` when too long."""

    parts: tuple[Node, ...]

    @cached_property
    def text(self) -> str:
        return " | ".join(flat(part) for part in self.parts)

    @cached_property
    def magic(self) -> bool:
        return any(map(_magic, self.parts))


Node = str | Pair | Brackets | Union


def call(name: str, *arguments: Node, **keywords: Node) -> Brackets:
    """`name(arguments, keyword=value)`."""
    items = (*arguments, *(Pair(f"{key}=", value) for key, value in keywords.items()))
    return Brackets(f"{name}(", items, ")")


def exploded(node: Brackets) -> Brackets:
    """The node as the template writes it with a trailing comma: one item per line."""
    return replace(node, exploded=True)


def tuple_of(items: Sequence[Node], exploded: bool = False) -> Brackets:
    return Brackets("(", tuple(items), ")", collection=True, exploded=exploded)


def list_of(items: Sequence[Node]) -> Brackets:
    return Brackets("[", tuple(items), "]", collection=True)


def dict_of(entries: Mapping[str, Node] | Sequence[tuple[str, Node]], exploded: bool = False) -> Brackets:
    """A dict literal; the keys are literals already."""
    pairs = entries.items() if isinstance(entries, Mapping) else entries
    return Brackets("{", tuple(Pair(f"{key}: ", value) for key, value in pairs), "}", collection=True,
                    exploded=exploded)


@cache
def quoted(code: str) -> str:
    """Code whose string literals (as `repr` writes them) have black's quotes."""
    return _STRING.sub(lambda match: normalize_string_quotes(match.group()), code)


def literal(value: Any) -> str:
    """A Python literal for a JSON-like value, quoted as black quotes it."""
    if isinstance(value, str):
        return quoted(repr(value))
    if isinstance(value, dict):
        return flat(dict_of([(literal(key), literal(item)) for key, item in value.items()]))
    if isinstance(value, list | tuple):
        return flat((list_of if isinstance(value, list) else tuple_of)([literal(item) for item in value]))
    return repr(value)


def flat(node: Node) -> str:
    """The node on one line."""
    return node if isinstance(node, str) else node.text


def _magic(node: Node) -> bool:
    """Whether the node holds a trailing comma black keeps exploded (not that of a single item)."""
    return not isinstance(node, str) and node.magic


def _fits(indent: int, text: str) -> bool:
    return indent + str_width(text) <= WIDTH


def lines(node: Node, indent: int, prefix: str = "", suffix: str = "", where: str = "item") -> tuple[str, ...]:
    """`prefix`, the node and `suffix` as black breaks them, each line indented by `indent`.

    `where` is what holds the node: `item`, a line inside brackets, where black explodes a
    call or collection that does not fit one item per line with a trailing comma; `statement`,
    where black may choose otherwise (optional parentheses): there a node the template did
    not explode is kept whole or its items together. A layout black would not choose but
    keeps (a trailing comma or parentheses added) must never come out of this; a line left
    too long only costs black's second pass.
    """
    pad = " " * indent
    if isinstance(node, Pair):
        return lines(node.value, indent, prefix + node.key, suffix, where)
    text = prefix + flat(node) + suffix
    if isinstance(node, str) or (not _magic(node) and _fits(indent, text)):
        return (pad + text,)
    if isinstance(node, Union):
        last = len(node.parts) - 1
        return tuple(line for index, part in enumerate(node.parts)
                     for line in lines(part, indent, prefix if index == 0 else "| ", suffix if index == last else "",
                                       where))
    if not node.items:
        return (pad + text,)
    head, tail, inner = pad + prefix + node.opening, pad + node.closing + suffix, indent + 4
    if not _magic(node):
        together = ", ".join(flat(item) for item in node.items) + ("," if node.single_comma else "")
        if (not node.collection or where != "item") and _fits(inner, together):
            return (head, " " * inner + together, tail)
        if where != "item":
            return (pad + text,)
    if len(node.items) == 1:
        return (head, *lines(node.items[0], inner, "", "," if node.exploded or node.one_tuple else ""), tail)
    return (head, *(line for item in node.items for line in lines(item, inner, "", ",")), tail)


def block(node: Node, indent: int, prefix: str = "", suffix: str = "", where: str = "statement") -> str:
    """`lines` joined, without the first line's indentation (the template places it)."""
    return "\n".join(lines(node, indent, prefix, suffix, where))[indent:]


def parameter(name: str, annotation: str, default: str | None, indent: int) -> str:
    """A parameter line of an exploded signature: `name: annotation = default,` as black breaks it.

    A line too long whose annotation is a union gets it in parentheses on lines of its own,
    split before each `|` when it is still too long; any other is left whole for black.
    """
    node = expression(annotation)
    end = f" = {default}," if default is not None else ","
    text = f"{name}: {flat(node)}{end}"
    if _fits(indent, text) or not isinstance(node, Union):
        return text
    return "\n".join([f"{name}: (", *lines(node, indent + 4), " " * indent + ")" + end])


def returns(annotation: str, indent: int = 4) -> str:
    """The end of an exploded signature, `) -> annotation:`; a name or union too long goes in parentheses."""
    node = expression(annotation)
    text = f") -> {flat(node)}:"
    if _fits(indent, text) or isinstance(node, Brackets):
        return text
    return "\n".join([") -> (", *lines(node, indent + 4), " " * indent + "):"])


@cache
def expression(code: str) -> Node:
    """An annotation or other expression the generator wrote (names, subscripts, `|`, calls, literals)."""
    return _node(ast.parse(code, mode="eval").body)


def _node(tree: ast.expr) -> Node:
    if isinstance(tree, ast.Constant):
        return literal(tree.value) if isinstance(tree.value, str) else ast.unparse(tree)
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.BitOr):
        parts = [_node(tree.left), _node(tree.right)]
        return Union(tuple(part for node in parts for part in (node.parts if isinstance(node, Union) else (node,))))
    if isinstance(tree, ast.Subscript):
        items = tree.slice.elts if isinstance(tree.slice, ast.Tuple) else [tree.slice]
        return Brackets(f"{ast.unparse(tree.value)}[", tuple(_node(item) for item in items), "]")
    if isinstance(tree, ast.Call) and not any(isinstance(arg, ast.Starred) for arg in tree.args):
        return Brackets(f"{ast.unparse(tree.func)}(", (*(_node(arg) for arg in tree.args), *(
            Pair(f"{keyword.arg}=", _node(keyword.value)) for keyword in tree.keywords)), ")")
    return quoted(ast.unparse(tree)) if not isinstance(tree, (ast.Name, ast.Attribute)) else ast.unparse(tree)


def import_line(module: str, names: list[str], indent: int = 0) -> str:
    """`from module import names`, in black's parentheses, one name per line, when too long."""
    text = f"from {module} import {', '.join(names)}"
    if _fits(indent, text):
        return text
    pad = " " * indent
    return "\n".join([f"from {module} import (", *(f"{pad}    {name}," for name in names), pad + ")"])


def method_head(name: str, annotation: str, indent: int = 4) -> str:
    """`def name(self) -> annotation:`; when too long, `self,` goes on a line of its own."""
    text = f"def {name}(self) -> {annotation}:"
    if _fits(indent, text):
        return text
    return "\n".join([f"def {name}(", " " * (indent + 4) + "self,", " " * indent + returns(annotation, indent)])
