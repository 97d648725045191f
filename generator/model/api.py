"""The resolved spec model: servers, security, operations, parameters, bodies, responses.

`SpecModel(document)` is the one reading of OpenAPI's meaning every stage shares (lint, IR,
diff, verify, docs). It follows `$ref`s relative to the document that holds them, merges
path-item and operation parameters, applies the spec's style/explode defaults, chooses among
media types with one policy and looks responses up by status with one precedence rule.
Every node keeps the document and JSON pointer it was read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterator
from urllib.parse import urlsplit

from generator.load import Document, extend_pointer, join_pointer
from generator.model.schema import Schema
from generator.refs import RefError, Resolver

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# OpenAPI: a header parameter named Accept, Content-Type or Authorization "SHALL be ignored".
IGNORED_HEADER_PARAMETERS = frozenset({"accept", "content-type", "authorization"})
MAX_ALIAS_DEPTH = 20
DEFAULT_STYLES = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}
JSON, MULTIPART, FORM, BINARY, TEXT = "json", "multipart", "form", "binary", "text"
# Media-type policy: the kind a client prefers when an operation offers several.
_KIND_RANK = {JSON: 0, MULTIPART: 1, FORM: 2, BINARY: 3, TEXT: 4}


class ModelError(RefError):
    """A part of the spec that cannot be read (a `$ref` that does not resolve); says where."""

    def __init__(self, document: Document, pointer: str, message: str):
        super().__init__(message)
        self.document = document
        self.pointer = pointer


@dataclass(frozen=True, eq=False)
class Node:
    """Where a part of the spec is written, and the raw object itself."""

    document: Document
    pointer: str
    raw: dict[str, Any]

    @property
    def description(self) -> str:
        return str(self.raw.get("description") or "")

    @property
    def extensions(self) -> dict[str, Any]:
        return {k: v for k, v in self.raw.items() if str(k).startswith("x-")}


def media_kind(media_type: str) -> str:
    """How a body of this media type is read and written: json, multipart, form, text or binary."""
    base = media_type.split(";")[0].strip().lower()
    if base == "application/json" or base.endswith("+json") or base == "*/*":
        return JSON
    if base == "multipart/form-data":
        return MULTIPART
    if base == "application/x-www-form-urlencoded":
        return FORM
    if base.startswith("text/"):
        return TEXT
    return BINARY


@dataclass(frozen=True, eq=False)
class MediaType(Node):
    """One entry of a `content` map."""

    name: str
    schema: Schema | None
    kind: str  # json | multipart | form | binary | text: how a body of this type is read and written

    @property
    def base(self) -> str:
        """The media type without parameters, lower case (`application/json`)."""
        return self.name.split(";")[0].strip().lower()


def choose_media_type(content: dict[str, MediaType]) -> MediaType | None:
    """The one media type a client speaks among several: JSON, then multipart, form, binary, text.

    Ties go to the first written.
    """
    ranked = [(_KIND_RANK[media.kind], index, media) for index, media in enumerate(content.values())]
    return min(ranked, key=lambda r: (r[0], r[1]))[2] if ranked else None


def match_media_type(content: dict[str, MediaType], content_type: str | None) -> MediaType | None:
    """The documented media type a `Content-Type` matches: exactly, by a `type/*` or `*/*` range.

    Without a Content-Type, the first documented media type.
    """
    wanted = (content_type or "").split(";")[0].strip().lower()
    for media in content.values():
        base = media.base
        if not wanted or base == wanted or base == "*/*" or (base.endswith("/*") and wanted.startswith(base[:-1])):
            return media
    return None


@dataclass(frozen=True, eq=False)
class Header(Node):
    """A response header (the Header Object: style `simple`)."""

    name: str
    required: bool
    deprecated: bool
    schema: Schema | None
    content: dict[str, MediaType]

    @property
    def explode(self) -> bool:
        return self.raw.get("explode") is True


@dataclass(frozen=True, eq=False)
class Parameter(Node):
    """A path, query, header or cookie parameter, with the spec's defaults applied."""

    name: str
    location: str
    required: bool
    deprecated: bool
    schema: Schema | None
    content: dict[str, MediaType]

    @property
    def style(self) -> str:
        """`style` as written, else the default for the location (form for query and cookie, else simple)."""
        value = self.raw.get("style")
        return str(value) if isinstance(value, str) else DEFAULT_STYLES.get(self.location, "simple")

    @property
    def explode(self) -> bool:
        """`explode` as written, else true for style form and false for every other style."""
        value = self.raw.get("explode")
        return value if isinstance(value, bool) else self.style == "form"

    @property
    def allow_reserved(self) -> bool:
        return self.raw.get("allowReserved") is True

    @property
    def allow_empty_value(self) -> bool:
        return self.raw.get("allowEmptyValue") is True

    @property
    def content_media_type(self) -> MediaType | None:
        """For a parameter described by `content`: its single media type."""
        return next(iter(self.content.values()), None)

    @property
    def value_schema(self) -> Schema | None:
        """The schema of the value: `schema`, or the schema of the `content` media type."""
        if self.schema is not None:
            return self.schema
        media = self.content_media_type
        return media.schema if media else None

    @property
    def shape(self) -> str:
        """What the style serialises: `array`, `object` or `primitive` (an allOf of one schema is that schema)."""
        schema = self.value_schema
        for _ in range(MAX_ALIAS_DEPTH):
            members = schema.children("allOf") if schema is not None else []
            if schema is None or len(members) != 1 or schema.declared_types:
                break
            schema = members[0]
        types = (schema.types if schema is not None else frozenset()) - {"null"}
        return next(iter(types)) if types in ({"array"}, {"object"}) else "primitive"

    @property
    def default(self) -> Any:
        """The schema's default: what the server does when the parameter is absent (None when unstated)."""
        schema = self.value_schema
        return schema.get("default") if schema is not None else None

    @property
    def key(self) -> tuple[str, str]:
        """What identifies a parameter within an operation: (name, location); header names ignore case."""
        return (self.name.lower() if self.location == "header" else self.name), self.location


@dataclass(frozen=True, eq=False)
class RequestBody(Node):
    required: bool
    content: dict[str, MediaType]

    @property
    def preferred(self) -> MediaType | None:
        return choose_media_type(self.content)


@dataclass(frozen=True, eq=False)
class Response(Node):
    status: str  # as written: "200", "4XX", "default"
    headers: dict[str, Header]
    content: dict[str, MediaType]

    @property
    def preferred(self) -> MediaType | None:
        return choose_media_type(self.content)

    @property
    def links(self) -> dict[str, Any]:
        value = self.raw.get("links")
        return value if isinstance(value, dict) else {}

    @property
    def is_success(self) -> bool:
        return self.status.startswith("2")


def status_matches(key: str, status: int) -> int:
    """How well a responses key covers a status code: 3 exact, 2 its range (`4XX`), 1 `default`, 0 not."""
    key = key.upper()
    if key == str(status):
        return 3
    if len(key) == 3 and key.endswith("XX") and key[0] == str(status)[0]:
        return 2
    return 1 if key == "DEFAULT" else 0


def lookup_response(responses: dict[str, Response], status: int) -> Response | None:
    """The response documented for a status: the exact code over its range (`4XX`) over `default`."""
    best = max(responses.values(), key=lambda r: status_matches(r.status, status), default=None)
    return best if best is not None and status_matches(best.status, status) else None


@dataclass(frozen=True, eq=False)
class Operation(Node):
    """One operation, under `paths`, `webhooks` or a callback; its parts are read on first use."""

    model: SpecModel
    section: str  # paths | webhooks | callbacks
    path: str  # the path template (or webhook name, or callback expression)
    method: str
    path_item: dict[str, Any]
    path_item_pointer: str

    @property
    def operation_id(self) -> str | None:
        value = self.raw.get("operationId")
        return str(value) if value is not None else None

    @property
    def tags(self) -> list[str]:
        tags = self.raw.get("tags")
        return [str(t) for t in tags] if isinstance(tags, list) else []

    @property
    def summary(self) -> str:
        return str(self.raw.get("summary") or "")

    @property
    def deprecated(self) -> bool:
        return self.raw.get("deprecated") is True

    @property
    def label(self) -> str:
        """`GET /pets/{id}`: how people name an operation."""
        return f"{self.method.upper()} {self.path}"

    @cached_property
    def parameters(self) -> list[Parameter]:
        """Path-item parameters and the operation's, the operation's winning by (name, location)."""
        merged = {p.key: p for p in self.model.parameters_of(self.path_item, self.document, self.path_item_pointer)}
        merged.update((p.key, p) for p in self.model.parameters_of(self.raw, self.document, self.pointer))
        return list(merged.values())

    @cached_property
    def request_body(self) -> RequestBody | None:
        return self.model.request_body(self.raw.get("requestBody"), self.document, f"{self.pointer}/requestBody")

    @cached_property
    def responses(self) -> dict[str, Response]:
        """Responses by status key as written (`200`, `4XX`, `default`), in document order."""
        return self.model.responses(_mapping(self.raw.get("responses")), self.document, f"{self.pointer}/responses")

    @property
    def security(self) -> list[dict[str, list[str]]]:
        """The effective security requirements: the operation's, else the document's."""
        security = self.raw.get("security", self.model.data.get("security"))
        if not isinstance(security, list):
            return []
        return [{str(k): list(v or []) for k, v in r.items()} for r in security if isinstance(r, dict)]

    @cached_property
    def callbacks(self) -> dict[str, list[Operation]]:
        return self.model.callbacks(_mapping(self.raw.get("callbacks")), self.document, f"{self.pointer}/callbacks")

    def response_for(self, status: int) -> Response | None:
        return lookup_response(self.responses, status)

    @property
    def success_responses(self) -> list[Response]:
        """The 2xx responses, or `default` when there is none."""
        success = [r for r in self.responses.values() if r.is_success]
        return success or [r for r in self.responses.values() if r.status == "default"]


@dataclass(frozen=True, eq=False)
class SecurityScheme(Node):
    key: str

    @property
    def type(self) -> str:
        return str(self.raw.get("type") or "")

    @property
    def scheme(self) -> str:
        """For `type: http`, the scheme in lower case (`bearer`, `basic`)."""
        return str(self.raw.get("scheme") or "").lower()

    @property
    def location(self) -> str:
        """Where an `apiKey` goes (`header`, `query`, `cookie`); header for every other type."""
        return str(self.raw.get("in") or "header") if self.type == "apiKey" else "header"

    @property
    def parameter_name(self) -> str:
        """The header, query or cookie name an `apiKey` travels in; `Authorization` for the others."""
        return str(self.raw.get("name") or self.key) if self.type == "apiKey" else "Authorization"


@dataclass(frozen=True)
class Server:
    url: str  # as written, variables unresolved
    variables: dict[str, Any]
    description: str

    @property
    def resolved_url(self) -> str:
        """The URL with every variable set to its default."""
        url = self.url
        for name, variable in self.variables.items():
            if isinstance(variable, dict) and "default" in variable:
                url = url.replace("{" + str(name) + "}", str(variable["default"]))
        return url

    @property
    def base_path(self) -> str:
        """The URL's path, without a trailing slash (`/self-service/v1`; `""` for a bare host)."""
        return urlsplit(self.resolved_url).path.rstrip("/")


def normalise_path(path: str) -> str:
    """A path template with parameter names erased: `/contacts/{id}` and `/contacts/{cid}` are one endpoint."""
    return re.sub(r"{[^}]+}", "{}", path.rstrip("/") or "/")


class SpecModel:
    """The typed, resolved view of a loaded spec."""

    def __init__(self, document: Document, resolver: Resolver | None = None):
        self.document = document
        self.resolver = resolver or Resolver(document)
        data = document.data
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}

    # -- the document ------------------------------------------------------------------------------

    @property
    def openapi_version(self) -> str:
        return str(self.data.get("openapi") or "")

    @property
    def is_v31(self) -> bool:
        return self.openapi_version.startswith("3.1")

    @property
    def info(self) -> dict[str, Any]:
        return _mapping(self.data.get("info"))

    @cached_property
    def servers(self) -> list[Server]:
        servers = self.data.get("servers")
        return [Server(str(s.get("url") or ""), _mapping(s.get("variables")), str(s.get("description") or ""))
                for s in servers if isinstance(s, dict)] if isinstance(servers, list) else []

    @property
    def tags(self) -> dict[str, dict[str, Any]]:
        """Declared tags by name (their descriptions and external docs)."""
        tags = self.data.get("tags")
        return {str(t.get("name")): t for t in tags if isinstance(t, dict)} if isinstance(tags, list) else {}

    @cached_property
    def security_schemes(self) -> dict[str, SecurityScheme]:
        result = {}
        for key, raw in _mapping(_mapping(self.data.get("components")).get("securitySchemes")).items():
            document, pointer, scheme = self.follow(raw, self.document,
                                                    join_pointer(["components", "securitySchemes", key]))
            if isinstance(scheme, dict):
                result[str(key)] = SecurityScheme(document, pointer, scheme, str(key))
        return result

    @cached_property
    def schemas(self) -> dict[str, Schema]:
        """The component schemas, by key."""
        result = {}
        for key, raw in _mapping(_mapping(self.data.get("components")).get("schemas")).items():
            if isinstance(raw, (dict, bool)):
                result[str(key)] = self.schema(raw, self.document, join_pointer(["components", "schemas", key]))
        return result

    @cached_property
    def operations(self) -> list[Operation]:
        """Every operation under `paths`, in document order."""
        return list(self._section("paths"))

    @cached_property
    def webhooks(self) -> list[Operation]:
        return list(self._section("webhooks"))

    # -- following references ------------------------------------------------------------------------

    def follow(self, node: Any, document: Document, pointer: str) -> tuple[Document, str, Any]:
        """A node with bare `$ref`s followed: the document and pointer it lives at, and the node."""
        try:
            return self.resolver.resolve_chain(node, document, pointer)
        except RefError as exc:
            raise ModelError(document, pointer, str(exc)) from None

    def schema(self, node: dict[str, Any] | bool, document: Document, pointer: str) -> Schema:
        """The schema written at (document, pointer), its bare `$ref`s followed."""
        component = None
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            document, pointer, node = self.follow(node, document, pointer)
            component = (document, pointer)
            if not isinstance(node, (dict, bool)):
                raise ModelError(document, pointer, "a $ref to a schema must point at an object or a boolean")
        return Schema(self, document, pointer, node, component)

    def _optional_schema(self, owner: dict[str, Any], document: Document, pointer: str) -> Schema | None:
        raw = owner.get("schema")
        return self.schema(raw, document, f"{pointer}/schema") if isinstance(raw, (dict, bool)) else None

    # -- operations ------------------------------------------------------------------------------------

    def _section(self, section: str) -> Iterator[Operation]:
        for path, raw_item in _mapping(self.data.get(section)).items():
            document, pointer, item = self.follow(raw_item, self.document, join_pointer([section, path]))
            if isinstance(item, dict):
                yield from self._path_item(section, str(path), item, document, pointer)

    def _path_item(self, section: str, path: str, item: dict[str, Any], document: Document,
                   pointer: str) -> Iterator[Operation]:
        for method in HTTP_METHODS:
            raw = item.get(method)
            if isinstance(raw, dict):
                yield Operation(document, f"{pointer}/{method}", raw, self, section, path, method, item, pointer)

    def callbacks(self, callbacks: dict[str, Any], document: Document, pointer: str) -> dict[str, list[Operation]]:
        """An operation's callbacks: by name, the operations of each expression's path item."""
        result = {}
        for name, raw in callbacks.items():
            cb_document, cb_pointer, callback = self.follow(raw, document, extend_pointer(pointer, name))
            operations: list[Operation] = []
            for expression, raw_item in _mapping(callback).items():
                where = extend_pointer(cb_pointer, expression)
                item_document, item_pointer, item = self.follow(raw_item, cb_document, where)
                if isinstance(item, dict):
                    operations += self._path_item("callbacks", str(expression), item, item_document, item_pointer)
            result[str(name)] = operations
        return result

    def parameters_of(self, owner: dict[str, Any], document: Document, pointer: str) -> list[Parameter]:
        """The parameters a path item or operation declares (ignored header parameters left out)."""
        result = []
        raw_list = owner.get("parameters")
        for i, raw in enumerate(raw_list if isinstance(raw_list, list) else []):
            p_document, p_pointer, parameter = self.follow(raw, document, f"{pointer}/parameters/{i}")
            if not isinstance(parameter, dict) or "name" not in parameter:
                continue
            name, location = str(parameter["name"]), str(parameter.get("in"))
            if location == "header" and name.lower() in IGNORED_HEADER_PARAMETERS:
                continue
            result.append(Parameter(
                p_document, p_pointer, parameter, name, location,
                required=location == "path" or parameter.get("required") is True,
                deprecated=parameter.get("deprecated") is True,
                schema=self._optional_schema(parameter, p_document, p_pointer),
                content=self._content(parameter, p_document, p_pointer),
            ))
        return result

    def request_body(self, raw: Any, document: Document, pointer: str) -> RequestBody | None:
        """The request body written at `pointer` (a `$ref` followed), or None."""
        if raw is None:
            return None
        document, pointer, body = self.follow(raw, document, pointer)
        if not isinstance(body, dict):
            return None
        return RequestBody(document, pointer, body, body.get("required") is True,
                           self._content(body, document, pointer))

    def responses(self, responses: dict[str, Any], document: Document, pointer: str) -> dict[str, Response]:
        """A Responses object: by status key as written, `$ref`s followed."""
        result = {}
        for status, raw in responses.items():
            where = extend_pointer(pointer, str(status))
            r_document, r_pointer, response = self.follow(raw, document, where)
            if isinstance(response, dict):
                result[str(status)] = Response(r_document, r_pointer, response, str(status),
                                               self._headers(response, r_document, r_pointer),
                                               self._content(response, r_document, r_pointer))
        return result

    def _headers(self, owner: dict[str, Any], document: Document, pointer: str) -> dict[str, Header]:
        result = {}
        for name, raw in _mapping(owner.get("headers")).items():
            where = extend_pointer(pointer, "headers", name)
            h_document, h_pointer, header = self.follow(raw, document, where)
            if isinstance(header, dict) and str(name).lower() != "content-type":  # OpenAPI: ignored
                result[str(name)] = Header(h_document, h_pointer, header, str(name), header.get("required") is True,
                                           header.get("deprecated") is True,
                                           self._optional_schema(header, h_document, h_pointer),
                                           self._content(header, h_document, h_pointer))
        return result

    def _content(self, owner: dict[str, Any], document: Document, pointer: str) -> dict[str, MediaType]:
        result = {}
        for index, (name, raw) in enumerate(_mapping(owner.get("content")).items()):
            where = extend_pointer(pointer, "content", name)
            media = raw if isinstance(raw, dict) else {}
            # `*/*` is read as JSON when it is the only or first choice, else as bytes.
            kind = BINARY if index > 0 and str(name).split(";")[0].strip() == "*/*" else media_kind(str(name))
            result[str(name)] = MediaType(document, where, media, str(name),
                                          self._optional_schema(media, document, where), kind)
        return result


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
