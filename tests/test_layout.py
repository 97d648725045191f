"""The layout of emitted expressions against black itself: black keeps it, and gives it from the template's text."""

from __future__ import annotations

import black
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.emit.layout import (Brackets, Node, Pair, Union, block, dict_of, lines, literal, parameter, returns,
                                   tuple_of)

MODE = black.Mode(target_versions={black.TargetVersion.PY311})
NAMES = st.integers(1, 30).map(lambda n: ("name_" * 8)[:n].rstrip("_") or "n")
STRINGS = st.text(st.sampled_from("abc é'\"\\/{}"), max_size=40).map(literal)


def _nodes(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    items = st.lists(children, max_size=5)
    keywords = st.lists(st.tuples(NAMES, children), max_size=4, unique_by=lambda pair: pair[0])
    calls = st.builds(lambda name, args, kwargs, explode: Brackets(
        f"{name}(", (*args, *(Pair(f"{key}=", value) for key, value in kwargs)), ")",
        exploded=explode and len(args) + len(kwargs) > 1), NAMES, items, keywords, st.booleans())
    tuples = st.builds(tuple_of, items, st.booleans())
    dicts = st.builds(dict_of, st.lists(st.tuples(STRINGS, children), max_size=4), st.booleans())
    return calls | tuples | dicts


NODES = st.recursive(NAMES | STRINGS, _nodes, max_leaves=12)


def source(node: Node) -> str:
    """The node as a template writes it: on one line, a trailing comma where the template explodes it."""
    if isinstance(node, str):
        return node
    if isinstance(node, Pair):
        return node.key + source(node.value)
    if isinstance(node, Union):
        return " | ".join(source(part) for part in node.parts)
    comma = "," if node.items and (node.exploded or node.one_tuple) else ""
    return f"{node.opening}{', '.join(source(item) for item in node.items)}{comma}{node.closing}"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(NODES, st.integers(0, 3))
def test_an_item_is_laid_out_as_black_formats_the_template_text(node, depth):
    """Inside brackets (an element of a tuple the template explodes) the layout is black's own."""
    indent = 4 * (depth + 1)  # inside `depth` exploded calls inside an exploded tuple
    opening = "_ = (\n" + "".join(" " * 4 * level + "_(\n" for level in range(1, depth + 1))
    closing = "".join(" " * 4 * (level + 1) + "0,\n" + " " * 4 * level + "),\n" for level in range(depth, 0, -1))
    closing += "    0,\n)\n"
    laid = opening + "\n".join(lines(node, indent, "", ",")) + "\n" + closing
    written = opening + " " * indent + source(node) + ",\n" + closing
    assert black.format_str(written, mode=MODE) == laid


@settings(max_examples=200, deadline=None, derandomize=True)
@given(NODES)
def test_a_statement_is_left_for_black_where_the_layout_is_not_certain(node):
    """After `name = ` black may choose optional parentheses: whatever the layout, black gives what it gives
    from the template's text (nothing black would keep but not choose)."""
    laid = block(node, 0, prefix="value = ") + "\n"
    assert black.format_str(laid, mode=MODE) == black.format_str(f"value = {source(node)}\n", mode=MODE)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(NAMES | st.builds(lambda names: f"Literal[{', '.join(names)}]", st.lists(STRINGS, min_size=1,
                                                                                          max_size=6)),
                min_size=1, max_size=4), st.booleans())
def test_a_parameter_line_is_black_or_left_for_black(parts, optional):
    """A signature's parameter line: black's layout where certain, else black's result from the template's text."""
    annotation = " | ".join(parts)
    default = "None" if optional else None
    laid = parameter("argument_name", annotation, default, 8)
    end = " = None," if optional else ","

    def method(line: str) -> str:
        return f"class _:\n    def f(\n        self,\n        {line}\n    ) -> None:\n        pass\n"

    formatted = black.format_str(method(f"argument_name: {annotation}{end}"), mode=MODE)
    assert black.format_str(method(laid), mode=MODE) == formatted
    if len(parts) > 1 and all(len(part) < 60 for part in parts):
        assert method(laid) == formatted  # a union that black parenthesises: laid out as black lays it out


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.integers(1, 90).map(lambda n: "models." + "Name" * (n // 4 + 1)), min_size=1, max_size=3))
def test_a_return_annotation_is_black_or_left_for_black(parts):
    """`) -> annotation:` of an exploded signature: a name or union too long in black's parentheses."""
    annotation = " | ".join(parts)

    def method(end: str) -> str:
        return f"class _:\n    def f(\n        self,\n    {end}\n        pass\n"

    formatted = black.format_str(method(f") -> {annotation}:"), mode=MODE)
    assert method(returns(annotation)) == formatted
