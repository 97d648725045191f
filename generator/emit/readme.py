"""The example a generated package's README opens with: real calls that type-check."""

from __future__ import annotations

import re

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
