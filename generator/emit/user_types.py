"""Plain types for the SDK's user in the generated models module.

- A component schema that is a primitive (a string with a pattern, an integer with bounds)
  becomes an `Annotated` alias of the plain type, not a root model: `Guid` is a `str` to
  the type checker and prints as one, and pydantic still checks its constraints.
- A field typed by an enum also accepts the enum's values as string (or integer) literals,
  so `Request(provider="EMAIL")` and `Request(provider=Provider.email)` both type-check;
  validation still gives the enum member (`left_to_right` tries the enum first).

The module is read with `ast`, so docstrings and examples that mention a class name are
never touched; edits are spliced by position.
"""

from __future__ import annotations

import ast

from generator.formatting import SOURCE_LINE

_ENUM_BASES = {"Enum", "StrEnum", "IntEnum"}


def plain_types(code: str) -> str:
    """The models module with primitive root models as aliases and enum fields widened."""
    code = _aliases_for_primitive_roots(code)
    return _enum_fields_accept_values(code)


def enum_values(code: str) -> dict[str, list[object]]:
    """Each enum class of the module with its member values, in order."""
    result: dict[str, list[object]] = {}
    for node in ast.parse(code).body:
        if isinstance(node, ast.ClassDef) and {_name(b) for b in node.bases} & _ENUM_BASES:
            values: list[object] = [s.value.value for s in node.body
                      if isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant)]
            if values and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
                result[node.name] = values
    return result


def enum_annotation(name: str, values: list[object]) -> str:
    """`Name | Literal[...]`, validated enum first: the annotation of an enum-typed field."""
    literal = ", ".join(repr(v) for v in values)
    return f'Annotated[{name} | Literal[{literal}], Field(union_mode="left_to_right")]'


def _aliases_for_primitive_roots(code: str) -> str:
    tree = ast.parse(code)
    defined = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    lines = code.split("\n")
    source_lines = SOURCE_LINE.findall(code)
    edits: list[tuple[int, int, list[str]]] = []
    for node in tree.body:
        root = _primitive_root(node, defined)
        if root is None or not isinstance(node, ast.ClassDef) or node.end_lineno is None:
            continue
        annotation = source_segment(source_lines, root.annotation)
        alias = [f"{node.name} = {annotation}"]
        docstring = next((s for s in node.body[node.body.index(root) + 1:]
                          if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)), None)
        if docstring is not None and docstring.end_lineno is not None:
            alias += [line[4:] for line in lines[docstring.lineno - 1:docstring.end_lineno]]
        edits.append((node.lineno - 1 - len(node.decorator_list), node.end_lineno, alias))
    for start, end, replacement in reversed(edits):
        lines[start:end] = replacement
    return "\n".join(lines)


def source_segment(lines: list[str], node: ast.expr) -> str:
    """`ast.get_source_segment` over the module's lines, split once (it splits the whole module each call)."""
    first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    start, end = node.col_offset, node.end_col_offset
    if first == last:
        return lines[first].encode()[start:end].decode()
    head, tail = lines[first].encode()[start:].decode(), lines[last].encode()[:end].decode()
    return "".join([head, *lines[first + 1:last], tail])


def _primitive_root(node: ast.stmt, defined: set[str]) -> ast.AnnAssign | None:
    """The `root: ...` field of a root model whose type names no model of the module."""
    if not isinstance(node, ast.ClassDef) or len(node.bases) != 1:
        return None
    base = node.bases[0]
    if not (isinstance(base, ast.Subscript) and _name(base.value) == "RootModel"):
        return None
    root = next((s for s in node.body if isinstance(s, ast.AnnAssign) and _name(s.target) == "root"), None)
    if root is None or root.value is not None:
        return None
    if {n.id for n in ast.walk(root.annotation) if isinstance(n, ast.Name)} & defined:
        return None
    return root


def _enum_fields_accept_values(code: str) -> str:
    enums = enum_values(code)
    if not enums:
        return code
    tree = ast.parse(code)
    discriminators = {k.value.value for k in ast.walk(tree) if isinstance(k, ast.keyword)
                      and k.arg == "discriminator" and isinstance(k.value, ast.Constant)}
    lines = code.split("\n")
    spots: list[tuple[int, int, int, str]] = []  # (line, start byte, end byte, enum name)
    for owner in tree.body:
        if not isinstance(owner, ast.ClassDef) or owner.name in enums:
            continue
        for statement in owner.body:
            if not isinstance(statement, ast.AnnAssign) or _name(statement.target) in discriminators:
                continue
            for node in ast.walk(statement.annotation):
                if isinstance(node, ast.Name) and node.id in enums and node.end_col_offset is not None:
                    spots.append((node.lineno - 1, node.col_offset, node.end_col_offset, node.id))
    for line, start, end, name in sorted(spots, reverse=True):
        raw = lines[line].encode()
        lines[line] = (raw[:start] + enum_annotation(name, enums[name]).encode() + raw[end:]).decode()
    code = "\n".join(lines)
    if spots:
        future = "from __future__ import annotations\n"
        code = code.replace(future, f"{future}from typing import Annotated, Literal\nfrom pydantic import Field\n", 1)
    return code


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else ""
