"""The intermediate representation every emitter reads: Api > Group > Operation > parts.

Names are decided here, once: Python-safe, collision-free and deterministic.
Templates only lay them out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from generator.load import Document, join_pointer, split_pointer
from generator.naming import UniqueNames, pascal_case, snake_case
from generator.refs import RefError, Resolver, iter_refs
from generator.schemas import Annotator, SchemaRegistry, UnsupportedSchema, needs_class, schema_types
from generator.walk import HTTP_METHODS

IDEMPOTENT_METHODS = {"get", "head", "options", "put", "delete", "trace"}
IGNORED_HEADERS = {"accept", "content-type", "authorization"}  # OpenAPI says these are ignored
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


@dataclass
class Body:
    """The request body an operation sends."""

    media_type: str
    kind: str  # json | form | multipart | binary | text
    annotation: str
    required: bool
    description: str


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

    @property
    def operations(self) -> list[Operation]:
        return [op for group in self.groups for op in group.operations]


def build_api(document: Document, spec_name: str | None = None) -> Api:
    """Parse a loaded document into the IR; UnsupportedSchema names what cannot be generated."""
    return _Builder(document).build(spec_name or document.name)


class _Builder:
    def __init__(self, document: Document):
        self.document = document
        self.data: dict[str, Any] = document.data
        self.resolver = Resolver(document)
        self.registry = SchemaRegistry(self.resolver)
        self.annotate = Annotator(self.registry)
        self.request_roots: set[str] = set()  # model names request bodies use
        self.response_roots: set[str] = set()  # model names responses use

    def build(self, spec_name: str) -> Api:
        info = self.data.get("info") or {}
        schemes = self._security_schemes()
        self.scheme_names = {s.key: s.python_name for s in schemes}
        groups = self._groups()
        version = str(self.data.get("openapi"))
        models_document = self.registry.models_document(version)
        return Api(
            title=str(info.get("title") or "API"),
            version=str(info.get("version") or ""),
            description=str(info.get("description") or ""),
            spec_name=spec_name,
            spec_sha256=hashlib.sha256(self.document.text.encode()).hexdigest(),
            openapi_version=version,
            servers=[_server_url(s) for s in self.data.get("servers") or [] if isinstance(s, dict)],
            security_schemes=schemes,
            groups=groups,
            models_document=models_document,
            request_models=self._request_only_models(models_document),
        )

    # -- operations -------------------------------------------------------------------------

    def _groups(self) -> list[Group]:
        tag_docs = {t.get("name"): t for t in self.data.get("tags") or [] if isinstance(t, dict)}
        groups: dict[str, Group] = {}
        attributes = UniqueNames({"credentials", "close", "raw", "http"}, separator="_")
        method_names: dict[str, UniqueNames] = {}
        operation_ids = UniqueNames(separator="_")
        for path, item in (self.data.get("paths") or {}).items():
            item = self._deref(item, join_pointer(["paths", path]))
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                tag = str((operation.get("tags") or ["default"])[0])
                if tag not in groups:
                    attribute = attributes.claim(snake_case(tag, "default"))
                    doc = tag_docs.get(tag) or {}
                    groups[tag] = Group(tag, attribute, attribute, pascal_case(tag, "Default") + "Api",
                                        str(doc.get("description") or ""))
                    method_names[tag] = UniqueNames(separator="_")
                pointer = join_pointer(["paths", path, method])
                op_id = operation_ids.claim(str(operation.get("operationId") or f"{method} {path}"))
                python_name = method_names[tag].claim(snake_case(op_id, method))
                groups[tag].operations.append(self._operation(path, method, item, operation, op_id,
                                                              python_name, pointer))
        return sorted(groups.values(), key=lambda g: g.attribute)

    def _operation(self, path: str, method: str, item: dict[str, Any], operation: dict[str, Any],
                   operation_id: str, python_name: str, pointer: str) -> Operation:
        hint = pascal_case(python_name)
        parameters = self._parameters(item, operation, pointer, hint)
        body = self._body(operation.get("requestBody"), pointer, hint)
        responses = self._responses(operation.get("responses") or {}, pointer, hint)
        success = [r for r in responses if r.status.startswith("2")] or [
            r for r in responses if r.status == "default"
        ]
        success_kind = next((r.kind for r in success if r.kind != "empty"), "empty")
        annotations = list(dict.fromkeys(r.annotation for r in success if r.kind == success_kind))
        security = operation.get("security", self.data.get("security")) or []
        op = Operation(
            operation_id=operation_id,
            python_name=python_name,
            method=method,
            path=path,
            summary=str(operation.get("summary") or ""),
            description=str(operation.get("description") or ""),
            deprecated=bool(operation.get("deprecated")),
            parameters=parameters,
            body=body,
            responses=responses,
            success_annotation=" | ".join(annotations) if annotations else "None",
            success_kind=success_kind,
            security=[sorted(self.scheme_names[str(k)] for k in r if str(k) in self.scheme_names)
                      for r in security if isinstance(r, dict)],
            pagination=None,
            pointer=pointer,
        )
        op.pagination = self._pagination(op, operation, pointer)
        return op

    def _parameters(self, item: dict[str, Any], operation: dict[str, Any], pointer: str,
                    hint: str) -> list[Parameter]:
        merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        item_pointer = pointer.rsplit("/", 1)[0]
        for owner, owner_pointer in ((item, item_pointer), (operation, pointer)):
            for i, raw in enumerate(owner.get("parameters") or []):
                where = f"{owner_pointer}/parameters/{i}"
                parameter = self._deref(raw, where)
                if not isinstance(parameter, dict) or "name" not in parameter:
                    continue
                location = str(parameter.get("in"))
                if location == "header" and str(parameter["name"]).lower() in IGNORED_HEADERS:
                    continue
                merged[(str(parameter["name"]), location)] = (parameter, where)
        names = UniqueNames(METHOD_ARGUMENTS, separator="_")
        result = []
        for (name, location), (parameter, where) in merged.items():
            schema = parameter.get("schema")
            content_type = None
            if schema is None and isinstance(parameter.get("content"), dict) and parameter["content"]:
                content_type, media = next(iter(parameter["content"].items()))
                schema = (media or {}).get("schema")
            style, explode = serialization(parameter, location)
            shape = self._shape(schema, where)
            annotation = self.annotate.model(schema, self.document, f"{where}/schema", hint + pascal_case(name)) \
                if shape == "object" else self.annotate.parameter(schema or {}, self.document, f"{where}/schema")
            required = bool(parameter.get("required")) or location == "path"
            default = (schema or {}).get("default") if isinstance(schema, dict) else None
            result.append(Parameter(
                name=name,
                python_name=names.claim(snake_case(name, "param")),
                location=location,
                required=required,
                annotation=annotation,
                default=repr(default) if default is not None and not required else None,
                description=str(parameter.get("description") or ""),
                constraints=_constraints(self._deref(schema, where)),
                style=style,
                explode=explode,
                shape=shape,
                allow_reserved=bool(parameter.get("allowReserved")),
                allow_empty_value=bool(parameter.get("allowEmptyValue")),
                content_type=None if content_type is None else str(content_type),
            ))
        order = {"path": 0, "query": 1, "header": 2, "cookie": 3}
        return sorted(result, key=lambda p: (not p.required, order.get(p.location, 4)))

    def _shape(self, schema: Any, pointer: str, depth: int = 0) -> str:
        """What a parameter's style serialises: an array, an object or a primitive."""
        schema = self._deref(schema, pointer)
        if not isinstance(schema, dict) or depth > 20:
            return "primitive"
        members = schema.get("allOf") or []
        if len(members) == 1 and not schema_types(schema):
            return self._shape(members[0], pointer, depth + 1)
        return shape(schema)

    def _body(self, raw: Any, pointer: str, hint: str) -> Body | None:
        if raw is None:
            return None
        body, document, where = self._located(raw, f"{pointer}/requestBody")
        content = body.get("content") or {} if isinstance(body, dict) else {}
        chosen = _choose_media_type(content)
        if chosen is None:
            return None
        media_type, kind = chosen
        schema = (content[media_type] or {}).get("schema") or {}
        if kind in ("json", "form", "multipart"):
            schema_pointer = where + join_pointer(["content", media_type, "schema"])
            annotation = self.annotate.model(schema, document, schema_pointer, hint + "Request")
            self.request_roots.update(re.findall(r"models\.(\w+)", annotation))
        else:
            annotation = "bytes" if kind == "binary" else "str"
        return Body(media_type, kind, annotation, bool(body.get("required")), str(body.get("description") or ""))

    def _responses(self, responses: dict[str, Any], pointer: str, hint: str) -> list[Response]:
        result = []
        for status, raw in responses.items():
            status = str(status)
            response, document, where = self._located(raw, join_pointer([*split_pointer(pointer), "responses", status]))
            if not isinstance(response, dict):
                continue
            content = response.get("content") or {}
            chosen = _choose_media_type(content)
            description = str(response.get("description") or "")
            if chosen is None:
                result.append(Response(status, None, "empty", "None", description))
                continue
            media_type, kind = chosen
            if kind in ("json", "form", "multipart"):
                schema = (content[media_type] or {}).get("schema") or {}
                suffix = "Response" if status.startswith("2") else f"Error{pascal_case(status)}"
                schema_pointer = where + join_pointer(["content", media_type, "schema"])
                annotation = self.annotate.model(schema, document, schema_pointer, hint + suffix)
                self.response_roots.update(re.findall(r"models\.(\w+)", annotation))
                kind = "json"
            else:
                annotation = "bytes" if kind == "binary" else "str"
            result.append(Response(status, media_type, kind, annotation, description))
        return result

    def _pagination(self, op: Operation, operation: dict[str, Any], pointer: str) -> Pagination | None:
        """Recognise page-numbered list operations: a page and a size in, an array of items out."""
        if op.success_kind != "json":
            return None
        success = next((r for r in op.responses if r.status.startswith("2") and r.kind == "json"), None)
        properties = self._properties(self._success_schema(operation, success.status if success else ""))
        if not properties:
            return None
        items_name = next((n for n in ITEM_NAMES if n in properties), None)
        if items_name is None:
            return None
        items_schema = self._deref(properties[items_name], pointer)
        if not isinstance(items_schema, dict) or items_schema.get("type") != "array":
            return None
        by_wire = {p.name: p for p in op.parameters if p.location == "query"}
        page = next((by_wire[n] for n in PAGE_NAMES if n in by_wire), None)
        size = next((by_wire[n] for n in SIZE_NAMES if n in by_wire), None)
        item_annotation = self._item_annotation(items_schema, pointer)
        total = self._total(properties)
        if page and size:
            return Pagination("query", page.python_name, size.python_name, items_name, item_annotation, total)
        body_properties = self._body_properties(operation)
        body_page = next((n for n in PAGE_NAMES if n in body_properties), None)
        body_size = next((n for n in SIZE_NAMES if n in body_properties), None)
        if body_page and body_size:
            return Pagination("body", body_page, body_size, items_name, item_annotation, total)
        return None

    def _total(self, properties: dict[str, Any]) -> str | None:
        """Where a page says how many records there are: `total` at the top or in a paging object."""
        for owner in ("", *PAGING_NAMES):
            inner = self._properties(properties.get(owner)) if owner else properties
            name = next((n for n in TOTAL_NAMES if n in inner), None)
            if name is not None:
                return f"{owner}.{name}" if owner else name
        return None

    def _item_annotation(self, array_schema: dict[str, Any], pointer: str) -> str:
        """The items' annotation when it is a named model or a plain type; else Any.

        Inline object items are classes datamodel-code-generator names itself, so they stay Any.
        """
        items = array_schema.get("items")
        if isinstance(items, dict) and ("$ref" in items or not needs_class(items, schema_types(items))):
            return self.annotate.model(items, self.document, pointer, "Item")
        return "Any"

    def _success_schema(self, operation: dict[str, Any], status: str) -> Any:
        response = self._deref((operation.get("responses") or {}).get(status), "")
        content = (response or {}).get("content") or {} if isinstance(response, dict) else {}
        chosen = _choose_media_type(content)
        return self._deref((content[chosen[0]] or {}).get("schema"), "") if chosen else None

    def _body_properties(self, operation: dict[str, Any]) -> dict[str, Any]:
        body = self._deref(operation.get("requestBody"), "")
        content = (body or {}).get("content") or {} if isinstance(body, dict) else {}
        chosen = _choose_media_type(content)
        return self._properties((content[chosen[0]] or {}).get("schema")) if chosen else {}

    def _properties(self, schema: Any, depth: int = 0) -> dict[str, Any]:
        """A schema's properties, those of its `allOf` members included."""
        schema = self._deref(schema, "")
        if not isinstance(schema, dict) or depth > 20:
            return {}
        properties = dict(schema.get("properties") or {})
        for member in schema.get("allOf") or []:
            properties.update(self._properties(member, depth + 1))
        return properties

    # -- security and models ----------------------------------------------------------------

    def _security_schemes(self) -> list[SecurityScheme]:
        raw = (self.data.get("components") or {}).get("securitySchemes") or {}
        names = UniqueNames({"self", "base_url", "timeout", "retries", "http_client", "headers"}, separator="_")
        schemes = []
        for key, scheme in raw.items():
            scheme = self._deref(scheme, join_pointer(["components", "securitySchemes", key]))
            if not isinstance(scheme, dict):
                continue
            kind, location, wire = "bearer", "header", "Authorization"
            if scheme.get("type") == "apiKey":
                kind, location, wire = "api_key", str(scheme.get("in") or "header"), str(scheme.get("name") or key)
            elif scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "basic":
                kind = "basic"
            schemes.append(SecurityScheme(str(key), names.claim(snake_case(str(key), "credential")), kind,
                                          location, wire, str(scheme.get("description") or "")))
        return schemes

    def _request_only_models(self, models_document: dict[str, Any]) -> set[str]:
        """Models reachable from request bodies but never from a response: they forbid unknown fields."""
        schemas = models_document["components"]["schemas"]
        prefix = "#/components/schemas/"
        edges = {name: {ref[len(prefix):] for _, ref in iter_refs(schema) if ref.startswith(prefix)}
                 for name, schema in schemas.items()}
        return _reachable(self.request_roots, edges) - _reachable(self.response_roots, edges)

    def _deref(self, node: Any, pointer: str) -> Any:
        return self._located(node, pointer)[0]

    def _located(self, node: Any, pointer: str) -> tuple[Any, Document, str]:
        """A node with `$ref`s followed, the document it lives in and its pointer there."""
        try:
            target, document, target_pointer = self.registry.deref(node, self.document)
        except RefError as exc:
            raise UnsupportedSchema(self.document, pointer, str(exc)) from None
        return target, document, pointer if target_pointer is None else target_pointer


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


def shape(schema: dict[str, Any]) -> str:
    """What a parameter's style serialises for a (dereferenced) schema: array, object or primitive."""
    types = set(schema_types(schema)) - {"null"}
    return types.pop() if types in ({"array"}, {"object"}) else "primitive"


def serialization(parameter: dict[str, Any], location: str) -> tuple[str, bool]:
    """A parameter's style and explode, with the spec's defaults per location (form for query and
    cookie, simple for path and header; explode is true for form only)."""
    style = str(parameter.get("style") or ("form" if location in ("query", "cookie") else "simple"))
    return style, bool(parameter.get("explode", style == "form"))


def _server_url(server: dict[str, Any]) -> str:
    """A server URL with its variables set to their defaults."""
    url = str(server.get("url") or "")
    for name, variable in (server.get("variables") or {}).items():
        if isinstance(variable, dict) and "default" in variable:
            url = url.replace("{" + str(name) + "}", str(variable["default"]))
    return url


def _reachable(roots: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(roots)
    pending = list(roots)
    while pending:
        for target in edges.get(pending.pop(), ()):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def _choose_media_type(content: dict[str, Any]) -> tuple[str, str] | None:
    """The media type the client speaks, and how: JSON first, then forms, files and text."""
    kinds = []
    for media_type in content:
        base = media_type.split(";")[0].strip().lower()
        if base == "application/json" or base.endswith("+json") or base == "*/*" and not kinds:
            kinds.append((0, media_type, "json"))
        elif base == "multipart/form-data":
            kinds.append((1, media_type, "multipart"))
        elif base == "application/x-www-form-urlencoded":
            kinds.append((2, media_type, "form"))
        elif base.startswith("text/"):
            kinds.append((4, media_type, "text"))
        else:
            kinds.append((3, media_type, "binary"))
    if not kinds:
        return None
    _, media_type, kind = min(kinds, key=lambda k: k[0])
    return media_type, kind
