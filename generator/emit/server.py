"""The server side of a generated package: route descriptors and the Handlers protocol."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.emit.client import OperationView, keyword_parameters, operation_view, paging_call, schemes
from generator.emit.layout import (Node, block, call, dict_of, exploded, expression, import_line, list_of, literal,
                                   returns, tuple_of)
from generator.emit.models import isort_key
from generator.emit.templating import render
from generator.freshness import TEMPLATES
from generator.ir import Api

SERVER_RUNTIME = TEMPLATES / "package" / "_server.py"
LIMITS_RUNTIME = TEMPLATES / "package" / "_limits.py"
SAMPLES = TEMPLATES / "package" / "_samples.py"


@dataclass(frozen=True)
class ServerOperationView:
    """An operation with what the server descriptors add: status, docstring, validating annotations."""

    view: OperationView
    success_status: str
    summary_docstring: str
    validators: dict[str, str]  # parameter Python name -> annotation with the schema's constraints
    response_media_types: dict[str, str]  # response key -> the media type answered (the model's choice)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.view, name)

    @property
    def route_code(self) -> str:
        """The operation's element of `ROUTES`: what the server needs to route, parse and answer it."""
        op = self.view.op
        params = [call("Param", wire, literal(p.python_name), str(p.required),
                       expression(self.validators[p.python_name]),
                       **({"allow_empty": "True"} if p.allow_empty_value else {}),
                       **({"string_format": literal(p.string_format)} if p.string_format else {}))
                  for wire, p in zip(self.view.wires, op.parameters)]
        keywords: dict[str, Node] = {"params": tuple_of(params, exploded=True)}
        if op.body:
            keywords["body"] = call("Body", literal(op.body.media_type), literal(op.body.kind), str(op.body.required),
                                    expression(op.body.annotation),
                                    **({"fields": str(op.body.fields)} if op.body.fields else {}))
        keywords["success"] = literal(self.success_status)
        keywords["responses"] = dict_of([(literal(r.status), expression(r.annotation)) for r in op.responses])
        if self.response_media_types:
            keywords["media_types"] = dict_of({literal(key): literal(value)
                                               for key, value in self.response_media_types.items()})
        keywords["security"] = self.view.security
        if op.pagination:
            keywords["paging"] = paging_call(op.pagination)
        route = exploded(call("Route", *(literal(value) for value in (op.python_name, op.method, op.path,
                                                                       op.pointer)), **keywords))
        return block(route, 4, suffix=",")

    @property
    def handler_parameter_lines(self) -> list[str]:
        """The handler method's parameters after `self`: `*` and one line each."""
        op = self.view.op
        lines = keyword_parameters(op, {p.python_name: p.annotation for p in op.parameters},
                                   op.body.annotation if op.body else "")
        return ["*,", *lines] if lines else []

    @property
    def handler_returns_code(self) -> str:
        """The end of the handler's signature: the success value, or a `Reply` with it."""
        return returns(f"{self.view.op.success_annotation} | Reply[Any]")


def render_server(api: Api, package: str, header: str, spec_json: str) -> dict[Path, str]:
    """`server.py`, the shared `_server.py` and `_limits.py` runtime and the bundled `openapi.json`.

    `spec_json` is the spec as indented JSON (`json_text`), the text `openapi.json` holds.
    """
    operations = [_server_view(op) for op in api.operations]
    base = Path(package)
    return {
        base / "server.py": render("server", "server.py.jinja", api=api, package=package, header=header,
                                   operations=operations, imports=_imports(operations),
                                   all_code=block(list_of([literal(name) for name in EXPORTS]), 0, prefix="__all__ = ",
                                                  where="item"),
                                   base_paths_code=block(tuple_of([literal(path) for path in api.base_paths],
                                                                  exploded=True), 0,
                                                         prefix="BASE_PATHS: tuple[str, ...] = ",
                                                         suffix="  # the servers' URL paths, served too"),
                                   schemes_code=block(schemes(api), 0,
                                                      prefix="SCHEMES: dict[str, SecurityScheme] = ")),
        base / "_server.py": f"{header}\n{SERVER_RUNTIME.read_text(encoding='utf-8')}",
        base / "_limits.py": f"{header}\n{LIMITS_RUNTIME.read_text(encoding='utf-8')}",
        base / "_samples.py": f"{header}\n{SAMPLES.read_text(encoding='utf-8')}",
        base / "openapi.json": spec_json + "\n",
    }


EXPORTS = ("BASE_PATHS", "ROUTES", "CredentialCheck", "Handlers", "Reply", "create_app", "create_mock_app")


def _server_view(op: Any) -> ServerOperationView:
    view = operation_view(op)
    success = next((r.status for r in op.responses if r.status.startswith("2")), "200")
    summary = op.summary or f"{op.method.upper()} {op.path}"
    validators = {
        p.python_name: f"Annotated[{p.annotation}, Field({', '.join(f'{k}={v!r}' for k, v in p.constraints.items())})]"
        if p.constraints else p.annotation
        for p in op.parameters
    }
    media_types = {r.status: r.media_type for r in op.responses if r.media_type is not None}
    return ServerOperationView(view, success if success.isdigit() else "200",
                               f"{summary}\n\n`{op.method.upper()} {op.path}`", validators, media_types)


def _imports(operations: list[ServerOperationView]) -> list[str]:
    annotations = " ".join(
        [annotation for op in operations for annotation in op.validators.values()]
        + [op.body.annotation for op in operations if op.body]
        + [r.annotation for op in operations for r in op.responses]
    )
    typing = sorted((["Any"] if operations else [])
                    + [n for n in ("Literal",) if re.search(rf"\b{n}\b", annotations)], key=isort_key)
    server = sorted(["CredentialCheck", "MockHandlers", "Reply", "Route", "build_app", "load_spec"]  # Reply: for handlers
                    + (["unimplemented"] if operations else [])
                    + (["Param"] if any(op.parameters for op in operations) else [])
                    + (["Body"] if any(op.body for op in operations) else []), key=isort_key)
    lines = ["import datetime"] if "datetime." in annotations else []
    typing = sorted(typing + (["Annotated"] if "Annotated[" in annotations else []), key=isort_key)
    lines += ["from collections.abc import Collection, Mapping"]
    lines += [f"from typing import {', '.join(typing)}"] if typing else []
    lines += ["", "from fastapi import FastAPI"]
    lines += ["from pydantic import Field", ""] if "Field(" in annotations else [""]
    if "models." in annotations:
        lines.append("from . import models")
    if any(op.parameters for op in operations):
        lines.append("from ._codec import Wire")
    paging = "Paging, " if any(op.pagination for op in operations) else ""
    lines += ["from ._limits import DEFAULT_LIMITS, Limits, harden", f"from ._runtime import {paging}SecurityScheme",
              import_line("._server", server)]
    return lines
