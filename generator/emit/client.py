"""The client SDK files of a generated package, rendered from the IR with Jinja."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.emit.models import isort_key
from generator.emit.readme import client_arguments
from generator.emit.templating import TEMPLATES, render
from generator.ir import Api, Group, Operation

RUNTIME = TEMPLATES / "package" / "_runtime.py"


@dataclass(frozen=True)
class OperationView:
    """An operation plus what its method needs that is derived, not decided: constants, docs."""

    op: Operation
    constant: str
    docstring: str
    security_tuple: str
    body_annotation: str

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
        [p.annotation for op in operations for p in op.parameters]
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
    return OperationView(op, constant, _method_docstring(op), security, body)


def _method_docstring(op: Operation) -> str:
    parts = [op.summary or f"{op.method.upper()} {op.path}"]
    if op.description and op.description.strip() != op.summary.strip():
        parts.append(op.description)
    if op.deprecated:
        parts.append("Deprecated: the API marks this operation as deprecated.")
    described = [p for p in op.parameters if p.description]
    if described or op.body:
        lines = ["Args:"]
        lines += [f"    {p.python_name}: {' '.join(p.description.split())}" for p in described]
        if op.body:
            lines.append(f"    body: {' '.join(op.body.description.split()) or 'the request body.'}")
        parts.append("\n".join(lines))
    parts.append(f"`{op.method.upper()} {op.path}`")
    return "\n\n".join(parts)
