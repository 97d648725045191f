"""Server runtime of a generated package: routes from generated descriptors, validation, mocks.

Hand-written once and copied into every generated package (needs the `server` extra:
fastapi and uvicorn). The generated `server.py` declares the routes; this module turns
them into a FastAPI app that validates requests against the spec, answers bad input
with the API's own documented error body, and serialises responses by alias.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import contextvars
import copy
import dataclasses
import functools
import inspect
import json
import logging
import re
import typing
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from importlib import resources
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator, OAS31Validator
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import SchemaError
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from ._codec import MISSING, CodecError, Wire, decode_cookie, decode_header, decode_path, decode_query, parse_cookies, \
    parse_query
from ._runtime import STRICT_ENUMS, Paging, SecurityScheme, documented, documented_key, to_wire
from ._samples import deref as _deref
from ._samples import pointer as _pointer
from ._samples import sample

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
logger = logging.getLogger(__name__.rsplit(".", 1)[0])
CredentialCheck = Callable[[str], "bool | Awaitable[bool]"]
_prefer: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("prefer", default=None)


@dataclasses.dataclass(frozen=True)
class Param:
    """A documented parameter: how it travels, its Python name, whether it is required, its type."""

    wire: Wire
    python_name: str
    required: bool
    annotation: Any
    allow_empty: bool = False  # `allowEmptyValue`: `name=` means not given
    string_format: str | None = None  # checked as JSON Schema checks it (`uri`, `email`, `date`, ...)

    @property
    def name(self) -> str:
        return self.wire.name

    @property
    def location(self) -> str:
        return self.wire.location


def unimplemented(function: F) -> F:
    """Mark a `Handlers` method as not implemented: the operation answers 501 until overridden."""
    function.__crm_unimplemented__ = True  # type: ignore[attr-defined]
    return function


def is_implemented(handlers: Any, operation: str) -> bool:
    method = getattr(handlers, operation, None)
    return callable(method) and not getattr(method, "__crm_unimplemented__", False)


@dataclasses.dataclass(frozen=True)
class Body:
    """A documented request body."""

    media_type: str
    kind: str
    required: bool
    annotation: Any
    fields: int = 0  # properties a form or multipart body declares: as many fields are always accepted


SPEC_URI = "urn:crm-codegen:spec"


def body_schema(document: dict[str, Any], route: Route) -> str | None:
    """The pointer to the schema of the route's JSON or form body (None: no such body)."""
    if route.body is None or route.body.kind not in ("json", "form"):
        return None
    return schema_pointer(document, route.pointer, ("requestBody", "content", route.body.media_type, "schema"))


def schema_pointer(document: dict[str, Any], pointer: str, keys: tuple[str, ...]) -> str:
    """The pointer reached from `pointer` through `keys`, following the `$ref`s on the way (a
    shared response or request body)."""
    for key in keys:
        node = _pointer(document, pointer)
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            pointer = node["$ref"][1:]
            node = _pointer(document, pointer)
        pointer += "/" + key.replace("~", "~0").replace("/", "~1")
    return pointer


def schema_validator(document: dict[str, Any], pointer: str) -> Any:
    """A JSON Schema validator for the schema at `pointer`, exactly as the spec states it."""
    checking = validator_class(document)
    specification = DRAFT202012 if checking is OAS31Validator else DRAFT4
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, specification.create_resource(document))
    return checking({"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry, format_checker=checking.FORMAT_CHECKER)


def validator_class(document: dict[str, Any]) -> Any:
    """The JSON Schema dialect of the spec's schemas: OpenAPI 3.1's or 3.0's."""
    return OAS31Validator if str(document.get("openapi", "")).startswith("3.1") else OAS30Validator


@dataclasses.dataclass(frozen=True)
class Route:
    """One operation as the server sees it."""

    operation: str
    method: str
    path: str
    pointer: str
    params: tuple[Param, ...] = ()
    body: Body | None = None
    success: str = "200"
    responses: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    media_types: Mapping[str, str] = dataclasses.field(default_factory=dict)  # the one answered per response
    security: tuple[tuple[str, ...], ...] = ()
    paging: Paging | None = None


class Encoded:
    """A JSON value with its encoding made once (a mock's reply, answered many times); whether it
    matches the spec is checked once too."""

    def __init__(self, value: Any):
        self.value = value
        self.content = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        self.problem: str | None = None  # None: not checked yet; "": matches the spec


@dataclasses.dataclass
class Reply(Generic[T]):
    """What a handler returns to choose the status or add headers; a plain value means success."""

    body: T | None = None
    status: int | None = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)


class BadRequest(Exception):
    """A request that does not match the spec: status and the offending parameter names."""

    def __init__(self, status: int, message: str, fields: list[str]):
        super().__init__(message)
        self.status = status
        self.fields = fields


def load_spec(package: str) -> dict[str, Any]:
    """The curated spec bundled with the package (served as /openapi.json)."""
    return json.loads(resources.files(package).joinpath("openapi.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


# -- the spec as data: pointers, samples, error bodies ------------------------------------------------


_MESSAGE_FIELDS = ("message", "detail", "description", "error_description", "title")
_LIST_FIELDS = ("parameters", "errors", "fields", "details", "invalid_params")
_CONSTRAINED_STRING = frozenset({"enum", "const", "pattern", "format", "minLength", "maxLength"})


def error_body(document: dict[str, Any], response: Any, media_type: str | None, status: int, message: str,
               fields: list[str]) -> Any:
    """The API's own error body for a status (`response` answered as `media_type`), filled with what
    went wrong where the schema allows."""
    media = _media(document, response, media_type)
    if media is None:
        return {"message": message, "status": status, "parameters": fields}
    schema = _deref(document, media.get("schema")) or {}
    body = sample(document, schema)
    if isinstance(body, str) and not _CONSTRAINED_STRING.intersection(schema):
        return message  # an API whose error body is a plain string: the message is that string
    if not isinstance(body, dict):
        return body
    properties = _object_properties(document, schema)
    for name, definition in properties.items():
        types = _types(document, definition)
        if name in _MESSAGE_FIELDS and "string" in types:
            body[name] = message
        elif name in ("status", "code", "status_code", "statusCode") and "integer" in types:
            body[name] = status
        elif name == "error" and "string" in types:
            body[name] = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        elif name in _LIST_FIELDS and "array" in types:
            item_types = _types(document, (_deref(document, definition) or {}).get("items"))
            if "string" in item_types:
                body[name] = fields
    if not properties:
        body.update({"message": message, "status": status, "parameters": fields})
    return body


def _object_properties(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    schema = _deref(document, schema) or {}
    properties = dict(schema.get("properties") or {})
    for member in schema.get("allOf") or []:
        properties.update(_object_properties(document, member))
    return properties


def _types(document: dict[str, Any], schema: Any) -> list[str]:
    schema = _deref(document, schema) or {}
    declared = schema.get("type")
    return declared if isinstance(declared, list) else [declared] if isinstance(declared, str) else []


# -- requests ---------------------------------------------------------------------------------------


class _Wire:
    """A request's parameters as they arrived, still encoded, for the codec to decode (each part
    of the request is parsed only when a parameter needs it)."""

    def __init__(self, request: Request, decoding: _Decoding):
        self.request = request
        self.decoding = decoding
        self._path: dict[str, str] | None = None
        self._query: list[tuple[str, str]] | None = None
        self._cookies: list[tuple[str, str]] | None = None

    def value(self, param: Param) -> Any:
        """The decoded value (strings, lists and dicts of strings), or MISSING."""
        wire = param.wire
        if wire.location == "path":
            if self._path is None:
                raw_path = self.request.scope.get("raw_path") or self.request.url.path.encode()
                match = self.decoding.pattern.search(raw_path.decode("latin-1"))
                self._path = dict(zip(self.decoding.path_names, match.groups())) if match else {}
            raw = self._path.get(wire.name)
            return MISSING if raw is None else decode_path(wire, raw)
        if wire.location == "query":
            if self._query is None:
                self._query = parse_query(self.request.scope.get("query_string", b"").decode("latin-1"))
            return decode_query(wire, self._query, self.decoding.query_names - {wire.name})
        if wire.location == "header":
            header = self.request.headers.get(wire.name)
            return MISSING if header is None else decode_header(wire, header)
        if self._cookies is None:
            self._cookies = parse_cookies(self.request.headers.get("cookie", ""))
        return decode_cookie(wire, self._cookies)


@dataclasses.dataclass(frozen=True)
class _Decoding:
    """What decoding a route's parameters needs, worked out once per route."""

    pattern: re.Pattern[str]
    path_names: tuple[str, ...]
    query_names: frozenset[str]

    @classmethod
    def of(cls, route: Route) -> _Decoding:
        return cls(path_pattern(route.path), tuple(re.findall(r"\{([^}]+)\}", route.path)),
                   frozenset(p.name for p in route.params if p.location == "query"))


def path_pattern(path: str) -> re.Pattern[str]:
    """A regex matching a path template at the end of a raw (still encoded) request path."""
    parts = re.split(r"\{[^}]+\}", path)
    return re.compile("([^/]*)".join(re.escape(part) for part in parts) + "$")


def _adapter(cache: dict[Any, TypeAdapter[Any]], annotation: Any) -> TypeAdapter[Any]:
    if annotation not in cache:
        try:
            cache[annotation] = TypeAdapter(annotation)
        except SchemaError:  # a constraint pydantic cannot compile (e.g. a regex with lookaround)
            cache[annotation] = TypeAdapter(getattr(annotation, "__origin__", Any))
    return cache[annotation]


_TOKEN68 = re.compile(r"[A-Za-z0-9._~+/-]+=*")


def _credential(request: Request, scheme: SecurityScheme) -> tuple[str | None, str]:
    """The credential a request carries for a scheme and, when it is absent or malformed, why."""
    if scheme.kind in ("bearer", "basic"):
        word, _, token = request.headers.get("authorization", "").strip().partition(" ")
        expected = "Bearer" if scheme.kind == "bearer" else "Basic"
        if not word:
            return None, "missing credentials (Authorization header)"
        if word.lower() != expected.lower() or not _TOKEN68.fullmatch(token.strip()):
            return None, f"malformed Authorization header: expected {expected} and a token"
        if scheme.kind == "basic":
            try:
                if ":" not in base64.b64decode(token.strip(), validate=True).decode("utf-8"):
                    raise ValueError
            except (ValueError, binascii.Error):
                return None, "malformed Basic credentials: expected base64 of user:password"
        return token.strip(), ""
    value: str | None
    if scheme.location == "query":
        found = [v for k, v in parse_query(request.scope.get("query_string", b"").decode("latin-1"))
                 if k == scheme.wire_name]
        value = found[0] if len(found) == 1 else None
    elif scheme.location == "cookie":
        value = request.cookies.get(scheme.wire_name)
    else:
        value = request.headers.get(scheme.wire_name)
    if value is None:
        return None, f"missing credentials ({scheme.location} {scheme.wire_name!r})"
    if not value.strip() or not value.isprintable():
        return None, f"malformed credentials ({scheme.location} {scheme.wire_name!r})"
    return value, ""


async def authenticate(request: Request, route: Route, schemes: Mapping[str, SecurityScheme],
                       checks: Mapping[str, CredentialCheck]) -> str | None:
    """None when one security alternative is satisfied, else why the request is refused."""
    reasons = []
    for alternative in route.security or ((),):
        for name in alternative:
            value, reason = _credential(request, schemes[name])
            if value is not None:
                check = checks.get(name)
                accepted = check(value) if check is not None else True
                if inspect.isawaitable(accepted):
                    accepted = await accepted
                reason = "" if accepted else "the credentials were refused"
            if reason:
                reasons.append(reason)
                break
        else:
            return None
    return next((r for r in reasons if not r.startswith("missing")), reasons[0] if reasons else "missing credentials")


async def _arguments(request: Request, route: Route, adapters: dict[Any, TypeAdapter[Any]],
                     checked: Checked | None, decoding: _Decoding, formats: FormatChecker) -> dict[str, Any]:
    """The handler's arguments; BadRequest lists every problem the request has, not only the first."""
    arguments: dict[str, Any] = {}
    problems: list[str] = []
    fields: list[str] = []
    wire = _Wire(request, decoding)
    token = STRICT_ENUMS.set(True)  # a server rejects enum values the spec does not list
    try:
        for param in route.params:
            where = f"{param.location} parameter {param.name!r}"
            try:
                raw = wire.value(param)
            except CodecError as exc:
                problems.append(f"invalid {where}: {str(exc).split(': ', 1)[-1]}")
                fields.append(param.name)
                continue
            if raw is MISSING:
                if param.required:
                    problems.append(f"missing {where}")
                    fields.append(param.name)
                continue
            try:
                arguments[param.python_name] = _adapter(adapters, param.annotation).validate_python(raw)
            except ValidationError as exc:
                if raw == "" and param.allow_empty:
                    continue
                problems += [f"invalid {where}: {message}" for message in _messages(exc)]
                fields.append(param.name)
                continue
            if param.string_format and isinstance(raw, str) and not formats.conforms(raw, param.string_format):
                problems.append(f"invalid {where}: {json.dumps(raw)[:80]} is not a {param.string_format!r}")
                fields.append(param.name)
        if route.body is not None:
            try:
                arguments["body"] = await _body(request, route.body, adapters, checked)
            except BadRequest as exc:
                if exc.status != 400 or not problems:
                    raise
                problems.append(str(exc))
                fields += exc.fields
    finally:
        STRICT_ENUMS.reset(token)
    if problems:
        raise BadRequest(400, "; ".join(problems), list(dict.fromkeys(fields)))
    return arguments


async def _body(request: Request, body: Body, adapters: dict[Any, TypeAdapter[Any]], checked: Checked | None) -> Any:
    content = await request.body()
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    empty_form = body.kind == "form" and media_type == "application/x-www-form-urlencoded"
    if not content and not empty_form:  # an empty urlencoded form is a form without fields, not no body
        if body.required:
            raise BadRequest(400, "a request body is required", ["body"])
        return None
    expected = body.media_type.split(";")[0].strip().lower()
    if body.kind == "json" and not (media_type == "application/json" or media_type.endswith("+json")):
        raise BadRequest(415, f"expected a {expected} body, got {media_type or 'no content type'}", ["Content-Type"])
    if body.kind == "text":
        return content.decode("utf-8", errors="replace")
    if body.kind == "binary":
        return content
    try:
        if body.kind in ("form", "multipart"):
            value = await _form_fields(await request.form(), body.annotation)
            if checked is not None:  # a form's values are text: typed as the schema says, then checked
                value = _typed_fields(checked.document, _pointer(checked.document, checked.pointer), value)
        else:
            try:
                value = json.loads(content)
            except ValueError:
                raise BadRequest(400, "the request body is not valid JSON", ["body"]) from None
        errors = sorted(checked.validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path))) \
            if checked is not None else []
        if errors:  # the spec's own schema decides what is valid, nullability and formats included
            messages, fields = [], []
            for error in errors[:_MAX_PROBLEMS]:
                where = ".".join(map(str, error.absolute_path))
                messages.append(f"invalid request body: {where + ': ' if where else ''}{_json_message(error)}")
                fields += _error_fields(error, where)
            raise BadRequest(400, "; ".join(messages), list(dict.fromkeys(fields)))
        return _validated(_adapter(adapters, body.annotation), value)
    except ValidationError as exc:
        fields = sorted({".".join(map(str, e["loc"])) for e in exc.errors() if e["loc"]})
        raise BadRequest(400, "; ".join(f"invalid request body: {m}" for m in _messages(exc)),
                         fields or ["body"]) from None


@dataclasses.dataclass(frozen=True)
class Checked:
    """A request body's schema in the spec, and its validator."""

    document: dict[str, Any]
    pointer: str
    validator: Any

    @classmethod
    def of(cls, document: dict[str, Any], route: Route) -> Checked | None:
        pointer = body_schema(document, route)
        return None if pointer is None else cls(document, pointer, schema_validator(document, pointer))


def _typed_fields(document: dict[str, Any], schema: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Form fields (text) as the values the object schema's properties describe: `true`/`false` as
    booleans, numerals as numbers; anything else stays text, for the schema to judge."""
    properties = _object_properties(document, schema)
    return {name: _typed(document, properties.get(name), value) for name, value in fields.items()}


def _typed(document: dict[str, Any], schema: Any, value: Any) -> Any:
    if isinstance(value, list):
        items = (_deref(document, schema) or {}).get("items")
        return [_typed(document, items, item) for item in value]
    if not isinstance(value, str):
        return value
    types = _types(document, schema)
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    if "integer" in types and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    if "number" in types and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", value):
        return int(value) if re.fullmatch(r"-?[0-9]+", value) else float(value)
    return value


async def _form_fields(form: FormData, annotation: Any) -> dict[str, Any]:
    """A form's fields as the body's model takes them: file parts as bytes, repeated fields and the
    model's list fields as lists."""
    listed = _list_fields(annotation)
    fields: dict[str, Any] = {}
    for key in dict.fromkeys(form.keys()):
        values = [await v.read() if isinstance(v, UploadFile) else v for v in form.getlist(key)]
        fields[key] = values if key in listed or len(values) > 1 else values[0]
    return fields


def _list_fields(annotation: Any) -> frozenset[str]:
    """The wire names of a model's fields that hold a list (optional or not)."""
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return frozenset()
    return frozenset(field.alias or name for name, field in annotation.model_fields.items()
                     if any(typing.get_origin(t) is list for t in (field.annotation, *typing.get_args(field.annotation))))


def _validated(adapter: TypeAdapter[Any], value: Any) -> Any:
    """The body as its model, once the spec's schema accepted it: properties the spec allows but a
    request-only model forbids (a client-side typo guard) are left out instead of refused."""
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        errors = exc.errors()
        if not errors or any(e["type"] != "extra_forbidden" for e in errors):
            raise
    value = copy.deepcopy(value)
    for error in errors:
        *path, key = error["loc"]
        owner = value
        for part in path:
            owner = owner[part]
        owner.pop(key, None)
    return adapter.validate_python(value)


def _error_fields(error: Any, where: str) -> list[str]:
    """The body fields a JSON Schema error is about (the missing ones for `required`)."""
    if error.validator == "required" and isinstance(error.instance, dict):
        prefix = where + "." if where else ""
        return [prefix + name for name in error.validator_value if name not in error.instance]
    return [where or "body"]


_MAX_PROBLEMS = 20


def _json_message(error: Any) -> str:
    """A JSON Schema error message with the offending value spelled as JSON (`null`, not `None`)."""
    message = str(error.message)
    spelled = repr(error.instance)
    if message.startswith(spelled):
        message = json.dumps(error.instance, default=str)[:80] + message[len(spelled):]
    return message[:200]


def _messages(exc: ValidationError) -> list[str]:
    """Every problem pydantic found, with its location and the input as JSON."""
    result = []
    for error in exc.errors()[:_MAX_PROBLEMS]:
        where = ".".join(map(str, error["loc"]))
        got = json.dumps(error.get("input"), default=str)[:80] if "input" in error else ""
        text = f"{error['msg']}{', got ' + got if got and error['type'] != 'missing' else ''}"
        result.append(f"{where}: {text}" if where else text)
    return result


# -- the app ----------------------------------------------------------------------------------------


class MockHandlers:
    """Answers every operation with the spec's examples (`Prefer: code=404` / `example=NAME` pick others)."""

    def __init__(self, document: dict[str, Any], routes: tuple[Route, ...]):
        self.document = document
        self.routes = {route.operation: route for route in routes}
        self.linked = _path_parameter_schemas(document)
        self.adapters: dict[Any, TypeAdapter[Any]] = {}
        self.replies: dict[tuple[str, tuple[tuple[str, str], ...]], Reply[Any]] = {}
        self.encoded: dict[tuple[str, tuple[tuple[str, str], ...]], Reply[Any]] = {}

    def __getattr__(self, operation: str) -> Any:
        route = self.routes.get(operation)
        if route is None:
            raise AttributeError(operation)

        async def answer(**arguments: Any) -> Reply[Any]:
            prefer = _prefer.get() or {}
            reply = self._canonical(route, prefer)
            if route.paging is not None and isinstance(reply.body, dict):
                return Reply(_page(route.paging, reply.body, arguments), reply.status, dict(reply.headers))
            return self._encoded(route, prefer)

        return answer

    def reply(self, route: Route, prefer: Mapping[str, str]) -> Reply[Any]:
        """The documented response `prefer` picks (else the success one), link-consistent: a fresh copy."""
        cached = self._canonical(route, prefer)
        return Reply(copy.deepcopy(cached.body), cached.status, dict(cached.headers))

    def _canonical(self, route: Route, prefer: Mapping[str, str]) -> Reply[Any]:
        """The reply for an operation and preference, built once and never changed (hand out copies)."""
        key = _reply_key(route, prefer)
        if key not in self.replies:
            reply = self._documented(route, prefer)
            reply.body = self.linkable(route, reply)
            self.replies[key] = reply
        return self.replies[key]

    def _encoded(self, route: Route, prefer: Mapping[str, str]) -> Reply[Any]:
        """The canonical reply with its body already encoded as JSON, once per operation and preference."""
        key = _reply_key(route, prefer)
        if key not in self.encoded:
            reply = self._canonical(route, prefer)
            body = None if reply.body is None else Encoded(reply.body)
            self.encoded[key] = Reply(body, reply.status, reply.headers)
        cached = self.encoded[key]
        return Reply(cached.body, cached.status, dict(cached.headers))

    def _documented(self, route: Route, prefer: Mapping[str, str]) -> Reply[Any]:
        operation = _pointer(self.document, route.pointer)
        responses = operation.get("responses") or {}
        status = prefer.get("code") or route.success
        wanted_example = prefer.get("example")
        if wanted_example:
            status = next((code for code, r in responses.items() if wanted_example in (
                (_media(self.document, r, route.media_types.get(code)) or {}).get("examples") or {})), status)
        key = documented_key(responses, status) or ""
        media = _media(self.document, responses.get(key), route.media_types.get(key))
        code = int(status) if str(status).isdigit() else int(route.success) if route.success.isdigit() else 200
        if media is None:
            return Reply(None, code)
        examples = media.get("examples") or {}
        if wanted_example in examples:  # asked for by name: answered as written
            return Reply(_example_value(self.document, examples[wanted_example]), code)
        if "example" in media:
            value = copy.deepcopy(media["example"])
        elif examples:
            value = _example_value(self.document, next(iter(examples.values())))
        else:
            value = sample(self.document, media.get("schema"))
        return Reply(self._valid(route, key, value, media.get("schema")), code)

    def _valid(self, route: Route, key: str, value: Any, schema: Any) -> Any:
        """`value` when the response's schema accepts it, else a sample built from the schema alone:
        a spec's example can contradict its own schema, and a mock must not pass that on."""
        if schema is None:
            return value
        validator = schema_validator(self.document, schema_pointer(
            self.document, route.pointer, ("responses", key, "content", route.media_types.get(key, ""), "schema")))
        error = next(iter(validator.iter_errors(value)), None)
        if error is None:
            return value
        repaired = copy.deepcopy(value)
        for _ in range(_REPAIR_ROUNDS):
            errors = list(validator.iter_errors(repaired))
            if not errors:
                break
            for wrong in sorted(errors, key=lambda e: len(e.absolute_path)):  # outermost first
                with contextlib.suppress(LookupError, TypeError):  # inside a part replaced already
                    repaired = _replaced(repaired, list(wrong.absolute_path),
                                         sample(self.document, wrong.schema, examples=False))
        else:
            return value
        where = "/".join(map(str, error.absolute_path))
        logger.warning("%s %s: the spec's example for %s does not match its schema (%s%s); those parts are "
                       "answered with samples built from the schema", route.method.upper(), route.path, key,
                       where + ": " if where else "", _json_message(error))
        return repaired

    def linkable(self, route: Route, reply: Reply[Any]) -> Any:
        """The reply's body with every field named like a path parameter holding a value that
        parameter accepts (an example's placeholder `"string"` becomes a sample of the parameter's
        schema), so what one operation returns is accepted by the one it links to."""
        fixed = _fill_linked(self.document, reply.body, self.linked)
        if fixed == reply.body:
            return reply.body
        annotation = route.responses.get(str(reply.status))
        try:
            if annotation is not None:
                _adapter(self.adapters, annotation).validate_python(fixed)
        except ValidationError:
            return reply.body
        return fixed


_REPAIR_ROUNDS = 5  # a replaced part can reveal another below it


def _replaced(value: Any, path: list[Any], part: Any) -> Any:
    """`value` with the part at `path` (keys and indexes) replaced by `part`."""
    if not path:
        return part
    holder = value
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = part
    return value


def _path_parameter_schemas(document: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Path parameter name -> (its schema, a validator of it), over the whole spec."""
    found: dict[str, tuple[Any, Any]] = {}
    checking = validator_class(document)
    for path, item in (document.get("paths") or {}).items():
        item = _deref(document, item) or {}
        operations = [o for o in item.values() if isinstance(o, dict)]
        for parameter in [p for o in [item, *operations] for p in o.get("parameters") or []]:
            parameter = _deref(document, parameter) or {}
            schema = _deref(document, parameter.get("schema"))
            if parameter.get("in") == "path" and isinstance(schema, dict) and "{" in path:
                found.setdefault(str(parameter["name"]), (schema, checking(
                    schema, format_checker=checking.FORMAT_CHECKER)))
    return found


def _fill_linked(document: dict[str, Any], value: Any, linked: Mapping[str, tuple[Any, Any]]) -> Any:
    if isinstance(value, list):
        return [_fill_linked(document, v, linked) for v in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        schema, validator = linked.get(key, (None, None))
        if validator is not None and isinstance(item, (str, int)) and not validator.is_valid(item):
            item = sample(document, schema)
        result[key] = _fill_linked(document, item, linked)
    return result


def _reply_key(route: Route, prefer: Mapping[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What a mock reply is remembered by: the operation and the client's preferences."""
    return route.operation, tuple(sorted(prefer.items()))


def _page(paging: Paging, body: dict[str, Any], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A mock page consistent with the request: the asked slice of the example's items, and a total
    that counts them, so a client paging through stops at the last page (`body` is left as it is)."""
    items = body.get(paging.items)
    if not isinstance(items, list) or paging.location != "query":
        return body
    page, size = _positive(arguments.get(paging.page), 1), _positive(arguments.get(paging.size), len(items))
    body = {**body, paging.items: items[(page - 1) * size:page * size]}
    owner, _, name = (paging.total or "").rpartition(".")
    holder = body.get(owner) if owner else body
    if name and isinstance(holder, dict):
        holder = {**holder, name: len(items), **{k: v for k, v in (("page", page), ("size", size)) if k in holder}}
        body = {**body, owner: holder} if owner else holder
    return body


def _positive(value: Any, default: int) -> int:
    """A page number or size as given (some APIs type them as strings), else `default`; at least 1."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return max(1, default)


def _media(document: dict[str, Any], response: Any, media_type: str | None) -> dict[str, Any] | None:
    """The response's Media Type Object for the media type the generator chose (None: no body)."""
    content = (_deref(document, response) or {}).get("content") or {}
    media = content.get(media_type) if media_type is not None else None
    return media if isinstance(media, dict) else None


def _example_value(document: dict[str, Any], example: Any) -> Any:
    return copy.deepcopy((_deref(document, example) or {}).get("value"))


def _parse_prefer(header: str | None) -> dict[str, str]:
    prefer = {}
    for part in (header or "").split(","):
        for item in part.split(";"):
            if "=" in item:
                key, _, value = item.strip().partition("=")
                prefer[key.strip().lower()] = value.strip().strip('"')
    return prefer


@dataclasses.dataclass
class _Served:
    """What every endpoint of one app shares."""

    handlers: Any
    schemes: Mapping[str, SecurityScheme]
    document: dict[str, Any]
    checks: Mapping[str, CredentialCheck]
    debug: bool
    routes: tuple[Route, ...]
    prefixes: tuple[str, ...] = ("",)
    templates: list[tuple[re.Pattern[str], str, list[str]]] = dataclasses.field(default_factory=list)
    adapters: dict[Any, TypeAdapter[Any]] = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def formats(self) -> FormatChecker:
        """The string formats JSON Schema checks, for the spec's version of OpenAPI."""
        return validator_class(self.document).FORMAT_CHECKER  # type: ignore[no-any-return]

    def template_of(self, path: str) -> tuple[str, list[str]] | None:
        """The path template a request path belongs to, concrete paths before templated ones (as
        OpenAPI matches them), and the methods it declares."""
        matches = [(precedence(template), methods) for pattern, template, methods in self.templates
                   for prefix in self.prefixes if path.startswith(prefix) and pattern.match(path[len(prefix):])]
        if not matches:
            return None
        (_, _, template), methods = min(matches)
        return template, methods

    def may_be_shadowed(self, template: str) -> bool:
        """Whether a path `template` matches could belong to a more concrete template (only then does
        a request's own template have to be looked up when it arrives)."""
        rank = precedence(template)
        for prefix in self.prefixes:
            mine = (prefix + template).split("/")
            for _, other, _ in self.templates:
                if other == template or precedence(other) > rank:
                    continue
                for other_prefix in self.prefixes:
                    theirs = (other_prefix + other).split("/")
                    if len(theirs) == len(mine) and all(a == b or "{" in a or "{" in b for a, b in zip(mine, theirs)):
                        return True
        return False


def precedence(template: str) -> tuple[int, int, str]:
    """How a path template ranks when several match a request: concrete paths before templated
    ones (as OpenAPI matches them), then the longer, then by name; the least wins."""
    return template.count("{"), -len(template), template


def build_app(routes: tuple[Route, ...], handlers: Any, schemes: Mapping[str, SecurityScheme],
              document: dict[str, Any], *, title: str, debug: bool = False, base_paths: tuple[str, ...] = (),
              credentials: Mapping[str, CredentialCheck] | None = None) -> FastAPI:
    """A FastAPI app serving `routes` with `handlers` at the bare paths and under every server's base
    path; `/openapi.json` is the curated spec itself. `credentials` maps a security scheme to a check
    of the credential's value (without one, any well-formed credential passes)."""
    unknown = sorted(set(credentials or {}) - set(schemes))
    if unknown:
        raise ValueError(f"no security scheme named {', '.join(unknown)}; the schemes are {', '.join(schemes)}")
    app = FastAPI(title=title, openapi_url=None, docs_url=None, redoc_url=None)
    served = _Served(handlers, schemes, document, dict(credentials or {}), debug, routes)
    missing = [route.operation for route in routes if not is_implemented(handlers, route.operation)]
    if missing:
        logger.warning("%d operation(s) not implemented, answering 501: %s", len(missing), ", ".join(missing))

    async def openapi(_: Request) -> JSONResponse:
        return JSONResponse(document)

    served.prefixes = ("", *sorted({p.rstrip("/") for p in base_paths if p.strip("/")}))
    methods: dict[str, set[str]] = {}
    for route in routes:
        methods.setdefault(route.path, set()).add(route.method.upper())
    served.templates = [(re.compile("^" + path_pattern(path).pattern), path, sorted(allowed))
                        for path, allowed in methods.items()]
    for prefix in served.prefixes:
        app.add_route(prefix + "/openapi.json", openapi, methods=["GET"])
    endpoints = {route.operation: _endpoint(route, served) for route in routes}
    for prefix in served.prefixes:  # the router tries routes in this order: bare paths first, concrete first
        for route in sorted(routes, key=lambda r: precedence(r.path)):
            app.add_route(prefix + route.path, endpoints[route.operation], methods=[route.method.upper()],
                          name=route.operation, include_in_schema=False)

    @app.exception_handler(StarletteHTTPException)
    async def not_routed(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        owner = served.template_of(request.url.path)
        if exc.status_code in (404, 405) and owner is not None:
            return not_allowed(document, routes, request, owner[1])
        if exc.status_code in (404, 405):
            return error_response(document, routes, None, 404,
                                  f"no operation {request.method} {request.url.path} in this API", [])
        return error_response(document, routes, None, exc.status_code, str(exc.detail), [])

    return app


def not_allowed(document: dict[str, Any], routes: tuple[Route, ...], request: Request,
                allowed: list[str]) -> JSONResponse:
    """405 with `Allow`, in the API's error body."""
    message = f"{request.method} is not allowed on {request.url.path}; allowed: {', '.join(allowed)}"
    return error_response(document, routes, None, 405, message, [], {"Allow": ", ".join(allowed)})


def error_response(document: dict[str, Any], routes: tuple[Route, ...], route: Route | None, status: int,
                   message: str, fields: list[str], headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A refused request answered as JSON in the API's own error body (see `error_reply`)."""
    answered, body = error_reply(document, routes, route, status, message, fields)
    return JSONResponse(to_wire(body), status_code=answered, headers=dict(headers or {}))


def error_reply(document: dict[str, Any], routes: tuple[Route, ...], route: Route | None, status: int,
                message: str, fields: list[str]) -> tuple[int, Any]:
    """The status and error body refusing a request: as the request's operation documents the
    status (bad input gets its documented 400 or 422), else as the API documents it elsewhere."""
    responses = (_pointer(document, route.pointer).get("responses") or {}) if route is not None else {}
    answered = _documented_status(responses, status)
    key = documented_key(responses, answered)
    if key is not None and route is not None:
        response, media_type = responses[key], route.media_types.get(key)
    else:
        response, media_type = _usual_error(document, routes, int(answered))
    return int(answered), error_body(document, response, media_type, int(answered), message, fields)


def _usual_error(document: dict[str, Any], routes: tuple[Route, ...], status: int) -> tuple[Any, str | None]:
    """The error response (and its media type) the API documents for `status` in some operation,
    else its first documented 4xx one with a body."""
    candidates = [(code, _pointer(document, route.pointer)["responses"][code], media_type)
                  for route in routes for code, media_type in route.media_types.items() if code[:1] in "45"]
    exact = next((c for c in candidates if documented_key({c[0]: c}, status, default=False)), None)
    chosen = exact or next((c for c in candidates if c[0].startswith("4")), None)
    return (chosen[1], chosen[2]) if chosen is not None else (None, None)


def _endpoint(route: Route, served: _Served) -> Any:
    document = served.document
    operation = _pointer(document, route.pointer)
    responses = operation.get("responses") or {}
    checked = Checked.of(document, route)
    decoding = _Decoding.of(route)
    implemented = is_implemented(served.handlers, route.operation)
    shadowed = served.may_be_shadowed(route.path)
    media_types: dict[int, str | None] = {}

    def media_type(status: int) -> str | None:
        if status not in media_types:
            media_types[status] = route.media_types.get(documented_key(responses, status) or "")
        return media_types[status]

    def failure(status: int, message: str, fields: list[str]) -> JSONResponse:
        return error_response(document, served.routes, route, status, message, fields)

    async def endpoint(request: Request) -> Response:
        if shadowed:
            owner = served.template_of(request.url.path)
            if owner is not None and owner[0] != route.path:  # a concrete path that does not declare this method
                return not_allowed(document, served.routes, request, owner[1])
        refused = await authenticate(request, route, served.schemes, served.checks)
        if refused is not None:
            return failure(401, refused, [])
        try:
            arguments = await _arguments(request, route, served.adapters, checked, decoding, served.formats)
        except BadRequest as exc:
            return failure(exc.status, str(exc), exc.fields)
        if not implemented:
            return failure(501, f"operation {route.operation} is not implemented by this server", [])
        token = _prefer.set(_parse_prefer(request.headers.get("prefer")))
        try:
            result = getattr(served.handlers, route.operation)(**arguments)
            if inspect.isawaitable(result):
                result = await result
        finally:
            _prefer.reset(token)
        reply = result if isinstance(result, Reply) else Reply(result)
        status = reply.status or (int(route.success) if route.success.isdigit() else 200)
        return _respond(route, reply, status, media_type(status), served.adapters, served.debug)

    return endpoint


def _documented_status(responses: Mapping[str, Any], status: int) -> str:
    """The status to answer with: `status` when documented, else the documented 400 or 422 for bad input."""
    code = str(status)
    if documented(responses, code, default=False) is not None or status not in (400, 415, 422):
        return code
    return next((candidate for candidate in ("400", "422") if candidate in responses), code)


def _respond(route: Route, reply: Reply[Any], status: int, media_type: str | None,
             adapters: dict[Any, TypeAdapter[Any]], debug: bool) -> Response:
    """The reply on the wire, with the content type the spec documents for that status."""
    headers = dict(reply.headers)
    body = reply.body
    if body is None:
        return Response(status_code=status, headers=headers)
    json_media = media_type is None or "json" in media_type
    if isinstance(body, Encoded) and not json_media:
        body = body.value
    if isinstance(body, (bytes, bytearray, str)) and not json_media:
        return Response(body, status_code=status, headers=headers, media_type=media_type)
    if isinstance(body, BaseModel) and not debug:  # pydantic writes its own JSON fastest
        return Response(body.model_dump_json(by_alias=True, exclude_unset=True), status_code=status,
                        headers=headers, media_type=media_type or "application/json")
    annotation = route.responses.get(str(status)) if debug else None
    if isinstance(body, Encoded):
        if annotation is not None and body.problem is None:
            body.problem = _mismatch(adapters, annotation, body.value)
        if body.problem:
            return _debug_failure(body.problem)
        return Response(body.content, status_code=status, headers=headers, media_type=media_type or "application/json")
    body = to_wire(body)
    problem = _mismatch(adapters, annotation, body) if annotation is not None else ""
    if problem:
        return _debug_failure(problem)
    return JSONResponse(body, status_code=status, headers=headers, media_type=media_type or "application/json")


def _mismatch(adapters: dict[Any, TypeAdapter[Any]], annotation: Any, body: Any) -> str:
    """What makes a response body not match its documented type ("" when it matches)."""
    try:
        _adapter(adapters, annotation).validate_python(body)
    except ValidationError as exc:
        return "; ".join(_messages(exc))
    return ""


def _debug_failure(problem: str) -> JSONResponse:
    return JSONResponse({"message": f"debug: the handler's response does not match the spec: {problem}",
                         "status": 500}, status_code=500)
