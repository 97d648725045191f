"""View objects of one API page: everything the template shows, decided here.

They read the resolved spec model (`generator.model`) for meaning and the IR
(`generator.ir`) for names: SDK packages, namespaces, methods and argument names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.emit.docs import examples, wire
from generator.emit.docs.schemas import Row, SchemaTables, TypeName, as_written
from generator.emit.docs.snippets import (
    Credential,
    ExampleCall,
    body_text,
    curl,
    python,
)
from generator.emit.docs.text import anchor, markdown
from generator.ir import Api, build_api
from generator.ir import Operation as IrOperation
from generator.load import Document
from generator.model import MediaType, Operation, Parameter, Response, SpecModel
from generator.naming import UniqueNames

_SHARED_RESPONSE = re.compile(r"^/components/responses/([^/]+)$")
EXAMPLE_SERVER = "https://api.example.com"
MAX_OPTIONAL = 3  # optional parameters an example call sets (the first ones with a written example)


@dataclass
class ExampleView:
    title: str
    text: str


@dataclass
class MediaView:
    """One media type of a body: its schema (a link for a component, else a field table) and examples."""

    media_type: str
    type: TypeName
    rows: list[Row]
    examples: list[ExampleView]


@dataclass
class ParameterView:
    name: str
    location: str
    type: TypeName
    required: bool
    description: Markup
    details: list[str]


@dataclass
class ResponseView:
    status: str
    description: Markup
    shared: TypeName | None  # the shared response it is, linked; its content is described there
    headers: list[ParameterView]
    media: list[MediaView]

    @property
    def examples(self) -> list[ExampleView]:
        return [e for m in self.media for e in m.examples]


@dataclass
class BodyView:
    required: bool
    description: Markup
    media: list[MediaView]


@dataclass
class OperationView:
    anchor: str
    method: str
    path: str
    summary: str
    description: Markup
    deprecated: bool
    listed_only: bool
    inferred: str
    security: str
    parameters: list[ParameterView]
    body: BodyView | None
    responses: list[ResponseView]
    curl: str
    python: str
    try_it: dict[str, Any]


@dataclass
class GroupView:
    tag: str
    anchor: str
    description: Markup
    operations: list[OperationView] = field(default_factory=list)


@dataclass
class NamedView:
    """A component on its own anchor: a schema (rows) or a shared response."""

    name: str
    anchor: str
    type: TypeName
    description: Markup
    details: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    response: ResponseView | None = None


@dataclass
class SchemeView:
    key: str
    text: str
    description: Markup


@dataclass
class PageView:
    slug: str
    title: str
    version: str
    description: Markup
    servers: list[tuple[str, str]]
    schemes: list[SchemeView]
    groups: list[GroupView]
    responses: list[NamedView]
    schemas: list[NamedView]
    downloads: list[str] = field(default_factory=list)  # file names under <slug>/

    @property
    def operations(self) -> list[OperationView]:
        return [op for group in self.groups for op in group.operations]

    @property
    def try_it(self) -> dict[str, Any]:
        """What the try-it panel needs: the servers, and each operation's request template by anchor."""
        return {"servers": [url for url, _ in self.servers],
                "operations": {op.anchor: op.try_it for op in self.operations}}


class PageBuilder:
    """Builds the `PageView` of one spec."""

    def __init__(self, document: Document, slug: str, package: str):
        self.model = SpecModel(document)
        self.api: Api = build_api(document, models=False)
        self.slug = slug
        self.package = package
        self.tables = SchemaTables(self.model, slug)
        ids = UniqueNames(separator="-")
        self.response_anchors = {name: ids.claim(anchor(slug, "response", name)) for name in self._shared_responses()}
        self.scheme_names = {s.key: s.python_name for s in self.api.security_schemes}
        self.base_url = self.api.servers[0].rstrip("/") if self.api.servers else EXAMPLE_SERVER

    def _shared_responses(self) -> list[str]:
        components = self.model.data.get("components")
        responses = components.get("responses") if isinstance(components, dict) else None
        return [str(name) for name in responses] if isinstance(responses, dict) else []

    def build(self, title: str) -> PageView:
        operations = {(op.path, op.method): op for op in self.model.operations}
        groups = [GroupView(group.tag, anchor(self.slug, "tag", group.tag), markdown(group.description),
                            [self.operation(operations[(op.path, op.method)], op, group.attribute)
                             for op in group.operations])
                  for group in self.api.groups]
        schemas = [NamedView(name, self.tables.anchors[name], self.tables.type_name(as_written(schema)),
                             markdown(str(schema.get("description") or "")), self.tables.details(schema),
                             self.tables.rows(schema))
                   for name, schema in self.model.schemas.items()]
        shared = self.model.responses(self.model.data["components"]["responses"], self.model.document,
                                      "/components/responses") if self.response_anchors else {}
        responses = [NamedView(name, self.response_anchors[name], TypeName("response"),
                               markdown(response.description), response=self.response(response, shared_ok=False))
                     for name, response in shared.items()]
        info = self.model.info
        schemes = [SchemeView(s.key, _scheme_text(s.raw, s.type, s.location, s.parameter_name),
                              markdown(s.description)) for s in self.model.security_schemes.values()]
        return PageView(self.slug, title, str(info.get("version") or ""), markdown(str(info.get("description") or "")),
                        [(s.resolved_url, s.description) for s in self.model.servers], schemes, groups,
                        responses, schemas)

    # -- one operation -----------------------------------------------------------------------------

    def operation(self, operation: Operation, ir_op: IrOperation, attribute: str) -> OperationView:
        body = operation.request_body
        call = self.example_call(operation, ir_op)
        method = f"client.{attribute}.{ir_op.python_name}"
        return OperationView(
            anchor=operation_anchor(self.slug, ir_op), method=operation.method, path=operation.path,
            summary=operation.summary, description=markdown(operation.description),
            deprecated=operation.deprecated, listed_only=operation.raw.get("x-documented") is False,
            inferred=str(operation.raw.get("x-inferred") or ""),
            security=" or ".join(" + ".join(r) for r in operation.security) or "none",
            parameters=[self.parameter(p) for p in _ordered(operation.parameters)],
            body=BodyView(body.required, markdown(body.description), [self.media(m) for m in body.content.values()])
            if body is not None else None,
            responses=[self.response(r) for r in operation.responses.values()],
            curl=curl(call), python=python(call, self.package, method), try_it=self.try_it(operation, ir_op, call),
        )

    def parameter(self, p: Parameter) -> ParameterView:
        schema = p.value_schema
        details = self.tables.details(schema)
        how = wire.serialization(p)
        if how:
            details.insert(0, how)
        if p.deprecated:
            details.append("deprecated")
        return ParameterView(p.name, p.location, self.tables.type_name(schema), p.required, markdown(p.description),
                             details)

    def media(self, media: MediaType) -> MediaView:
        schema = media.schema
        structured = schema is not None and self.tables.component(schema) is None
        return MediaView(media.name, self.tables.type_name(schema), self.tables.rows(schema) if structured else [],
                         [ExampleView(": ".join(filter(None, (e.name or "example", e.summary))), _pretty(e.value))
                          for e in examples.media_examples(self.model, media)])

    def response(self, response: Response, shared_ok: bool = True) -> ResponseView:
        match = _SHARED_RESPONSE.match(response.pointer) if response.document is self.model.document else None
        name = match.group(1).replace("~1", "/").replace("~0", "~") if match and shared_ok else None
        if name in self.response_anchors:
            return ResponseView(response.status, markdown(response.description),
                                TypeName(name, "#" + self.response_anchors[name]), [], [])
        headers = [ParameterView(h.name, "header", self.tables.type_name(h.schema), h.required,
                                 markdown(h.description), self.tables.details(h.schema))
                   for h in response.headers.values()]
        return ResponseView(response.status, markdown(response.description), None, headers,
                            [self.media(m) for m in response.content.values()])

    # -- the example call ------------------------------------------------------------------------

    def example_call(self, operation: Operation, ir_op: IrOperation) -> ExampleCall:
        python_names = {(p.name, p.location): p.python_name for p in ir_op.parameters}
        path, query = operation.path, []
        call = ExampleCall(operation.method, "")
        optional = 0
        for p in _ordered(operation.parameters):
            if not p.required:
                written = examples.named_examples(self.model, p)
                if optional == MAX_OPTIONAL or not written and not (p.value_schema and p.value_schema.has("example")):
                    continue
                optional += 1
            value = examples.parameter_example(self.model, p)
            sent = wire.encoded(p, value)
            if sent is None:  # an example the parameter's style cannot carry: left out of the call
                continue
            call.arguments.append((python_names[(p.name, p.location)], value))
            if p.location == "path":
                path = path.replace("{" + p.name + "}", sent)
            elif p.location == "query":
                query.append(sent)
            elif p.location == "header":
                call.headers.append((p.name, sent))
            elif p.location == "cookie":
                call.cookies.append(sent)
        call.url = self.base_url + path + ("?" + "&".join(query) if query else "")
        schemes = self.model.security_schemes
        first = operation.security[0] if operation.security else {}
        call.credentials = [Credential(schemes[key], self.scheme_names.get(key, key)) for key in first if key in schemes]
        body = operation.request_body
        media = body.preferred if body is not None else None
        if media is not None:
            written = examples.media_examples(self.model, media)
            call.media_type, call.media_kind = media.name, media.kind
            call.body = written[0].value if written else ""
        return call

    def try_it(self, operation: Operation, ir_op: IrOperation, call: ExampleCall) -> dict[str, Any]:
        """The request template of the try-it panel, prefilled with the example call's values."""
        values = dict(call.arguments)
        python_names = {(p.name, p.location): p.python_name for p in ir_op.parameters}
        parameters = []
        for p in _ordered(operation.parameters):
            value = values.get(python_names[(p.name, p.location)])
            parameters.append({"name": p.name, "in": p.location, "required": p.required,
                               "explode": p.explode, "style": p.style,
                               "value": _form_text(value) if python_names[(p.name, p.location)] in values else ""})
        credentials = [{"key": c.scheme.key, "kind": c.kind, "in": c.scheme.location, "name": c.scheme.parameter_name}
                       for c in call.credentials]
        body = None
        if call.media_type is not None:
            body = {"type": call.media_type, "text": body_text(call.media_kind, call.body)}
        return {"method": operation.method.upper(), "path": operation.path, "parameters": parameters,
                "credentials": credentials, "body": body}


def operation_anchor(slug: str, op: IrOperation) -> str:
    return anchor(slug, "op", op.operation_id or f"{op.method} {op.path}")


def _ordered(parameters: list[Parameter]) -> list[Parameter]:
    """Required first, then by location: path, query, header, cookie (as the SDK orders its arguments)."""
    order = {"path": 0, "query": 1, "header": 2, "cookie": 3}
    return sorted(parameters, key=lambda p: (not p.required, order.get(p.location, 4)))


def _pretty(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)


def _form_text(value: Any) -> str:
    """A value as typed into a form field: lists comma-separated, objects as JSON."""
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ",".join(wire.scalar(v) for v in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return wire.scalar(value)


def _scheme_text(raw: dict[str, Any], kind: str, location: str, name: str) -> str:
    if kind == "apiKey":
        return f"API key in the {location} {name}"
    if kind == "http":
        return f"HTTP {raw.get('scheme') or ''!s} authentication (Authorization header)"
    return {"oauth2": "OAuth 2 bearer token", "openIdConnect": "OpenID Connect bearer token"}.get(kind, kind)


def page_package(spec: Path) -> str:
    """The SDK package `generate` makes for a spec (the Python snippets import it)."""
    from generator.freshness import default_package

    return default_package(spec)
