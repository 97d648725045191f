"""The client SDK files of a generated package, rendered from the IR with Jinja."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.emit.models import isort_key
from generator.emit.readme import client_arguments
from generator.emit.templating import render
from generator.freshness import TEMPLATES
from generator.ir import Api, Group, Operation, Parameter
from generator.runtime import Wire, describe

RUNTIME = TEMPLATES / "package" / "_runtime.py"
CODEC = TEMPLATES / "package" / "_codec.py"


@dataclass(frozen=True)
class OperationView:
    """An operation plus what its method needs that is derived, not decided: constants, docs."""

    op: Operation
    constant: str
    docstring: str
    security_tuple: str
    body_annotation: str
    wires: list[str]  # a `Wire(...)` literal per parameter
    arguments: dict[str, str]  # parameter Python name -> the annotation the method accepts

    def __getattr__(self, name: str) -> Any:
        return getattr(self.op, name)


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
    def import_names(self) -> str:
        """Both classes of the tag, in the order isort wants them."""
        return ", ".join(sorted([self.group.class_name, self.async_class_name], key=isort_key))


def render_client(api: Api, package: str, header: str) -> dict[Path, str]:
    """Every client file of the package, by path relative to the package project folder."""
    base = Path(package)
    groups = [_group_view(group) for group in api.groups]
    files = {
        base / "__init__.py": render("package", "__init__.py.jinja", api=api, package=package, header=header,
                                           client_arguments=client_arguments(api)),
        base / "_runtime.py": f"{header}\n{RUNTIME.read_text(encoding='utf-8')}",
        base / "_codec.py": f"{header}\n{CODEC.read_text(encoding='utf-8')}",
        base / "py.typed": "",
        base / "client.py": render("client", "client.py.jinja", api=api, groups=groups, header=header,
                                   base_url=default_base_url(api)),
        base / "_api" / "__init__.py": f'{header}\n"""One module per tag, loaded when `client.<tag>` is first used."""\n',
    }
    for group in groups:
        files[base / "_api" / f"{group.module}.py"] = render(
            "client", "api_module.py.jinja", group=group, header=header
        )
    return files


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
    lines.append("from .._runtime import " + ", ".join(runtime))
    return lines


def operation_view(op: Operation) -> OperationView:
    """The operation with its derived names: module constant, docstring, security and body types."""
    constant = "_" + re.sub(r"\W", "_", op.python_name).upper()
    security = "(" + "".join(
        "(" + "".join(repr(name) + ", " for name in alternative) + "), " for alternative in op.security
    ) + ")"
    body = ""
    if op.body:
        body = op.body.annotation
        if op.body.kind in ("json", "form", "multipart") and body.startswith("models."):
            body += " | Mapping[str, Any]"
    arguments = {p.python_name: f"{p.annotation} | Mapping[str, Any]"  # an object parameter: its model or a dict
                 if p.shape == "object" and p.annotation.startswith("models.") else p.annotation
                 for p in op.parameters}
    return OperationView(op, constant, _method_docstring(op), security, body, [wire_literal(p) for p in op.parameters],
                         arguments)


def wire_literal(p: Parameter) -> str:
    """The `Wire(...)` expression that tells the codec how a parameter travels."""
    options = "".join([", allow_reserved=True" if p.allow_reserved else "",
                       f", content_type={p.content_type!r}" if p.content_type else ""])
    return f"Wire({p.name!r}, {p.location!r}, {p.style!r}, {p.explode!r}, {p.shape!r}{options})"


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
