"""The server side of a generated package: route descriptors and the Handlers protocol."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.emit.client import OperationView, operation_view
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


def render_server(api: Api, package: str, header: str, spec_json: str) -> dict[Path, str]:
    """`server.py`, the shared `_server.py` and `_limits.py` runtime and the bundled `openapi.json`.

    `spec_json` is the spec as indented JSON (`json_text`), the text `openapi.json` holds.
    """
    operations = [_server_view(op) for op in api.operations]
    base = Path(package)
    return {
        base / "server.py": render("server", "server.py.jinja", api=api, package=package, header=header,
                                   operations=operations, imports=_imports(operations),
                                   base_paths=api.base_paths),
        base / "_server.py": f"{header}\n{SERVER_RUNTIME.read_text(encoding='utf-8')}",
        base / "_limits.py": f"{header}\n{LIMITS_RUNTIME.read_text(encoding='utf-8')}",
        base / "_samples.py": f"{header}\n{SAMPLES.read_text(encoding='utf-8')}",
        base / "openapi.json": spec_json + "\n",
    }


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
              f"from ._server import {', '.join(server)}", ""]
    return lines
