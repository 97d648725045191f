"""One example call per operation, written as a runnable curl command and as a Python SDK call.

Both use the same values: the spec's examples for path, query, header and cookie parameters and
the body, and a placeholder for each credential the operation's security asks for.
"""

from __future__ import annotations

import json
import pprint
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from generator.emit.docs import wire
from generator.model import SecurityScheme

PLAIN_INDENT = "    "


@dataclass(frozen=True)
class Credential:
    """A security scheme's placeholder: where it travels, and the SDK argument that takes it."""

    scheme: SecurityScheme
    python_name: str

    @property
    def placeholder(self) -> str:
        return "YOUR_" + "".join(c if c.isalnum() else "_" for c in self.scheme.key).upper()

    @property
    def kind(self) -> str:
        """`apiKey`, `basic` or `bearer` (OAuth 2 and OpenID Connect send a bearer token)."""
        if self.scheme.type == "apiKey":
            return "apiKey"
        return "basic" if self.scheme.type == "http" and self.scheme.scheme == "basic" else "bearer"


@dataclass
class ExampleCall:
    """The values one example request sends."""

    method: str
    url: str
    media_type: str | None = None
    media_kind: str = ""
    body: Any = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    arguments: list[tuple[str, Any]] = field(default_factory=list)  # SDK keyword arguments, in order

    def credential_headers(self) -> list[tuple[str, str]]:
        result = []
        for c in self.credentials:
            if c.kind == "apiKey" and c.scheme.location == "header":
                result.append((c.scheme.parameter_name, c.placeholder))
            elif c.kind == "bearer":
                result.append(("Authorization", f"Bearer {c.placeholder}"))
        return result

    def credential_query(self) -> list[str]:
        return [f"{c.scheme.parameter_name}={c.placeholder}" for c in self.credentials
                if c.kind == "apiKey" and c.scheme.location == "query"]


def _shell(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def body_text(kind: str, body: Any) -> str:
    """A body as the request carries it: JSON indented, a form URL-encoded, text as written."""
    if kind == "form" and isinstance(body, dict):
        return urlencode({k: wire.scalar(v) for k, v in body.items()})
    if isinstance(body, str) and kind != "json":
        return body
    return json.dumps(body, indent=2, ensure_ascii=False)


def curl(call: ExampleCall) -> str:
    """A curl command that runs as shown once the placeholders are replaced."""
    url = call.url
    query = call.credential_query()
    if query:
        url += ("&" if "?" in url else "?") + "&".join(query)
    parts = [f"curl -X {call.method.upper()} {_shell(url)}"]
    for name, value in call.credential_headers() + call.headers:
        parts.append(f"-H {_shell(f'{name}: {value}')}")
    parts += [f"-u {_shell(f'{c.placeholder}_USER:{c.placeholder}_PASSWORD')}"
              for c in call.credentials if c.kind == "basic"]
    cookies = call.cookies + [f"{c.scheme.parameter_name}={c.placeholder}" for c in call.credentials
                              if c.kind == "apiKey" and c.scheme.location == "cookie"]
    if cookies:
        parts.append(f"-b {_shell('; '.join(cookies))}")
    if call.media_type is not None:
        if call.media_kind == "multipart" and isinstance(call.body, dict):
            parts += [f"-F {_shell(f'{k}={wire.scalar(v) if not isinstance(v, (dict, list)) else json.dumps(v)}')}"
                      for k, v in call.body.items()]
        elif call.media_kind == "binary":
            parts += [f"-H {_shell('Content-Type: ' + call.media_type)}", "--data-binary @file"]
        else:
            parts += [f"-H {_shell('Content-Type: ' + call.media_type)}",
                      f"-d {_shell(body_text(call.media_kind, call.body))}"]
    return " \\\n  ".join(parts)


def python(call: ExampleCall, package: str, method: str) -> str:
    """The synchronous SDK call with the same values (`method` is `client.<group>.<name>`)."""
    credentials = ", ".join(f'{c.python_name}="{c.placeholder}"' for c in call.credentials)
    lines = [f"from {package} import Client", "", f"with Client({credentials}) as client:"]
    arguments = call.arguments
    if call.media_type is not None:
        body = b"..." if call.media_kind == "binary" else call.body
        arguments = [*arguments, ("body", body)]
    if not arguments:
        lines.append(f"{PLAIN_INDENT}result = {method}()")
    else:
        lines.append(f"{PLAIN_INDENT}result = {method}(")
        for name, value in arguments:
            text = pprint.pformat(value, width=88 - 12, sort_dicts=False).replace("\n", "\n" + PLAIN_INDENT * 2)
            lines.append(f"{PLAIN_INDENT * 2}{name}={text},")
        lines.append(f"{PLAIN_INDENT})")
    lines.append(f"{PLAIN_INDENT}print(result)")
    return "\n".join(lines)
