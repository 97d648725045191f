"""`verify SPEC TRAFFIC`: do recorded HTTP exchanges still match the spec?

Traffic is a HAR file (as browsers and proxies export it) or JSON lines, one exchange per
line: `{"request": {"method", "url", "headers", "body"}, "response": {"status", "headers",
"body"}}`. Findings reuse the diff's record and report formats.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from generator.diagnostics import Diagnostic, SpecInputError
from generator.diff.rules import ERROR, INFO, WARNING, Change
from generator.ir import serialization, shape
from generator.load import Document
from generator.refs import RefError, Resolver
from generator.runtime import MISSING, CodecError, Wire, decode_path, decode_query, parse_query
from generator.walk import iter_operations

SPEC_URI = "urn:crm-codegen:verify"


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


def read_traffic(path: Path) -> list[Exchange]:
    """Exchanges from a HAR file or JSON lines; SpecInputError with a location when unreadable."""
    text = path.read_text(encoding="utf-8")
    try:
        if text.lstrip().startswith("{") and '"log"' in text[:2000]:
            return [_from_har(entry, f"{path.name} entry {i}") for i, entry in enumerate(json.loads(text)["log"]["entries"])]
        return [_from_line(json.loads(line), f"{path.name}:{n}") for n, line in enumerate(text.splitlines(), 1)
                if line.strip()]
    except (ValueError, KeyError, TypeError) as exc:
        raise SpecInputError(Diagnostic(str(path), 1, 1, "traffic-unreadable", f"not HAR or JSON lines: {exc}")) from None


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
        self.resolver = Resolver(document)
        data = document.data
        v31 = str(data.get("openapi", "")).startswith("3.1")
        self.validator_class = OAS31Validator if v31 else OAS30Validator
        specification = DRAFT202012 if v31 else DRAFT4
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, specification.create_resource(data))
        self.prefixes = sorted({urlsplit(str(s.get("url", ""))).path.rstrip("/") for s in data.get("servers") or []
                                if isinstance(s, dict)} | {""}, key=len, reverse=True)
        self.routes = []
        for site in iter_operations(data):
            if site.pointer.startswith("/paths/"):
                pattern = re.escape(site.path.rstrip("/") or "/").replace(r"\{", "{").replace(r"\}", "}")
                regex = re.compile("^" + re.sub(r"{[^}/]+}", "[^/]+", pattern) + "/?$")
                self.routes.append((site.path.count("{"), regex, site))
        self.routes.sort(key=lambda route: route[0])  # literal segments win over templates
        self.tallies: dict[str, OperationTally] = {}

    def check(self, exchanges: list[Exchange]) -> list[Change]:
        findings: list[Change] = []
        for exchange in exchanges:
            findings += self._exchange(exchange)
        findings += self._never_seen()
        return findings

    def _match(self, exchange: Exchange) -> Any:
        path = urlsplit(exchange.url).path
        for prefix in self.prefixes:
            if prefix and not path.startswith(prefix):
                continue
            local = path[len(prefix):] or "/"
            for _, regex, site in self.routes:
                if site.method == exchange.method and regex.match(local):
                    return site
        return None

    def _exchange(self, exchange: Exchange) -> list[Change]:
        site = self._match(exchange)
        label = f"{exchange.method.upper()} {urlsplit(exchange.url).path}"
        if site is None:
            return [Change(label, "undocumented-operation", ERROR, "no documented operation matches", "",
                           exchange.where)]
        label = f"{site.method.upper()} {site.path}"
        tally = self.tallies.setdefault(label, OperationTally())
        tally.seen += 1
        tally.successes += 200 <= exchange.status < 300
        found: list[Change] = []

        def finding(rule: str, level: str, message: str, pointer: str = "") -> None:
            found.append(Change(label, rule, level, message, pointer, exchange.where))

        self._parameters(site, exchange, finding)
        body, body_pointer = self._located(site.operation.get("requestBody"), f"{site.pointer}/requestBody")
        if isinstance(body, dict) and exchange.request_body is not None:
            media = _media(body.get("content") or {}, exchange.request_headers.get("content-type"))
            if media is not None and "schema" in media[1]:
                self._validate(exchange.request_body, f"{body_pointer}/content/{_escape(media[0])}/schema",
                               "request", finding)
        responses = site.operation.get("responses") or {}
        status = str(exchange.status)
        key = next((k for k in (status, status[0] + "XX", status[0] + "xx", "default") if k in responses), None)
        if key is None:
            finding("undocumented-status", WARNING, f"status {status} is not documented", f"{site.pointer}/responses")
        else:
            self._response(site, key, exchange, finding, tally)
        tally.findings += len(found)
        tally.conforming += not found
        return found

    def _parameters(self, site: Any, exchange: Exchange, finding: Any) -> None:
        """Read the recorded URL's path and query parameters with the codec generated code uses."""
        url = urlsplit(exchange.url)
        query = parse_query(url.query)
        segments = _path_values(site.path, self._local_path(url.path))
        documented = []
        for owner, base in ((site.path_item, site.pointer.rsplit("/", 1)[0]), (site.operation, site.pointer)):
            for i, raw in enumerate(owner.get("parameters") or []):
                parameter, where = self._located(raw, f"{base}/parameters/{i}")
                if isinstance(parameter, dict) and parameter.get("in") in ("path", "query"):
                    documented.append((parameter, where))
        names = frozenset(str(p["name"]) for p, _ in documented if p.get("in") == "query")
        for parameter, where in documented:
            name, location = str(parameter["name"]), str(parameter["in"])
            schema, schema_pointer = self._located(parameter.get("schema"), f"{where}/schema")
            style, explode = serialization(parameter, location)
            wire = Wire(name, location, style, explode, shape(schema) if isinstance(schema, dict) else "primitive",
                        bool(parameter.get("allowReserved")),
                        next(iter(parameter["content"]), None) if isinstance(parameter.get("content"), dict) else None)
            try:
                value = decode_path(wire, segments[name]) if location == "path" and name in segments else \
                    decode_query(wire, query, names - {name}) if location == "query" else MISSING
            except CodecError as exc:
                finding("request-parameter-invalid", ERROR, f"{location} parameter {name!r}: "
                        f"{str(exc).split(': ', 1)[-1]} (style {style}, explode {str(explode).lower()})", where)
                continue
            if value is MISSING:
                if parameter.get("required"):
                    finding("request-parameter-invalid", ERROR, f"required {location} parameter {name!r} is missing",
                            where)
                continue
            if isinstance(schema, dict) and wire.content_type is None:
                self._validate(_typed(schema, value, self._deref), schema_pointer, f"{location} parameter {name!r}",
                               finding, "request-parameter-invalid")

    def _local_path(self, path: str) -> str:
        prefix = next((p for p in self.prefixes if p and path.startswith(p)), "")
        return path[len(prefix):] or "/"

    def _response(self, site: Any, key: str, exchange: Exchange, finding: Any, tally: OperationTally) -> None:
        response_pointer = f"{site.pointer}/responses/{_escape(key)}"
        response, pointer = self._located(site.operation["responses"][key], response_pointer)
        content = (response or {}).get("content") or {}
        content_type = exchange.response_headers.get("content-type")
        if not content or exchange.response_body is None:
            return
        media = _media(content, content_type)
        if media is None:
            finding("undocumented-content-type", WARNING, f"content type {content_type} is not documented", pointer)
            return
        schema_pointer = f"{pointer}/content/{_escape(media[0])}/schema"
        if "schema" in media[1]:
            self._validate(exchange.response_body, schema_pointer, "response", finding)
            self._fields(media[1]["schema"], exchange.response_body, "", finding, schema_pointer, tally, 0)

    def _validate(self, value: Any, pointer: str, side: str, finding: Any, rule: str = "") -> None:
        """Check a value against the schema at `pointer`; enum misses are drift of their own."""
        validator = self.validator_class({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry,
                                         format_checker=self.validator_class.FORMAT_CHECKER)
        for error in validator.iter_errors(value):
            where = "/" + "/".join(map(str, error.absolute_path))
            if error.validator == "enum":
                finding("undocumented-enum-value", WARNING,
                        f"{side} {where}: value {error.instance!r} is not in the enum", pointer)
            else:
                finding(rule or f"{side}-body-invalid", ERROR,
                        f"{side} {where}: {' '.join(error.message.split())[:160]}", pointer)

    def _fields(self, schema: Any, value: Any, prefix: str, finding: Any, pointer: str, tally: OperationTally,
                depth: int) -> None:
        """Report response fields the schema does not declare; remember the declared ones seen."""
        schema = self._deref(schema)
        if depth > 20 or not isinstance(schema, dict):
            return
        if isinstance(value, list):
            for item in value:
                self._fields(schema.get("items"), item, prefix + "[]", finding, pointer, tally, depth + 1)
            return
        if not isinstance(value, dict):
            return
        properties = self._properties(schema)
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
        for site in (s for _, _, s in self.routes):
            label = f"{site.method.upper()} {site.path}"
            tally = self.tallies.get(label)
            if tally is None or tally.successes == 0:
                continue
            for status, response in (site.operation.get("responses") or {}).items():
                if not str(status).startswith("2"):
                    continue
                content = (self._deref(response) or {}).get("content") or {}
                schema = next((m.get("schema") for m in content.values() if isinstance(m, dict)), None)
                for name in sorted(self._properties(self._deref(schema) or {})):
                    if name not in tally.fields_seen:
                        found.append(Change(label, "documented-field-never-seen", INFO,
                                            f"response field {name!r} never appeared in the traffic"))
        return found

    def _properties(self, schema: dict[str, Any]) -> dict[str, Any]:
        properties = dict(schema.get("properties") or {})
        for member in schema.get("allOf") or []:
            properties.update(self._properties(self._deref(member) or {}))
        return properties

    def _deref(self, node: Any) -> Any:
        return self._located(node, "")[0]

    def _located(self, node: Any, pointer: str) -> tuple[Any, str]:
        try:
            _, target, value = self.resolver.resolve_chain(node, self.document, pointer)
        except RefError:
            return None, pointer
        return value, target


def _media(content: dict[str, Any], content_type: str | None) -> tuple[str, dict[str, Any]] | None:
    """The documented media type that a Content-Type header matches, and its media object."""
    wanted = (content_type or "").split(";")[0].strip().lower()
    for media_type, media in content.items():
        base = media_type.split(";")[0].strip().lower()
        if base == wanted or base == "*/*" or (base.endswith("/*") and wanted.startswith(base[:-1])) or not wanted:
            return media_type, media if isinstance(media, dict) else {}
    return None


def _path_values(template: str, path: str) -> dict[str, str]:
    """The raw (still encoded) value of each `{name}` of a path template in a request path."""
    names = re.findall(r"{([^}/]+)}", template)
    regex = "([^/]*)".join(re.escape(part) for part in re.split(r"{[^}/]+}", template.rstrip("/") or "/"))
    match = re.match("^" + regex + "/?$", path)
    return dict(zip(names, match.groups())) if match else {}


def _typed(schema: dict[str, Any], value: Any, deref: Any) -> Any:
    """Decoded text as the JSON value the schema describes (`"5"` for an integer is 5), where it parses."""
    if isinstance(value, list):
        return [_typed(deref(schema.get("items")) or {}, v, deref) for v in value]
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        return {k: _typed(deref(properties.get(k)) or {}, v, deref) for k, v in value.items()}
    types = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
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


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def summary_lines(verifier: Verifier) -> list[str]:
    """Per operation: exchanges seen, conforming, findings."""
    lines = ["operation | seen | conforming | findings"]
    for label, tally in sorted(verifier.tallies.items()):
        lines.append(f"{label} | {tally.seen} | {tally.conforming} | {tally.findings}")
    return lines


def verify(document: Document, exchanges: list[Exchange]) -> tuple[list[Change], Verifier]:
    """Findings for the exchanges, and the verifier (for its per-operation tallies)."""
    verifier = Verifier(document)
    return verifier.check(exchanges), verifier
