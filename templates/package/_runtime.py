"""Runtime of a generated client: models' base, errors, auth, retries, paging, transport.

Hand-written once and copied into every generated package, which therefore depends
on httpx and pydantic only.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import datetime
import email.utils
import enum
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, RootModel, TypeAdapter, ValidationError

from ._codec import Wire, encode, scalar_text

logger = logging.getLogger(__name__.rsplit(".", 1)[0])
EnumT = TypeVar("EnumT", bound=type[enum.Enum])
T = TypeVar("T")
RootT = TypeVar("RootT")
DEFAULT_TIMEOUT = 30.0
EXCERPT_BYTES = 1024
REDACTED = "[REDACTED]"


class ApiModel(BaseModel):
    """Base of every generated model: wire names on the way out, Python names accepted on the way in.

    Unknown fields are kept (`extra="allow"`), so a field the vendor adds does not break a
    client; request-only models override this with `extra="forbid"`.
    """

    model_config = ConfigDict(
        populate_by_name=True, serialize_by_alias=True, extra="allow", defer_build=True
    )


class ApiRootModel(RootModel[RootT], Generic[RootT]):
    """Base of generated models whose value is not an object (lists, strings, unions)."""

    model_config = ConfigDict(defer_build=True)


# True while a server validates a request: then enums accept only the values the spec lists.
STRICT_ENUMS: contextvars.ContextVar[bool] = contextvars.ContextVar("strict_enums", default=False)


def open_enum(cls: EnumT) -> EnumT:
    """Let an enum accept values the spec does not list: they become unnamed members.

    A vendor adding an enum value must not break a deployed client (that is drift).
    """
    base: Any = next((b for b in cls.__mro__ if b in (str, int, float)), object)

    def _missing_(enum_cls: type[enum.Enum], value: object) -> enum.Enum | None:
        if STRICT_ENUMS.get() or (base is not object and not isinstance(value, base)):
            return None
        member = base.__new__(enum_cls, value) if base is not object else object.__new__(enum_cls)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member

    type.__setattr__(cls, "_missing_", classmethod(_missing_))
    return cls


# -- errors -------------------------------------------------------------------------------


class ClientError(Exception):
    """Base of every error this package raises."""


class TransportError(ClientError):
    """The request did not get an HTTP response (connection refused, timeout, …)."""


class ApiError(ClientError):
    """The API answered with a status the operation does not treat as success.

    `body` is the API's own error body parsed with the documented error model when there
    is one, else the decoded JSON, else the text.
    """

    def __init__(self, status_code: int, method: str, url: str, headers: Mapping[str, str], body: Any):
        self.status_code = status_code
        self.method = method
        self.url = url
        self.headers = httpx.Headers(headers)  # case-insensitive, secrets redacted
        self.body = body
        super().__init__(f"{method} {url} answered {status_code}: {_summary(body)}")


class ClientRequestError(ApiError):
    """4xx: the request was not acceptable."""


class BadRequestError(ClientRequestError):
    """400 Bad Request."""


class AuthenticationError(ClientRequestError):
    """401 Unauthorized."""


class PermissionDeniedError(ClientRequestError):
    """403 Forbidden."""


class NotFoundError(ClientRequestError):
    """404 Not Found."""


class ConflictError(ClientRequestError):
    """409 Conflict."""


class UnprocessableEntityError(ClientRequestError):
    """422 Unprocessable Entity."""


class RateLimitError(ClientRequestError):
    """429 Too Many Requests."""


class ServerError(ApiError):
    """5xx: the server failed."""


class UnexpectedStatusError(ApiError):
    """Any other status outside 2xx (1xx, 3xx)."""


class ResponseValidationError(ApiError):
    """A success status whose body is not what the operation documents.

    A wrong content type (an HTML page from a proxy), invalid, truncated or too deeply nested
    JSON, or a value the documented model rejects. `body` is an excerpt of the raw body
    (at most `EXCERPT_BYTES`), `reason` says what was wrong. Unknown fields and enum values
    are not a mismatch: response models keep them.
    """

    def __init__(self, status_code: int, method: str, url: str, headers: Mapping[str, str], body: str,
                 reason: str):
        self.reason = reason
        super().__init__(status_code, method, url, headers, body)
        message = f"{method} {url} answered {status_code} with a body that does not match the documented response"
        self.args = (f"{message}: {reason}",)


ERRORS_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class(status: int) -> type[ApiError]:
    """The most specific error class for a status code."""
    if status in ERRORS_BY_STATUS:
        return ERRORS_BY_STATUS[status]
    if 400 <= status < 500:
        return ClientRequestError
    if status >= 500:
        return ServerError
    return UnexpectedStatusError


def _summary(body: Any) -> str:
    text = body.model_dump_json() if isinstance(body, BaseModel) else str(body)
    return text if len(text) <= 300 else text[:297] + "..."


# -- credentials --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SecurityScheme:
    """How one credential is sent: `kind` is api_key, bearer or basic."""

    name: str
    kind: str
    location: str
    wire_name: str


class Credentials:
    """The secrets a client holds, one attribute per security scheme; never shown in repr."""

    _schemes: ClassVar[Mapping[str, SecurityScheme]] = {}

    def __init__(self, **values: str | None):
        for name in self._schemes:
            setattr(self, name, values.pop(name, None))
        if values:
            raise TypeError(f"unknown credential(s): {', '.join(sorted(values))}")

    def __repr__(self) -> str:
        held = ", ".join(f"{n}={REDACTED if getattr(self, n) else None}" for n in self._schemes)
        return f"{type(self).__name__}({held})"

    def secrets(self) -> list[str]:
        """Every credential value held (for redaction)."""
        return [v for n in self._schemes if (v := getattr(self, n))]

    def apply(self, alternatives: Sequence[Sequence[str]], request: httpx.Request) -> None:
        """Apply the first security alternative whose credentials are all set."""
        for alternative in alternatives:
            values = [getattr(self, name, None) for name in alternative]
            if all(values):
                for name, value in zip(alternative, values):
                    _apply_scheme(self._schemes[name], str(value), request)
                return


def _apply_scheme(scheme: SecurityScheme, value: str, request: httpx.Request) -> None:
    if scheme.kind == "bearer":
        request.headers["Authorization"] = value if value.lower().startswith("bearer ") else f"Bearer {value}"
    elif scheme.kind == "basic":
        request.headers["Authorization"] = value if value.lower().startswith("basic ") else f"Basic {value}"
    elif scheme.location == "header":
        request.headers[scheme.wire_name] = value
    elif scheme.location == "query":  # appended to the query as it is, so the codec's encoding stays
        pair = encode(Wire(scheme.wire_name, "query", "form", True), value).encode("ascii")
        query = request.url.query
        request.url = request.url.copy_with(query=query + b"&" + pair if query else pair)
    elif scheme.location == "cookie":
        existing = request.headers.get("Cookie")
        cookie = f"{scheme.wire_name}={value}"
        request.headers["Cookie"] = f"{existing}; {cookie}" if existing else cookie


# -- retries ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Retries of idempotent calls: exponential backoff with full jitter, honouring Retry-After.

    `RetryPolicy(max_attempts=1)` (or `retries=None` on the client) turns retries off.
    """

    max_attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    idempotent_only: bool = True

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Seconds to wait before attempt number `attempt + 1`."""
        retry_after = _retry_after(response) if response is not None else None
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        return random.uniform(0, min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))

    def should_retry(self, idempotent: bool, attempt: int, response: httpx.Response | None) -> bool:
        if attempt >= self.max_attempts or (self.idempotent_only and not idempotent):
            return False
        return response is None or response.status_code in self.statuses


NO_RETRIES = RetryPolicy(max_attempts=1)
DEFAULT_RETRIES = RetryPolicy()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


# -- operations ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Operation:
    """What the generated method knows about its operation, for the transport."""

    method: str
    path: str
    security: tuple[tuple[str, ...], ...] = ()
    idempotent: bool = False
    body_kind: str | None = None  # json | form | multipart | binary | text
    body_media_type: str | None = None
    success_kind: str = "json"  # json | binary | text | empty
    errors: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    wires: tuple[Wire, ...] = ()  # how each parameter is serialised


class Call:
    """The arguments of one call, split by where they go on the wire."""

    def __init__(
        self,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Any = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ):
        self.path = dict(path or {})
        self.query = dict(query or {})
        self.headers = dict(headers or {})
        self.cookies = dict(cookies or {})
        self.body = body
        self.extra_headers = dict(extra_headers or {})
        self.timeout = timeout


_captured: contextvars.ContextVar[list[httpx.Response] | None] = contextvars.ContextVar(
    "captured_responses", default=None
)


class CapturedResponses:
    """The raw httpx responses of the calls made inside `client.capture_responses()`."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    @property
    def last(self) -> httpx.Response:
        """The most recent response (raises IndexError when no call was made)."""
        return self.responses[-1]


@contextlib.contextmanager
def capture_responses() -> Iterator[CapturedResponses]:
    """Collect the raw responses of the calls made in this block (thread- and task-local)."""
    captured = CapturedResponses()
    token = _captured.set(captured.responses)
    try:
        yield captured
    finally:
        _captured.reset(token)


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_wire(value: Any) -> Any:
    """A value as JSON sends it: models by alias without unset fields, enums by value."""
    kind = type(value)
    if kind in _JSON_SCALARS:  # the common case first: a server answers plain JSON values per request
        return value
    if kind is dict:
        return {str(k): to_wire(v) for k, v in value.items()}
    if kind is list:
        return [to_wire(v) for v in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    return value


class _Core:
    """What the sync and async transports share: building requests and reading responses."""

    def __init__(self, base_url: str, credentials: Credentials, retries: RetryPolicy | None,
                 timeout: float | None, headers: Mapping[str, str] | None):
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.retries = retries or NO_RETRIES
        self.timeout = timeout
        self.headers = dict(headers or {})
        self._adapters: dict[Any, TypeAdapter[Any]] = {}

    def build(self, http: httpx.Client | httpx.AsyncClient, operation: Operation, call: Call) -> httpx.Request:
        given = {"path": call.path, "query": call.query, "header": call.headers, "cookie": call.cookies}
        path, query, cookies = operation.path, [], []
        headers = dict(self.headers)
        for wire in operation.wires:
            value = given[wire.location].get(wire.name)
            if value is None:  # never sent: the server applies its own default
                continue
            text = encode(wire, value)
            if wire.location == "path":
                path = path.replace("{" + wire.name + "}", text)
            elif wire.location == "query":
                query.append(text)
            elif wire.location == "header":
                headers[wire.name] = text
            else:
                cookies.append(text)
        headers.update(call.extra_headers)
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        content, data, files, json_body = self._body(operation, call.body)
        if operation.body_media_type and operation.body_kind not in ("multipart", None) and call.body is not None:
            headers.setdefault("Content-Type", operation.body_media_type)
        timeout = call.timeout if call.timeout is not None else self.timeout
        request = http.build_request(
            operation.method.upper(), self.base_url + path + ("?" + "&".join(query) if query else ""), headers=headers,
            content=content, data=data, files=files, json=json_body,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
        self.credentials.apply(operation.security, request)
        return request

    @staticmethod
    def _body(operation: Operation, body: Any) -> tuple[Any, Any, Any, Any]:
        if body is None:
            return None, None, None, None
        if operation.body_kind in ("binary", "text"):
            return body, None, None, None
        wire = to_wire(body)
        if operation.body_kind == "form":
            return None, {k: scalar_text(to_wire(v)) for k, v in wire.items() if v is not None}, None, None
        if operation.body_kind == "multipart":
            raw = body if isinstance(body, Mapping) else wire
            files = {k: v for k, v in raw.items() if isinstance(v, (bytes, tuple))}
            data = {k: scalar_text(to_wire(v)) for k, v in wire.items() if k not in files and v is not None}
            return None, data, files, None
        return None, None, None, wire

    def adapter(self, annotation: Any) -> TypeAdapter[Any]:
        if annotation not in self._adapters:
            self._adapters[annotation] = TypeAdapter(annotation)
        return self._adapters[annotation]

    def read(self, operation: Operation, response: httpx.Response, annotation: Any) -> Any:
        """The parsed success value, or the API's error raised as an ApiError subclass."""
        captured = _captured.get()
        if captured is not None:
            captured.append(response)
        if not 200 <= response.status_code < 300:
            raise self.error(operation, response)
        if operation.success_kind == "empty" or annotation is None:
            return None
        if operation.success_kind == "binary":
            return response.content
        if operation.success_kind == "text":
            return response.text
        if not response.content:
            return None
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type and "json" not in media_type:
            raise self.invalid(response, f"content type {media_type} is not JSON")
        try:
            return self.adapter(annotation).validate_json(response.content)
        except ValidationError as exc:
            raise self.invalid(response, _reason(exc)) from exc

    def invalid(self, response: httpx.Response, reason: str) -> ResponseValidationError:
        """The typed error for a success response that cannot be read as documented."""
        excerpt = response.content[:EXCERPT_BYTES].decode("utf-8", errors="replace")
        return ResponseValidationError(response.status_code, response.request.method,
                                       self.redact_url(response.request.url),
                                       self.redact_headers(response.headers), excerpt, reason)

    def error(self, operation: Operation, response: httpx.Response) -> ApiError:
        status = response.status_code
        annotation = documented(operation.errors, status)
        body: Any = response.text
        with contextlib.suppress(ValueError, RecursionError):  # not JSON, or nested past the parser
            body = response.json()
            if annotation is not None:
                with contextlib.suppress(ValidationError):
                    body = self.adapter(annotation).validate_python(body)
        headers = self.redact_headers(response.headers)
        return error_class(status)(status, response.request.method, self.redact_url(response.request.url),
                                   headers, body)

    def redact_url(self, url: httpx.URL) -> str:
        secrets = set(self.credentials.secrets())
        params = [(k, REDACTED if v in secrets else v) for k, v in url.params.multi_items()]
        return str(url.copy_with(params=params) if params else url)

    def redact_headers(self, headers: httpx.Headers) -> dict[str, str]:
        secrets = set(self.credentials.secrets())
        sensitive = {"authorization", "cookie", "set-cookie", "proxy-authorization"}
        return {k: REDACTED if k.lower() in sensitive or v in secrets else v for k, v in headers.items()}

    def next_step(self, operation: Operation, request: httpx.Request, attempt: int,
                  response: httpx.Response | None, error: httpx.RequestError | None) -> float | None:
        """Seconds to wait before the next attempt, or None when this one is final.

        A final attempt that got no response raises TransportError (secrets redacted); a
        redirect loop is final at once (it would loop again).
        """
        self.log(request, type(error).__name__ if error else str(response.status_code if response else "?"))
        looping = isinstance(error, httpx.TooManyRedirects)
        if not looping and self.retries.should_retry(operation.idempotent, attempt, response):
            return self.retries.delay(attempt, response)
        if error is not None or response is None:
            raise TransportError(f"{request.method} {self.redact_url(request.url)}: {type(error).__name__}") from None
        return None

    def log(self, request: httpx.Request, outcome: str) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s -> %s", request.method, self.redact_url(request.url), outcome)


def _reason(exc: ValidationError) -> str:
    """The first validation error, located by JSON pointer into the response body."""
    error = exc.errors()[0]
    pointer = "".join(f"/{part}" for part in error["loc"])
    return f"{pointer or '/'}: {error['msg']}"


def documented_key(responses: Mapping[str, Any], status: int | str, *, default: bool = True) -> str | None:
    """The key of OpenAPI's Responses Object that covers a status: the exact code, else its range
    (`4XX`), else `default` (unless `default` is False); None when nothing covers it."""
    code = str(status)
    keys = [code, code[:1] + "XX", code[:1] + "xx"] if code.isdigit() else [code]
    return next((key for key in keys + ["default"] * default if key in responses), None)


def documented(responses: Mapping[str, Any], status: int | str, *, default: bool = True) -> Any:
    """What a map keyed like OpenAPI's Responses Object holds for a status (see `documented_key`)."""
    key = documented_key(responses, status, default=default)
    return responses[key] if key is not None else None


class SyncTransport(_Core):
    """Sends requests with an httpx.Client, retrying as the policy says."""

    def __init__(self, http: httpx.Client | None, **options: Any):
        super().__init__(**options)
        self.http = http or httpx.Client(timeout=self.timeout if self.timeout is not None else DEFAULT_TIMEOUT)
        self.owns_http = http is None

    def request(self, operation: Operation, call: Call, annotation: Any) -> Any:
        request = self.build(self.http, operation, call)
        attempt = 0
        while True:
            attempt += 1
            response, error = None, None
            try:
                response = self.http.send(request)
                response.read()
            except (httpx.TransportError, httpx.TooManyRedirects) as exc:
                error = exc
            delay = self.next_step(operation, request, attempt, response, error)
            if delay is None:
                return self.read(operation, response, annotation)  # type: ignore[arg-type]
            time.sleep(delay)

    def close(self) -> None:
        if self.owns_http:
            self.http.close()


class AsyncTransport(_Core):
    """Sends requests with an httpx.AsyncClient, retrying as the policy says."""

    def __init__(self, http: httpx.AsyncClient | None, **options: Any):
        super().__init__(**options)
        self.http = http or httpx.AsyncClient(
            timeout=self.timeout if self.timeout is not None else DEFAULT_TIMEOUT
        )
        self.owns_http = http is None

    async def request(self, operation: Operation, call: Call, annotation: Any) -> Any:
        request = self.build(self.http, operation, call)
        attempt = 0
        while True:
            attempt += 1
            response, error = None, None
            try:
                response = await self.http.send(request)
                await response.aread()
            except (httpx.TransportError, httpx.TooManyRedirects) as exc:
                error = exc
            delay = self.next_step(operation, request, attempt, response, error)
            if delay is None:
                return self.read(operation, response, annotation)  # type: ignore[arg-type]
            await asyncio.sleep(delay)

    async def close(self) -> None:
        if self.owns_http:
            await self.http.aclose()


# -- pagination ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Paging:
    """Where a list operation's page number and size go, and where its items come back."""

    location: str  # query | body
    page: str
    size: str
    items: str
    total: str | None = None  # dotted wire path of the total record count in a page


def _field(page: Any, name: str) -> Any:
    """A response field by wire name, from a model or a plain mapping."""
    value = getattr(page, name, None) if isinstance(page, BaseModel) else None
    if value is None and isinstance(page, BaseModel):
        field_name = next((n for n, f in type(page).model_fields.items() if f.alias == name), None)
        value = getattr(page, field_name, None) if field_name else (page.model_extra or {}).get(name)
    if value is None and isinstance(page, Mapping):
        value = page.get(name)
    return value


def _items(page: Any, items: str) -> list[Any]:
    return list(_field(page, items) or [])


def _total(paging: Paging, page: Any) -> int | None:
    value = page
    for name in paging.total.split(".") if paging.total else []:
        value = _field(value, name)
    return value if isinstance(value, int) and not isinstance(value, bool) and paging.total else None


def _seen(seen: int, page: int, items: list[Any]) -> int:
    """Records up to this page; when iteration starts past page 1, earlier pages count as full."""
    return seen + len(items) if seen or page == 1 else len(items) * page


def _last(paging: Paging, response: Any, items: list[Any], size: int | None, seen: int) -> bool:
    """Whether this page is the last: empty, short, or the response's total is reached."""
    total = _total(paging, response)
    return not items or (size is not None and len(items) < size) or (total is not None and seen >= total)


def _page_arguments(paging: Paging, arguments: dict[str, Any], page: int) -> dict[str, Any]:
    if paging.location == "query":
        return {**arguments, paging.page: page}
    body = arguments.get("body")
    wire = dict(to_wire(body) or {})
    wire[paging.page] = page
    return {**arguments, "body": wire}


def _start(paging: Paging, arguments: dict[str, Any]) -> tuple[int, int | None]:
    if paging.location == "query":
        page, size = arguments.get(paging.page), arguments.get(paging.size)
    else:
        wire = to_wire(arguments.get("body")) or {}
        page, size = wire.get(paging.page), wire.get(paging.size)
    return int(page or 1), int(size) if size not in (None, "") else None


def iterate(paging: Paging, fetch: Callable[..., Any], arguments: dict[str, Any]) -> Iterator[Any]:
    """Every item of every page, fetching pages until one comes back short or empty."""
    page, size = _start(paging, arguments)
    seen = 0
    while True:
        response = fetch(**_page_arguments(paging, arguments, page))
        items = _items(response, paging.items)
        seen = _seen(seen, page, items)
        yield from items
        if _last(paging, response, items, size, seen):
            return
        page += 1


async def aiterate(paging: Paging, fetch: Callable[..., Any], arguments: dict[str, Any]) -> AsyncIterator[Any]:
    """The async twin of `iterate`."""
    page, size = _start(paging, arguments)
    seen = 0
    while True:
        response = await fetch(**_page_arguments(paging, arguments, page))
        items = _items(response, paging.items)
        seen = _seen(seen, page, items)
        for item in items:
            yield item
        if _last(paging, response, items, size, seen):
            return
        page += 1
