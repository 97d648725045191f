"""The intermediate representation every emitter reads: Api > Group > Operation > parts.

Names are decided here, once: Python-safe, collision-free and deterministic.
Templates only lay them out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from generator import models_document_cache
from generator.config import Selection
from generator.load import Document, join_pointer
from generator.model import MediaType, ModelError, RequestBody, Schema, SpecModel
from generator.model import Operation as SpecOperation
from generator.model import Response as SpecResponse
from generator.model.api import BINARY, FORM, JSON, MULTIPART
from generator.naming import UniqueNames, pascal_case, snake_case
from generator.refs import iter_refs
from generator.model.schema import schema_types
from generator.schemas import Annotator, SchemaRegistry, UnsupportedSchema, needs_class

IDEMPOTENT_METHODS = {"get", "head", "options", "put", "delete", "trace"}
# Attributes of the generated Client and AsyncClient that a tag's namespace must not take.
CLIENT_ATTRIBUTES = frozenset({"credentials", "close", "capture_responses"})
METHOD_ARGUMENTS = {"self", "body", "timeout", "extra_headers", "raw"}
PAGE_NAMES = ("page", "page_number", "pageNumber")
SIZE_NAMES = ("size", "page_size", "pageSize", "per_page", "limit")
ITEM_NAMES = ("content", "results", "items", "data")
PAGING_NAMES = ("paging", "pagination", "page_info", "meta")
TOTAL_NAMES = ("total", "totalCount", "total_count", "totalElements", "total_elements")


@dataclass
class Parameter:
    """A path, query, header or cookie parameter."""

    name: str
    python_name: str
    location: str
    required: bool
    annotation: str
    default: str | None
    description: str
    constraints: dict[str, Any]  # pydantic Field arguments from the schema (pattern, min_length, ge, ...)
    style: str = "simple"
    explode: bool = False
    shape: str = "primitive"  # primitive | array | object: what the style serialises
    allow_reserved: bool = False
    content_type: str | None = None  # the media type of a parameter described by `content`
    allow_empty_value: bool = False  # `name=` is accepted (and means not given)
    string_format: str | None = None  # a string's `format`, which the server checks as JSON Schema does


@dataclass
class Body:
    """The request body an operation sends."""

    media_type: str
    kind: str  # json | form | multipart | binary | text
    annotation: str
    required: bool
    description: str
    fields: int = 0  # properties a form or multipart body declares (each may be a field or part)


@dataclass
class Response:
    """One documented response: status key, how to read it, and its Python type."""

    status: str
    media_type: str | None
    kind: str  # json | binary | text | empty
    annotation: str
    description: str


@dataclass
class Pagination:
    """How a list operation pages: where the page number and size go, where the items are."""

    location: str  # query | body
    page: str  # python name of the argument (query) or wire name of the body field
    size: str
    items: str  # wire name of the array in the response
    item_annotation: str
    total: str | None = None  # dotted wire path of the response's total record count


@dataclass
class SecurityScheme:
    """A credential the client can hold, and how it is sent."""

    key: str
    python_name: str
    kind: str  # api_key | bearer | basic
    location: str  # header | query | cookie
    wire_name: str
    description: str


@dataclass
class Operation:
    """One HTTP operation, ready for the templates."""

    operation_id: str
    python_name: str
    method: str
    path: str
    summary: str
    description: str
    deprecated: bool
    parameters: list[Parameter]
    body: Body | None
    responses: list[Response]
    success_annotation: str
    success_kind: str
    security: list[list[str]]
    pagination: Pagination | None
    pointer: str

    @property
    def idempotent(self) -> bool:
        return self.method in IDEMPOTENT_METHODS

    @property
    def errors(self) -> list[Response]:
        return [r for r in self.responses if not r.status.startswith("2") and r.kind == "json"]

    @property
    def path_parameters(self) -> list[Parameter]:
        return [p for p in self.parameters if p.location == "path"]


@dataclass
class Group:
    """The operations of one tag: `client.<attribute>` of class `<class_name>`."""

    tag: str
    attribute: str
    module: str
    class_name: str
    description: str
    operations: list[Operation] = field(default_factory=list)


@dataclass
class Api:
    """A whole spec, parsed for generation."""

    title: str
    version: str
    description: str
    spec_name: str
    spec_sha256: str
    openapi_version: str
    servers: list[str]
    security_schemes: list[SecurityScheme]
    groups: list[Group]
    models_document: dict[str, Any]
    request_models: set[str]
    component_models: dict[str, str]  # component schema key -> the model class generated for it
    base_paths: list[str] = field(default_factory=list)  # the servers' URL paths (`/self-service/v1`)
    referenced_files: list[Path] = field(default_factory=list)  # besides the spec, the files its $refs reached

    @property
    def operations(self) -> list[Operation]:
        return [op for group in self.groups for op in group.operations]


def build_api(document: Document, spec_name: str | None = None, selection: Selection | None = None, *,
              models: bool = True, remember: str | None = None) -> Api:
    """Parse a loaded document into the IR; UnsupportedSchema names what cannot be generated.

    `selection` keeps a subset of the operations (by tag and operationId); `models=False` leaves
    the models document empty: enough for the names (the docs use it). With `remember` (the
    generator's fingerprint) the models document comes from the cache when its schemas are unchanged.
    """
    return _Builder(document, selection or Selection()).build(spec_name or document.name, models, remember)


@dataclass
class ClientSurface:
    """What code written against the generated client names: methods, and the IR of some operations."""

    calls: dict[tuple[str, str], str]  # (method, path) of every operation -> "client.<group>.<method>"
    operations: list[Operation]  # the wanted operations, built
    component_models: dict[str, str]


def client_surface(document: Document, wanted: Callable[[SpecOperation], bool]) -> ClientSurface:
    """The client's names for every operation, the full IR only for the `wanted` ones (the cheap part of
    `build_api`: no models document); UnsupportedSchema names what cannot be generated."""
    builder = _Builder(document, Selection())
    try:
        builder.scheme_names = {s.key: s.python_name for s in builder._security_schemes()}
        groups = builder._groups(wanted)
    except ModelError as exc:
        raise UnsupportedSchema(exc.document, exc.pointer, str(exc)) from None
    return ClientSurface(builder.calls, [op for g in groups for op in g.operations],
                         builder.registry.component_names())


class _Builder:
    def __init__(self, document: Document, selection: Selection):
        self.document = document
        self.selection = selection
        self.spec = SpecModel(document)
        self.registry = SchemaRegistry(self.spec.resolver)
        self.annotate = Annotator(self.registry)
        self.request_roots: set[str] = set()  # model names request bodies use
        self.response_roots: set[str] = set()  # model names responses use
        self.calls: dict[tuple[str, str], str] = {}  # (method, path) -> "client.<group>.<method>"

    def build(self, spec_name: str, models: bool, remember: str | None) -> Api:
        info = self.spec.info
        try:
            schemes = self._security_schemes()
            self.scheme_names = {s.key: s.python_name for s in schemes}
            groups = self._groups()
        except ModelError as exc:
            raise UnsupportedSchema(exc.document, exc.pointer, str(exc)) from None
        version = self.spec.openapi_version
        if not models:
            models_document: dict[str, Any] = {}
        elif remember is None:
            models_document = self.registry.models_document(version)
        else:
            models_document = models_document_cache.models_document(self.registry, version, remember)
        return Api(
            title=str(info.get("title") or "API"),
            version=str(info.get("version") or ""),
            description=str(info.get("description") or ""),
            spec_name=spec_name,
            spec_sha256=hashlib.sha256(self.document.text.encode()).hexdigest(),
            openapi_version=version,
            servers=[server.resolved_url for server in self.spec.servers],
            security_schemes=schemes,
            groups=groups,
            models_document=models_document,
            request_models=self._request_only_models(models_document) if models else set(),
            component_models=self.registry.component_names(),
            base_paths=sorted({server.base_path for server in self.spec.servers
                               if server.base_path.startswith("/") and "{" not in server.base_path}),
            referenced_files=sorted(path for path in self.spec.resolver.documents
                                    if path != self.document.path.resolve()),
        )

    # -- operations -------------------------------------------------------------------------

    def _groups(self, wanted: Callable[[SpecOperation], bool] | None = None) -> list[Group]:
        """The operations by tag; with `wanted`, the others are named (`self.calls`) but not built."""
        tag_docs = self.spec.tags
        groups: dict[str, Group] = {}
        attributes = UniqueNames(CLIENT_ATTRIBUTES, separator="_")
        class_names = UniqueNames(separator="")
        method_names: dict[str, UniqueNames] = {}
        operation_ids = UniqueNames(separator="_")
        operations = self.spec.operations
        unknown = self.selection.unknown({t for op in operations for t in op.tags},
                                         {op.operation_id for op in operations if op.operation_id})
        if unknown:
            raise UnsupportedSchema(self.document, "", f"the generate filters name no {', no '.join(unknown)}")
        for operation in operations:
            if not self.selection.admits(operation.tags, operation.operation_id or ""):
                continue
            tag = (operation.tags or ["default"])[0]
            if tag not in groups:
                attribute = attributes.claim(snake_case(tag, "default"))
                class_name = _claim_class_name(class_names, pascal_case(tag, "Default") + "Api")
                groups[tag] = Group(tag, attribute, attribute, class_name,
                                    str(tag_docs.get(tag, {}).get("description") or ""))
                method_names[tag] = UniqueNames(separator="_")
            op_id = operation_ids.claim(operation.operation_id or f"{operation.method} {operation.path}")
            python_name = method_names[tag].claim(snake_case(op_id, operation.method))
            self.calls[(operation.method, operation.path)] = f"client.{groups[tag].attribute}.{python_name}"
            if wanted is None or wanted(operation):
                groups[tag].operations.append(self._operation(operation, op_id, python_name))
        return sorted(groups.values(), key=lambda g: g.attribute)

    def _operation(self, operation: SpecOperation, operation_id: str, python_name: str) -> Operation:
        hint = pascal_case(python_name)
        pointer = join_pointer(["paths", operation.path, operation.method])
        responses = self._responses(operation, hint)
        success = [r for r in responses if r.status.startswith("2")] or [
            r for r in responses if r.status == "default"
        ]
        success_kind = next((r.kind for r in success if r.kind != "empty"), "empty")
        annotations = list(dict.fromkeys(r.annotation for r in success if r.kind == success_kind))
        op = Operation(
            operation_id=operation_id,
            python_name=python_name,
            method=operation.method,
            path=operation.path,
            summary=operation.summary,
            description=operation.description,
            deprecated=operation.deprecated,
            parameters=self._parameters(operation, hint),
            body=self._body(operation.request_body, hint),
            responses=responses,
            success_annotation=" | ".join(annotations) if annotations else "None",
            success_kind=success_kind,
            security=[sorted(self.scheme_names[k] for k in r if k in self.scheme_names) for r in operation.security],
            pagination=None,
            pointer=pointer,
        )
        op.pagination = self._pagination(op, operation)
        return op

    def _parameters(self, operation: SpecOperation, hint: str) -> list[Parameter]:
        names = UniqueNames(METHOD_ARGUMENTS, separator="_")
        result = []
        for parameter in operation.parameters:
            schema = parameter.value_schema
            raw_schema = parameter.raw.get("schema")
            if raw_schema is None and parameter.content_media_type is not None:
                raw_schema = parameter.content_media_type.raw.get("schema")
            schema_pointer = (parameter.content_media_type.pointer if parameter.schema is None
                              and parameter.content_media_type else parameter.pointer) + "/schema"
            if parameter.shape == "object":  # an object parameter is given as its model (or a dict)
                annotation = self.annotate.model(raw_schema, parameter.document, schema_pointer,
                                                 hint + pascal_case(parameter.name))
            else:
                annotation = self.annotate.parameter(raw_schema or {}, parameter.document, schema_pointer)
            default = parameter.default
            result.append(Parameter(
                name=parameter.name,
                python_name=names.claim(snake_case(parameter.name, "param")),
                location=parameter.location,
                required=parameter.required,
                annotation=annotation,
                default=repr(default) if default is not None and not parameter.required else None,
                description=parameter.description,
                constraints=_constraints(schema.node if schema is not None else None),
                style=parameter.style,
                explode=parameter.explode,
                shape=parameter.shape,
                allow_reserved=parameter.allow_reserved,
                content_type=parameter.content_media_type.name if parameter.content_media_type else None,
                allow_empty_value=parameter.allow_empty_value,
                string_format=schema.format if schema is not None and "string" in schema.types else None,
            ))
        order = {"path": 0, "query": 1, "header": 2, "cookie": 3}
        return sorted(result, key=lambda p: (not p.required, order.get(p.location, 4)))

    def _body(self, body: RequestBody | None, hint: str) -> Body | None:
        media = body.preferred if body is not None else None
        if body is None or media is None:
            return None
        if media.kind in (JSON, FORM, MULTIPART):
            annotation = self._media_annotation(media, hint + "Request")
            self.request_roots.update(re.findall(r"models\.(\w+)", annotation))
        else:
            annotation = "bytes" if media.kind == BINARY else "str"
        fields = len(media.schema.properties) if media.kind in (FORM, MULTIPART) and media.schema is not None else 0
        return Body(media.name, media.kind, annotation, body.required, body.description, fields)

    def _responses(self, operation: SpecOperation, hint: str) -> list[Response]:
        result = []
        for response in operation.responses.values():
            status = response.status
            media = response.preferred
            if media is None:
                result.append(Response(status, None, "empty", "None", response.description))
                continue
            kind = media.kind
            if kind in (JSON, FORM, MULTIPART):
                suffix = "Response" if status.startswith("2") else f"Error{pascal_case(status)}"
                annotation = self._media_annotation(media, hint + suffix)
                self.response_roots.update(re.findall(r"models\.(\w+)", annotation))
                kind = JSON
            else:
                annotation = "bytes" if kind == BINARY else "str"
            result.append(Response(status, media.name, kind, annotation, response.description))
        return result

    def _media_annotation(self, media: MediaType, hint: str) -> str:
        """The annotation of a media type's schema, as written (a `$ref` names its model)."""
        return self.annotate.model(media.raw.get("schema") or {}, media.document, f"{media.pointer}/schema", hint)

    def _pagination(self, op: Operation, operation: SpecOperation) -> Pagination | None:
        """Recognise page-numbered list operations: a page and a size in, an array of items out."""
        if op.success_kind != "json":
            return None
        success = next((r for r in op.responses if r.status.startswith("2") and r.kind == "json"), None)
        schema = _preferred_schema(operation.responses.get(success.status) if success else None)
        properties = schema.properties if schema is not None else {}
        items_name = next((n for n in ITEM_NAMES if n in properties), None)
        if items_name is None:
            return None
        items_schema = properties[items_name]
        if "array" not in items_schema.types:  # a nullable array pages too (a null page has no items)
            return None
        by_wire = {p.name: p for p in op.parameters if p.location == "query"}
        page = next((by_wire[n] for n in PAGE_NAMES if n in by_wire), None)
        size = next((by_wire[n] for n in SIZE_NAMES if n in by_wire), None)
        item_annotation = self._item_annotation(items_schema)
        if page and size:
            return Pagination("query", page.python_name, size.python_name, items_name, item_annotation,
                              _total(properties))
        body_schema = _preferred_schema(operation.request_body)
        body_properties = body_schema.properties if body_schema is not None else {}
        body_page = next((n for n in PAGE_NAMES if n in body_properties), None)
        body_size = next((n for n in SIZE_NAMES if n in body_properties), None)
        if body_page and body_size:
            return Pagination("body", body_page, body_size, items_name, item_annotation, _total(properties))
        return None

    def _item_annotation(self, array_schema: Schema) -> str:
        """The items' annotation when it is a named model or a plain type; else Any.

        Inline object items are classes datamodel-code-generator names itself, so they stay Any.
        """
        items = array_schema.get("items")
        if isinstance(items, dict) and ("$ref" in items or not needs_class(items, schema_types(items))):
            return self.annotate.model(items, array_schema.document, f"{array_schema.pointer}/items", "Item")
        return "Any"

    # -- security and models ----------------------------------------------------------------

    def _security_schemes(self) -> list[SecurityScheme]:
        names = UniqueNames({"self", "base_url", "timeout", "retries", "http_client", "headers"}, separator="_")
        schemes = []
        for key, scheme in self.spec.security_schemes.items():
            kind = "bearer"
            if scheme.type == "apiKey":
                kind = "api_key"
            elif scheme.type == "http" and scheme.scheme == "basic":
                kind = "basic"
            schemes.append(SecurityScheme(key, names.claim(snake_case(key, "credential")), kind,
                                          scheme.location, scheme.parameter_name, scheme.description))
        return schemes

    def _request_only_models(self, models_document: dict[str, Any]) -> set[str]:
        """Models reachable from request bodies but never from a response: they forbid unknown fields."""
        schemas = models_document["components"]["schemas"]
        prefix = "#/components/schemas/"
        edges = {name: {ref[len(prefix):] for _, ref in iter_refs(schema) if ref.startswith(prefix)}
                 for name, schema in schemas.items()}
        return _reachable(self.request_roots, edges) - _reachable(self.response_roots, edges)


def _total(properties: dict[str, Schema]) -> str | None:
    """Where a page says how many records there are: `total` at the top or in a paging object."""
    for owner in ("", *PAGING_NAMES):
        inner = properties if not owner else properties[owner].properties if owner in properties else {}
        name = next((n for n in TOTAL_NAMES if n in inner), None)
        if name is not None:
            return f"{owner}.{name}" if owner else name
    return None


def _claim_class_name(names: UniqueNames, wanted: str) -> str:
    """A group class name that is free together with its `Async` twin; both are claimed."""
    candidate, counter = wanted, 1
    while candidate.lower() in names.taken or f"async{candidate.lower()}" in names.taken:
        counter += 1
        candidate = f"{wanted}{counter}"
    names.claim(candidate)
    names.claim("Async" + candidate)
    return candidate


def _preferred_schema(owner: RequestBody | SpecResponse | None) -> Schema | None:
    """The schema of the media type a client would choose."""
    media = owner.preferred if owner is not None else None
    return media.schema if media is not None else None


_CONSTRAINTS = {"pattern": "pattern", "minLength": "min_length", "maxLength": "max_length", "minimum": "ge",
                "maximum": "le", "multipleOf": "multiple_of"}


_FORMAT_CONSTRAINTS: dict[str, dict[str, Any]] = {
    "int32": {"ge": -(2**31), "le": 2**31 - 1},
    "int64": {"ge": -(2**63), "le": 2**63 - 1},
    "uuid": {"pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"},
}


def _constraints(schema: Any) -> dict[str, Any]:
    """A scalar schema's constraints as pydantic Field arguments (3.0 and 3.1 exclusive bounds alike)."""
    if not isinstance(schema, dict) or schema_types(schema) and set(schema_types(schema)) - {
            "string", "integer", "number", "null"}:
        return {}
    result = {name: schema[key] for key, name in _CONSTRAINTS.items() if key in schema}
    result.update({k: v for k, v in _FORMAT_CONSTRAINTS.get(str(schema.get("format")), {}).items() if k not in result})
    for key, bound, name in (("exclusiveMinimum", "minimum", "gt"), ("exclusiveMaximum", "maximum", "lt")):
        value = schema.get(key)
        if value is True and bound in schema:
            result[name] = result.pop({"minimum": "ge", "maximum": "le"}[bound])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            result[name] = value
    return result


def _reachable(roots: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(roots)
    pending = list(roots)
    while pending:
        for target in edges.get(pending.pop(), ()):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen
