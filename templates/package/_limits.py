"""Request limits of a generated server: hostile or oversized input gets a 4xx, a failing handler a 500.

Hand-written once and copied into every generated package (needs the `server` extra). An
ASGI middleware reads each request body up to `Limits.max_body_bytes` before any route
runs and refuses, with the API's own documented error body:

- a body over the size limit (413), sent with Content-Length or chunked;
- too many headers or too many header bytes (431);
- a multipart or form body with more parts than the limit and than its operation declares (413);
- a JSON body that is not UTF-8, nests deeper than the limit, repeats a key in one object
  (Python's parser would keep the last one silently, another parser the first: refused
  rather than guessed), has a number literal longer than the limit or out of float range,
  uses NaN/Infinity (not JSON) or an unpaired surrogate escape (400).

A handler's own exception is logged with its traceback and answered 500 with the error
body, never with internals.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.routing import Match

from ._runtime import to_wire
from ._server import Route, error_reply

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

logger = logging.getLogger(__name__.rsplit(".", 1)[0] + ".server")


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one request may hold; pass your own to `create_app(handlers, limits=Limits(...))`."""

    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 64
    max_number_length: int = 100  # characters of one JSON number literal
    max_headers: int = 100
    max_header_bytes: int = 8 * 1024  # names and values of all headers together
    max_parts: int = 100  # multipart parts or form fields


DEFAULT_LIMITS = Limits()


class Refused(Exception):
    """A request outside the limits: the status to answer and what was wrong."""

    def __init__(self, status: int, message: str, fields: tuple[str, ...] = ("body",)):
        super().__init__(message)
        self.status = status
        self.fields = list(fields)


class _Disconnected(Exception):
    """The client went away before sending its whole body: nothing to answer."""


def harden(app: FastAPI, routes: tuple[Route, ...], document: dict[str, Any], limits: Limits) -> FastAPI:
    """`app` behind the limits middleware (the app itself, for `create_app` to return)."""
    app.add_middleware(LimitsMiddleware, routes=routes, document=document, limits=limits)
    return app


class LimitsMiddleware:
    """Checks headers and body against `Limits`, then replays the body to the app."""

    def __init__(self, app: Any, *, routes: tuple[Route, ...], document: dict[str, Any], limits: Limits):
        self.app = app
        self.routes = routes
        self.by_name = {route.operation: route for route in routes}
        self.document = document
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            check_headers(scope["headers"], self.limits)
            body = await read_body(scope, receive, self.limits)
            check_body(_header(scope, b"content-type"), body, self.limits, lambda: self._declared_fields(scope))
        except Refused as refused:
            await self.answer(scope, send, refused.status, str(refused), refused.fields)
            return
        except _Disconnected:
            return
        try:
            await self.app(scope, _replay(body, receive), tracking_send)
        except Exception:
            logger.exception("%s %s: the handler failed", scope.get("method"), scope.get("path"))
            if started:
                raise
            await self.answer(scope, send, 500, "the server failed to answer this request", [])

    async def answer(self, scope: Scope, send: Send, status: int, message: str, fields: list[str]) -> None:
        """The API's own error body for `status`, as the matched operation documents it."""
        answered, body = error_reply(self.document, self.routes, self._route(scope), status, message, fields)
        payload = json.dumps(to_wire(body), ensure_ascii=False).encode("utf-8")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        if status in (413, 431):
            headers.append((b"connection", b"close"))  # the rest of what the client sends is not read
        await send({"type": "http.response.start", "status": answered, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _declared_fields(self, scope: Scope) -> int:
        """The most fields a form or multipart body of an operation on the request's path declares
        (any method: an undeclared one is answered 405, not refused for its size)."""
        return max((route.body.fields for route in self._routes(scope, (Match.FULL, Match.PARTIAL))
                    if route.body is not None), default=0)

    def _route(self, scope: Scope) -> Route | None:
        """The operation the request is for, if any."""
        return next(self._routes(scope, (Match.FULL,)), None)

    def _routes(self, scope: Scope, matches: tuple[Match, ...]) -> Iterator[Route]:
        app = scope.get("app")
        for candidate in getattr(getattr(app, "router", None), "routes", ()):
            name = getattr(candidate, "name", None)
            if name in self.by_name and candidate.matches(scope)[0] in matches:
                yield self.by_name[name]


def _header(scope: Scope, name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == name), "")


def check_headers(headers: list[tuple[bytes, bytes]], limits: Limits) -> None:
    """Refuse (431) more headers, or more header bytes, than the limits allow."""
    if len(headers) > limits.max_headers:
        raise Refused(431, f"the request has {len(headers)} headers; at most {limits.max_headers} are accepted", ())
    size = sum(len(k) + len(v) for k, v in headers)
    if size > limits.max_header_bytes:
        raise Refused(431, f"the request headers hold {size} bytes; at most {limits.max_header_bytes} are accepted",
                      ())


async def read_body(scope: Scope, receive: Receive, limits: Limits) -> bytes:
    """The whole request body, refused (413) as soon as it passes the size limit."""
    declared = _header(scope, b"content-length").strip()
    if declared and (not declared.isdigit() or int(declared) > limits.max_body_bytes):
        raise Refused(413, f"the request body is larger than {limits.max_body_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise Refused(413, f"the request body is larger than {limits.max_body_bytes} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then waits on the client as before."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def check_body(content_type: str, body: bytes, limits: Limits, declared_fields: Callable[[], int] = lambda: 0) -> None:
    """Refuse a body the limits do not allow for its content type (JSON, multipart, form); a form
    may always have as many fields as its operation declares (`declared_fields`, asked only then)."""
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    if not body:
        return
    if media_type == "application/json" or media_type.endswith("+json"):
        check_json(body, limits)
    elif media_type == "multipart/form-data":
        boundary = re.search(r'boundary="?([^";]+)', parameters)
        parts = body.count(b"--" + boundary.group(1).encode("latin-1")) - 1 if boundary else 0
        if parts > limits.max_parts and parts > (allowed := max(limits.max_parts, declared_fields())):
            raise Refused(413, f"the multipart body has {parts} parts; at most {allowed} are accepted")
    elif media_type == "application/x-www-form-urlencoded":
        fields = body.count(b"&") + 1
        if fields > limits.max_parts and fields > (allowed := max(limits.max_parts, declared_fields())):
            raise Refused(413, f"the form body has {fields} fields; at most {allowed} are accepted")


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def check_json(body: bytes, limits: Limits) -> None:
    """Refuse (400) JSON that could exhaust the parser or that parsers read differently.

    A body that is not JSON at all passes: the operation answers that with its own message.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, f"the request body is not valid UTF-8 (byte {exc.start})") from None
    if text.count("[") + text.count("{") > limits.max_json_depth and _depth(text) > limits.max_json_depth:
        raise Refused(400, f"the request body nests deeper than {limits.max_json_depth} levels")
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_not_json,
                           parse_int=_number(int, limits), parse_float=_number(float, limits))
    except Refused:
        raise
    except ValueError:
        return
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise Refused(400, "the request body holds an unpaired surrogate escape") from None


def _depth(text: str) -> int:
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        keys = [key for key, _ in pairs]
        repeated = next(key for index, key in enumerate(keys) if key in keys[:index])
        raise Refused(400, f"the request body repeats the key {repeated!r} in one object")
    return value


def _not_json(literal: str) -> Any:
    raise Refused(400, f"the request body uses {literal}, which is not JSON")


def _number(kind: Callable[[str], int | float], limits: Limits) -> Callable[[str], Any]:
    def parse(literal: str) -> Any:
        if len(literal) > limits.max_number_length:
            raise Refused(400, f"the request body has a number of {len(literal)} characters; "
                               f"at most {limits.max_number_length} are accepted")
        value = kind(literal)
        if isinstance(value, float) and not math.isfinite(value):
            raise Refused(400, f"the request body has a number out of range: {literal}")
        return value

    return parse
