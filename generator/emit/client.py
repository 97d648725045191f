"""The client SDK files of a generated package, rendered from the IR with Jinja."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from generator.emit.layout import (Brackets, Node, block, call, dict_of, exploded, expression, import_line, literal,
                                   method_head, parameter, returns, tuple_of)
from generator.emit.models import isort_key
from generator.emit.readme import client_arguments
from generator.emit.templating import docstring, render
from generator.freshness import TEMPLATES
from generator.ir import Api, Group, Operation, Pagination, Parameter
from generator.runtime import Wire, describe
from generator.text_memo import TextMemo

RUNTIME = TEMPLATES / "package" / "_runtime.py"
CODEC = TEMPLATES / "package" / "_codec.py"


@dataclass(frozen=True)
class OperationView:
    """An operation plus what its method needs that is derived, not decided: constants, docs."""

    op: Operation
    constant: str
    docstring: str
    security: Brackets  # the tuple of alternatives, each a tuple of scheme names
    body_annotation: str
    wires: list[Brackets]  # a `Wire(...)` call per parameter
    arguments: dict[str, str]  # parameter Python name -> the annotation the method accepts

    def __getattr__(self, name: str) -> Any:
        return getattr(self.op, name)

    @property
    def constant_code(self) -> str:
        """The module constant that describes the operation to the transport."""
        op = self.op
        keywords: dict[str, Node] = {"method": literal(op.method), "path": literal(op.path),
                                     "security": self.security, "idempotent": str(op.idempotent)}
        if op.body:
            keywords.update(body_kind=literal(op.body.kind), body_media_type=literal(op.body.media_type))
        keywords["success_kind"] = literal(op.success_kind)
        if op.parameters:
            keywords["wires"] = tuple_of(self.wires, exploded=True)
        if op.errors:
            keywords["errors"] = dict_of([(literal(r.status), expression(r.annotation)) for r in op.errors])
        return block(exploded(call("Operation", **keywords)), 0, prefix=f"{self.constant} = ")

    @property
    def paging_code(self) -> str:
        assert self.op.pagination is not None
        return block(paging_call(self.op.pagination), 0, prefix=f"{self.constant}_PAGING = ")

    @property
    def parameter_lines(self) -> list[str]:
        """The method's keyword parameters (after `self, *`), one signature line each."""
        return keyword_parameters(self.op, self.arguments, self.body_annotation)

    @property
    def returns_code(self) -> str:
        return returns(self.op.success_annotation)

    def iterator_returns_code(self, is_async: bool) -> str:
        """The end of the `iter_` method's signature: an iterator of the page's items."""
        assert self.op.pagination is not None
        return returns(f"{'AsyncIterator' if is_async else 'Iterator'}[{self.op.pagination.item_annotation}]")

    def request_code(self, is_async: bool) -> str:
        """The method's body: the transport's request, cast to the success type."""
        op = self.op
        groups: dict[str, Node] = {}
        if op.path_parameters:
            groups["path"] = _arguments(op.path_parameters)
        for location, keyword in (("query", "query"), ("header", "headers"), ("cookie", "cookies")):
            group = [p for p in op.parameters if p.location == location]
            if group:
                groups[keyword] = _arguments(group)
        if op.body:
            groups["body"] = "body"
        call_node = exploded(call("Call", **groups, extra_headers="extra_headers", timeout="timeout"))
        success = expression(op.success_annotation)
        request = call(("await " if is_async else "") + "self._transport.request", self.constant, call_node, success)
        if success == "None":
            return block(request, 8)
        return block(exploded(call("cast", success, request)), 8, prefix="return ")

    def iterate_code(self, is_async: bool) -> str:
        """The body of the `iter_` method: every page's items."""
        op = self.op
        arguments = dict_of([(literal(p.python_name), p.python_name) for p in op.parameters]
                            + ([(literal("body"), "body")] if op.body else [])
                            + [(literal("extra_headers"), "extra_headers"), (literal("timeout"), "timeout")])
        node = call("aiterate" if is_async else "iterate", f"{self.constant}_PAGING", f"self.{op.python_name}",
                    arguments)
        return block(node, 8, prefix="return ", where="item")


def keyword_parameters(op: Operation, annotations: dict[str, str], body_annotation: str) -> list[str]:
    """A signature's line per parameter of the operation (by Python name, with its annotation), then `body`.

    An optional parameter defaults to None, which its annotation then allows.
    """
    lines = [parameter(p.python_name, annotations[p.python_name] + ("" if p.required or "None" in p.annotation
                                                                     else " | None"),
                       None if p.required else "None", 8) for p in op.parameters]
    if op.body:
        lines.append(parameter("body", body_annotation + ("" if op.body.required else " | None"),
                               None if op.body.required else "None", 8))
    return lines


def paging_call(paging: Pagination) -> Brackets:
    """`Paging(...)`: how a list operation pages, for the client's iterator and the mock."""
    return call("Paging", *(literal(value) for value in (paging.location, paging.page, paging.size, paging.items,
                                                          paging.total)))


def _arguments(parameters: list[Parameter]) -> Brackets:
    """`{"wire-name": python_name, ...}`: the arguments of one location."""
    return dict_of([(literal(p.name), p.python_name) for p in parameters])


@dataclass(frozen=True)
class GroupView:
    group: Group
    operations: list[OperationView]
    imports: list[str]
    docstring: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.group, name)

    @property
    def async_class_name(self) -> str:
        return "Async" + self.group.class_name

    @property
    def import_code(self) -> str:
        """The import of both classes of the tag (in the order isort wants them), for type checkers."""
        names = sorted([self.group.class_name, self.async_class_name], key=isort_key)
        return import_line(f"._api.{self.group.module}", names, 4)

    def property_code(self, is_async: bool) -> str:
        """The client's property that gives the tag's operations (imported when first used)."""
        api_class = self.async_class_name if is_async else self.group.class_name
        return "\n".join([method_head(self.group.attribute, api_class), f"        {docstring(self.docstring, 8)}",
                          "        " + import_line(f"._api.{self.group.module}", [api_class], 8), "",
                          "        " + block(call(api_class, "self._transport"), 8, prefix="return ")])


def render_client(api: Api, package: str, header: str, memo: TextMemo | None = None) -> dict[Path, str]:
    """Every client file of the package, by path relative to the package project folder.

    With `memo`, a tag's module whose operations are as they were comes from it instead of the template.
    """
    base = Path(package)
    groups = [_group_view(group) for group in api.groups]
    files = {
        base / "__init__.py": render("package", "__init__.py.jinja", api=api, package=package, header=header,
                                           client_arguments=client_arguments(api)),
        base / "_runtime.py": f"{header}\n{RUNTIME.read_text(encoding='utf-8')}",
        base / "_codec.py": f"{header}\n{CODEC.read_text(encoding='utf-8')}",
        base / "py.typed": "",
        base / "client.py": render("client", "client.py.jinja", api=api, groups=groups, header=header,
                                   base_url=default_base_url(api),
                                   schemes_code=block(schemes(api), 4,
                                                      prefix="_schemes: ClassVar[Mapping[str, SecurityScheme]] = "),
                                   credentials_code=block(call("Credentials", **{
                                       s.python_name: s.python_name for s in api.security_schemes}), 8,
                                                          prefix="self.credentials = ")),
        base / "_api" / "__init__.py": f'{header}\n"""One module per tag, loaded when `client.<tag>` is first used."""\n',
    }
    for group, view in zip(api.groups, groups):
        make = partial(render, "client", "api_module.py.jinja", group=view, header=header)
        # the module is made from the group alone, and its dataclasses' repr shows all of it
        files[base / "_api" / f"{group.module}.py"] = memo.text(f"{header}\0{group!r}", make) if memo else make()
    return files


def schemes(api: Api) -> Brackets:
    """Each security scheme by its Python name: `{"name": SecurityScheme(...), ...}`."""
    return dict_of([(literal(s.python_name), call("SecurityScheme", *(literal(value) for value in (
        s.python_name, s.kind, s.location, s.wire_name)))) for s in api.security_schemes], exploded=True)


def default_base_url(api: Api) -> str:
    """The first server's URL, relative URLs and templates made usable."""
    return api.servers[0] if api.servers else "http://localhost"


def _group_view(group: Group) -> GroupView:
    operations = [operation_view(op) for op in group.operations]
    return GroupView(group, operations, _imports(operations),
                     group.description or f"Operations tagged {group.tag!r}.")


def _imports(operations: list[OperationView]) -> list[str]:
    """The import lines an API module needs, exactly (unused imports fail linters)."""
    annotations = " ".join(
        [a for op in operations for a in op.arguments.values()]
        + [op.body_annotation for op in operations]
        + [op.success_annotation for op in operations]
        + [r.annotation for op in operations for r in op.errors]
        + [op.pagination.item_annotation for op in operations if op.pagination]
    )
    paging = any(op.pagination for op in operations)
    typing = sorted(
        [name for name in ("Any", "Literal") if re.search(rf"\b{name}\b", annotations)]
        + (["cast"] if any(op.success_annotation != "None" for op in operations) else [])
    )
    runtime = sorted(["AsyncTransport", "Call", "Operation", "SyncTransport"]
                     + (["Paging", "aiterate", "iterate"] if paging else []), key=isort_key)
    lines = ["import datetime"] if "datetime." in annotations else []
    lines.append("from collections.abc import " + ", ".join(["AsyncIterator", "Iterator", "Mapping"] if paging else ["Mapping"]))
    if typing:
        lines.append("from typing import " + ", ".join(typing))
    lines.append("")
    if "models." in annotations:
        lines.append("from .. import models")
    if any(op.parameters for op in operations):
        lines.append("from .._codec import Wire")
    lines.append(import_line(".._runtime", runtime))
    return lines


def operation_view(op: Operation) -> OperationView:
    """The operation with its derived names: module constant, docstring, security and body types."""
    constant = "_" + re.sub(r"\W", "_", op.python_name).upper()
    security = tuple_of([tuple_of([literal(name) for name in alternative], exploded=True)
                         for alternative in op.security], exploded=True)
    body = ""
    if op.body:
        body = op.body.annotation
        if op.body.kind in ("json", "form", "multipart") and body.startswith("models."):
            body += " | Mapping[str, Any]"
    arguments = {p.python_name: f"{p.annotation} | Mapping[str, Any]"  # an object parameter: its model or a dict
                 if p.shape == "object" and p.annotation.startswith("models.") else p.annotation
                 for p in op.parameters}
    return OperationView(op, constant, _method_docstring(op), security, body, [wire_call(p) for p in op.parameters],
                         arguments)


def wire_call(p: Parameter) -> Brackets:
    """The `Wire(...)` expression that tells the codec how a parameter travels."""
    options: dict[str, Node] = {}
    if p.allow_reserved:
        options["allow_reserved"] = "True"
    if p.content_type:
        options["content_type"] = literal(p.content_type)
    return call("Wire", *(literal(value) for value in (p.name, p.location, p.style)), str(p.explode),
                literal(p.shape), **options)


def serialization_note(p: Parameter) -> str:
    """How a parameter goes on the wire, for an API user (empty for a plain primitive)."""
    return str(describe(Wire(p.name, p.location, p.style, p.explode, p.shape, p.allow_reserved, p.content_type)))


def _method_docstring(op: Operation) -> str:
    parts = [op.summary or f"{op.method.upper()} {op.path}"]
    if op.description and op.description.strip() != op.summary.strip():
        parts.append(op.description)
    if op.deprecated:
        parts.append("Deprecated: the API marks this operation as deprecated.")
    described = [(p, _parameter_note(p)) for p in op.parameters]
    described = [(p, note) for p, note in described if note]
    if described or op.body:
        lines = ["Args:"]
        lines += [f"    {p.python_name}: {note}" for p, note in described]
        if op.body:
            lines.append(f"    body: {' '.join(op.body.description.split()) or 'the request body.'}")
        parts.append("\n".join(lines))
    parts.append(f"`{op.method.upper()} {op.path}`")
    return "\n\n".join(parts)


def _parameter_note(p: Parameter) -> str:
    """A parameter's description, how it is serialised and what the server does when it is left out."""
    notes = [n for n in (serialization_note(p), f"the server's default is {p.default}" if p.default else "") if n]
    text = " ".join(p.description.split())
    return f"{text} ({'; '.join(notes)})" if notes and text else text or "; ".join(notes)
