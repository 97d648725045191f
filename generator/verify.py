"""`verify SPEC TRAFFIC`: do recorded HTTP exchanges still match the spec?

Traffic is a HAR file (as browsers and proxies export it) or JSON lines, one exchange per
line: `{"request": {"method", "url", "headers", "body"}, "response": {"status", "headers",
"body"}}`. Findings reuse the diff's record and report formats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.diagnostics import Diagnostic, SpecInputError
from generator.diff.change import Change
from generator.diff.registry import ERROR, INFO, WARNING
from generator.load import Document
from generator.model import ModelError, Operation, Response, Schema, SpecModel, match_media_type
from generator.model.validation import Validators
from generator.runtime import MISSING, CodecError, decode_path, decode_query, parse_query, wire_of


@dataclass
class Exchange:
    """One recorded request and its response."""

    where: str  # e.g. "traffic.har entry 3"
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int
    response_headers: dict[str, str]
    response_body: Any


@dataclass
class OperationTally:
    seen: int = 0
    successes: int = 0  # 2xx responses: only they say which documented fields appear
    conforming: int = 0
    findings: int = 0
    fields_seen: set[str] = field(default_factory=set)


def read_traffic(path: Path) -> Iterator[Exchange]:
    """Exchanges from a HAR file or JSON lines, one at a time; SpecInputError with a location when unreadable.

    JSON lines are read line by line, so memory stays bounded however long the recording; a
    HAR file is one JSON document and is read whole.
    """
    where = 1
    try:
        with path.open(encoding="utf-8") as stream:
            head = stream.read(2000)
            stream.seek(0)
            if head.lstrip().startswith("{") and '"log"' in head:
                entries = json.load(stream)["log"]["entries"]
                for index, entry in enumerate(entries):
                    yield _from_har(entry, f"{path.name} entry {index}")
                return
            for where, line in enumerate(stream, 1):
                if line.strip():
                    yield _from_line(json.loads(line), f"{path.name}:{where}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        message = f"not HAR or JSON lines: {'missing ' if isinstance(exc, KeyError) else ''}{exc}"
        raise SpecInputError(Diagnostic(str(path), where, 1, "traffic-unreadable", message)) from None


def _body(text: Any, mime: str) -> Any:
    if isinstance(text, str) and "json" in (mime or "") and text.strip():
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text if text not in ("", None) else None


def _from_har(entry: dict[str, Any], where: str) -> Exchange:
    request, response = entry["request"], entry["response"]
    request_headers = {h["name"].lower(): h["value"] for h in request.get("headers", [])}
    response_headers = {h["name"].lower(): h["value"] for h in response.get("headers", [])}
    post = request.get("postData") or {}
    content = response.get("content") or {}
    return Exchange(where, request["method"].lower(), request["url"], request_headers,
                    _body(post.get("text"), post.get("mimeType", "")), int(response["status"]), response_headers,
                    _body(content.get("text"), content.get("mimeType", "")))


def _from_line(record: dict[str, Any], where: str) -> Exchange:
    request, response = record["request"], record["response"]
    request_headers = {k.lower(): str(v) for k, v in (request.get("headers") or {}).items()}
    response_headers = {k.lower(): str(v) for k, v in (response.get("headers") or {}).items()}
    return Exchange(where, str(request["method"]).lower(), str(request["url"]), request_headers,
                    request.get("body"), int(response["status"]), response_headers, response.get("body"))


class Verifier:
    """Matches exchanges to operations and checks them against the spec's schemas."""

    def __init__(self, document: Document):
        self.document = document
        self.spec = SpecModel(document)
        self.validators = Validators(self.spec)
        self.prefixes = sorted({server.base_path for server in self.spec.servers} | {""}, key=len, reverse=True)
        self.routes = sorted((_Route(operation) for operation in self.spec.operations),
                             key=lambda route: len(route.names))  # literal segments win over templates
        self.tallies: dict[str, OperationTally] = {}

    def check(self, exchanges: Iterable[Exchange]) -> list[Change]:
        findings: list[Change] = []
        try:
            for exchange in exchanges:
                findings += self._exchange(exchange)
            findings += self._never_seen()
        except ModelError as exc:
            raise SpecInputError(exc.document.diagnostic(exc.pointer, "ref-resolves", str(exc))) from None
        return findings

    def check_exchange(self, exchange: Exchange) -> list[Change]:
        """The findings of one exchange, as it passes (the proxy's use)."""
        try:
            return self._exchange(exchange)
        except ModelError as exc:
            raise SpecInputError(exc.document.diagnostic(exc.pointer, "ref-resolves", str(exc))) from None

    def _match(self, exchange: Exchange) -> tuple[Operation, dict[str, str]] | None:
        """The documented operation an exchange is, and the raw (still encoded) value of each path parameter."""
        path = urlsplit(exchange.url).path
        for prefix in self.prefixes:
            if prefix and not path.startswith(prefix):
                continue
            local = path[len(prefix):] or "/"
            for route in self.routes:
                match = route.regex.match(local) if route.operation.method == exchange.method else None
                if match:
                    return route.operation, dict(zip(route.names, match.groups()))
        return None

    def _exchange(self, exchange: Exchange) -> list[Change]:
        matched = self._match(exchange)
        label = f"{exchange.method.upper()} {urlsplit(exchange.url).path}"
        if matched is None:
            return [Change(label, "undocumented-operation", ERROR, "no documented operation matches", "",
                           exchange.where)]
        operation, segments = matched
        label = operation.label
        tally = self.tallies.setdefault(label, OperationTally())
        tally.seen += 1
        tally.successes += 200 <= exchange.status < 300
        found: list[Change] = []

        def finding(rule: str, level: str, message: str, pointer: str = "") -> None:
            found.append(Change(label, rule, level, message, pointer, exchange.where))

        self._parameters(operation, segments, exchange, finding)
        body = operation.request_body
        if body is not None and exchange.request_body is not None:
            media = match_media_type(body.content, exchange.request_headers.get("content-type"))
            if media is not None and media.schema is not None:
                self._validate(exchange.request_body, media.schema, "request", finding)
        response = operation.response_for(exchange.status)
        if response is None:
            finding("undocumented-status", WARNING, f"status {exchange.status} is not documented",
                    f"{operation.pointer}/responses")
        else:
            self._response(response, exchange, finding, tally)
        tally.findings += len(found)
        tally.conforming += not found
        return found

    def _parameters(self, operation: Operation, segments: dict[str, str], exchange: Exchange, finding: Any) -> None:
        """Read the recorded URL's path and query parameters with the codec generated code uses."""
        query = parse_query(urlsplit(exchange.url).query)
        documented = [p for p in operation.parameters if p.location in ("path", "query")]
        names = frozenset(p.name for p in documented if p.location == "query")
        for parameter in documented:
            name, location = parameter.name, parameter.location
            wire = wire_of(parameter)
            try:
                value = decode_path(wire, segments[name]) if location == "path" and name in segments else \
                    decode_query(wire, query, names - {name}) if location == "query" else MISSING
            except CodecError as exc:
                finding("request-parameter-invalid", ERROR, f"{location} parameter {name!r}: "
                        f"{str(exc).split(': ', 1)[-1]} (style {wire.style}, explode {str(wire.explode).lower()})",
                        parameter.pointer)
                continue
            if value is MISSING:
                if parameter.required:
                    finding("request-parameter-invalid", ERROR, f"required {location} parameter {name!r} is missing",
                            parameter.pointer)
                continue
            if parameter.schema is not None and wire.content_type is None:
                self._validate(_typed(parameter.schema, value), parameter.schema, f"{location} parameter {name!r}",
                               finding, "request-parameter-invalid")

    def _response(self, response: Response, exchange: Exchange, finding: Any, tally: OperationTally) -> None:
        content_type = exchange.response_headers.get("content-type")
        if not response.content or exchange.response_body is None:
            return
        media = match_media_type(response.content, content_type)
        if media is None:
            finding("undocumented-content-type", WARNING, f"content type {content_type} is not documented",
                    response.pointer)
            return
        if media.schema is not None:
            self._validate(exchange.response_body, media.schema, "response", finding)
            self._fields(media.schema, exchange.response_body, "", finding, media.schema.pointer, tally, 0)

    def _validate(self, value: Any, schema: Schema, side: str, finding: Any, rule: str = "") -> None:
        """Check a value against its schema; enum misses are drift of their own."""
        for error in self.validators.at(schema.document, schema.pointer).iter_errors(value):
            where = "/" + "/".join(map(str, error.absolute_path))
            if error.validator == "enum":
                finding("undocumented-enum-value", WARNING,
                        f"{side} {where}: value {error.instance!r} is not in the enum", schema.pointer)
            else:
                finding(rule or f"{side}-body-invalid", ERROR,
                        f"{side} {where}: {' '.join(error.message.split())[:160]}", schema.pointer)

    def _fields(self, schema: Schema | None, value: Any, prefix: str, finding: Any, pointer: str,
                tally: OperationTally, depth: int) -> None:
        """Report response fields the schema does not declare; remember the declared ones seen."""
        if depth > 20 or schema is None:
            return
        if isinstance(value, list):
            for item in value:
                self._fields(schema.items, item, prefix + "[]", finding, pointer, tally, depth + 1)
            return
        if not isinstance(value, dict):
            return
        properties = schema.properties
        for name, item in value.items():
            path = f"{prefix}.{name}" if prefix else name
            if name in properties:
                tally.fields_seen.add(path)
                self._fields(properties[name], item, path, finding, pointer, tally, depth + 1)
            elif properties and schema.get("additionalProperties") in (None, True):
                finding("undocumented-response-field", WARNING, f"response field {path!r} is not documented", pointer)

    def _never_seen(self) -> list[Change]:
        """Documented response fields (top level) that no recorded response carried."""
        found = []
        for operation in (route.operation for route in self.routes):
            tally = self.tallies.get(operation.label)
            if tally is None or tally.successes == 0:
                continue
            for response in operation.responses.values():
                media = response.preferred if response.is_success else None
                if media is None or media.schema is None:
                    continue
                for name in sorted(media.schema.properties):
                    if name not in tally.fields_seen:
                        found.append(Change(operation.label, "documented-field-never-seen", INFO,
                                            f"response field {name!r} never appeared in the traffic"))
        return found

class _Route:
    """An operation's path template as a pattern: its `{name}`s capture one segment each."""

    def __init__(self, operation: Operation):
        self.operation = operation
        template = operation.path.rstrip("/") or "/"
        self.names = re.findall(r"{([^}/]+)}", template)
        self.regex = re.compile("^" + "([^/]+)".join(re.escape(part) for part in re.split(r"{[^}/]+}", template))
                                + "/?$")


def _typed(schema: Schema | None, value: Any) -> Any:
    """Decoded text as the JSON value the schema describes (`"5"` for an integer is 5), where it parses."""
    if isinstance(value, list):
        return [_typed(schema.items if schema else None, v) for v in value]
    if isinstance(value, dict):
        properties = schema.properties if schema else {}
        return {k: _typed(properties.get(k), v) for k, v in value.items()}
    types = schema.types if schema else frozenset()
    try:
        if "integer" in types and re.fullmatch(r"-?\d+", value):
            return int(value)
        if "number" in types:
            return float(value)
    except ValueError:
        return value
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    if "null" in types and value == "null":
        return None
    return value



def summary_lines(verifier: Verifier) -> list[str]:
    """Per operation: exchanges seen, conforming, findings."""
    lines = ["operation | seen | conforming | findings"]
    for label, tally in sorted(verifier.tallies.items()):
        lines.append(f"{label} | {tally.seen} | {tally.conforming} | {tally.findings}")
    return lines


def verify(document: Document, exchanges: Iterable[Exchange]) -> tuple[list[Change], Verifier]:
    """Findings for the exchanges, and the verifier (for its per-operation tallies)."""
    verifier = Verifier(document)
    return verifier.check(exchanges), verifier
