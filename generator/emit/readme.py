"""The example a generated package's README opens with: real calls that type-check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.ir import Api, Operation, Parameter

_SAMPLES = {"str": '"..."', "int": "1", "float": "1.0", "bool": "True"}


def client_arguments(api: Api) -> str:
    """`api_key="...", bearer_token="..."`: one placeholder per credential the client holds."""
    return ", ".join(f'{s.python_name}="..."' for s in api.security_schemes)


def example_calls(api: Api, limit: int = 2) -> list[str]:
    """Up to `limit` calls, `client.<tag>.<method>(required=...)`, whose arguments need no model.

    GETs come first (what a new user tries first), then in namespace order.
    """
    calls = []
    for op in sorted(api.operations, key=lambda o: o.method != "get"):
        arguments = _arguments(op)
        if arguments is not None:
            group = next(g for g in api.groups if op in g.operations)
            calls.append(f"client.{group.attribute}.{op.python_name}({arguments})")
        if len(calls) == limit:
            break
    return calls


def _arguments(op: Operation) -> str | None:
    if op.body is not None and op.body.required:
        return None
    values = []
    for parameter in op.parameters:
        if parameter.required:
            value = _sample(parameter)
            if value is None:
                return None
            values.append(f"{parameter.python_name}={value}")
    return ", ".join(values)


def _sample(parameter: Parameter) -> str | None:
    """A value of the parameter's annotation: a placeholder, or an enum's first value."""
    annotation = parameter.annotation
    literal = re.search(r"Literal\[([^],]+)", annotation)
    if literal:
        return literal.group(1)
    return _SAMPLES.get(annotation)


@dataclass(frozen=True)
class Entry:
    """One line of `api.md`: a name, what it is, and the first sentence of its description."""

    name: str
    detail: str
    summary: str


def api_reference(api: Api) -> dict[str, list[Entry]]:
    """The namespaces (with their methods) and models of the package, for `api.md`."""
    sections: dict[str, list[Entry]] = {}
    for group in api.groups:
        sections[f"client.{group.attribute}"] = [
            Entry(f"{op.python_name}({', '.join(_required(op))})", op.success_annotation,
                  first_sentence(op.summary or op.description))
            for op in group.operations
        ]
    models = api.models_document["components"]["schemas"]
    sections["models"] = [Entry(name, _model_kind(schema), first_sentence(str(schema.get("description") or "")))
                          for name, schema in sorted(models.items())]
    return sections


def _required(op: Operation) -> list[str]:
    return [p.python_name for p in op.parameters if p.required] + (["body"] if op.body and op.body.required else [])


def first_sentence(text: str) -> str:
    """The first sentence (or line) of a description, on one line."""
    line = " ".join(text.strip().split("\n\n")[0].split())
    match = re.match(r"(.+?[.!?])(\s|$)", line)
    return match.group(1) if match else line


def _model_kind(schema: Any) -> str:
    if not isinstance(schema, dict):
        return "type"
    if schema.get("enum"):
        return "enum"
    if any(k in schema for k in ("oneOf", "anyOf")):
        return "union"
    return "model" if schema.get("properties") or schema.get("allOf") else "type"
