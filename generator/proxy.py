"""`proxy SPEC --upstream URL`: a validating reverse proxy for integration runs.

Every request is forwarded unchanged (hop-by-hop headers aside, `Host` set to the upstream's) and
its response returned unchanged, except that an exchange the spec does not describe gets one more
header, `X-Spec-Findings`, listing its finding ids (those of `verify`). Nothing is ever blocked.
An upstream that cannot be reached is answered with 502 and `X-Spec-Proxy-Error`; an upstream's own
error status passes through as it is. With `--record FILE`, each exchange is appended as one JSON
line in the form `verify` reads, with its findings.
"""

from __future__ import annotations

import contextlib
import io
import http.client
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from generator.diagnostics import Diagnostic, SpecInputError
from generator.load import Document
from generator.verify import Exchange, Verifier

FINDINGS_HEADER = "X-Spec-Findings"
ERROR_HEADER = "X-Spec-Proxy-Error"
# RFC 9110 7.6.1: connection-specific headers are not forwarded; a request's Host and Content-Length are set anew.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade"})
REQUEST_SET_ANEW = HOP_BY_HOP | {"content-length", "host"}
UPSTREAM_TIMEOUT = 60
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


class Proxy:
    """The shared state of one proxy: the verifier, the upstream, the record file."""

    def __init__(self, document: Document, upstream: str, record: BinaryIO | None):
        parts = urlsplit(upstream)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SpecInputError(Diagnostic("--upstream", 1, 1, "read-error",
                                            f"{upstream!r} is not an http(s) URL"))
        self.upstream = parts
        self.host = parts.hostname
        self.verifier = Verifier(document)
        self.record = record
        self.lock = threading.Lock()
        self.local = threading.local()
        self.count = 0

    def _connection(self) -> http.client.HTTPConnection:
        """This thread's kept-alive connection to the upstream (one per client connection's thread)."""
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection_class = http.client.HTTPSConnection if self.upstream.scheme == "https" else \
                http.client.HTTPConnection
            connection = connection_class(self.host, self.upstream.port, timeout=UPSTREAM_TIMEOUT)
            self.local.connection = connection
        return connection

    def forward(self, method: str, target: str, headers: list[tuple[str, str]],
                body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send the request upstream; its status, headers and body (502 when it cannot be reached).

        A kept-alive connection the upstream has closed meanwhile is reopened once, for a request that
        is safe to repeat (RFC 9110 9.2.2).
        """
        outgoing = [(k, v) for k, v in headers if k.lower() not in REQUEST_SET_ANEW]
        connection = self._connection()
        reused = connection.sock is not None
        try:
            return self._exchange(connection, method, target, outgoing, body)
        except (OSError, http.client.HTTPException) as first:
            connection.close()
            failure: Exception = first
            if reused and method in IDEMPOTENT:
                try:
                    return self._exchange(connection, method, target, outgoing, body)
                except (OSError, http.client.HTTPException) as retry:
                    connection.close()
                    failure = retry
            message = f"upstream {self.upstream.netloc} unreachable: {failure}"
            return 502, [("Content-Type", "application/json"), (ERROR_HEADER, message)], \
                json.dumps({"message": message}).encode()

    def _exchange(self, connection: http.client.HTTPConnection, method: str, target: str,
                  headers: list[tuple[str, str]], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        connection.putrequest(method, self.upstream.path.rstrip("/") + target, skip_host=True,
                              skip_accept_encoding=True)
        connection.putheader("Host", self.upstream.netloc)
        for name, value in headers:
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        payload = response.read()
        if response.will_close:
            connection.close()
        return response.status, [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP], payload

    def check(self, method: str, target: str, request_headers: list[tuple[str, str]], request_body: bytes,
              status: int, response_headers: list[tuple[str, str]], response_body: bytes) -> list[str]:
        """The finding ids of one exchange; the exchange is recorded."""
        request = {"method": method, "url": target, "headers": dict(request_headers),
                   "body": _body(request_body, request_headers)}
        response = {"status": status, "headers": dict(response_headers), "body": _body(response_body, response_headers)}
        with self.lock:
            self.count += 1
            where = f"proxy exchange {self.count}"
            exchange = Exchange(where, method.lower(), target, _lower(request_headers), request["body"], status,
                                _lower(response_headers), response["body"])
            try:
                findings = sorted({f.rule for f in self.verifier.check_exchange(exchange)})
            except SpecInputError as exc:  # a part of the spec this exchange reaches cannot be read
                print(exc.diagnostic, file=sys.stderr, flush=True)
                findings = [exc.diagnostic.rule]
            if self.record is not None:
                line = {"request": request, "response": response, "findings": findings}
                self.record.write((json.dumps(line, sort_keys=True) + "\n").encode())
                self.record.flush()
        return findings


def _lower(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers}


def _body(raw: bytes, headers: list[tuple[str, str]]) -> Any:
    """A body as `verify` reads it: JSON parsed when it says so, else text; None when empty."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" in _lower(headers).get("content-type", ""):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _read_body(stream: io.BufferedIOBase, headers: Any) -> bytes:
    """A request body by its Content-Length, or its chunks (RFC 9112 7.1) when sent chunked."""
    if "chunked" not in str(headers.get("Transfer-Encoding") or "").lower():
        length = int(headers.get("Content-Length") or 0)
        return stream.read(length) if length else b""
    chunks = []
    while size := int(stream.readline().split(b";", 1)[0].strip() or b"0", 16):
        chunks.append(stream.read(size))
        stream.readline()
    while stream.readline().strip():  # trailer fields, then the blank line
        pass
    return b"".join(chunks)


def make_server(document: Document, upstream: str, host: str, port: int,
                record: BinaryIO | None = None) -> ThreadingHTTPServer:
    """The proxy's HTTP server, bound but not yet serving."""
    proxy = Proxy(document, upstream, record)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body leave at once (no delayed-ACK stall)

        def _handle(self) -> None:
            body = _read_body(self.rfile, self.headers)
            headers = list(self.headers.items())
            status, response_headers, response_body = proxy.forward(self.command, self.path, headers, body)
            findings = proxy.check(self.command, self.path, headers, body, status, response_headers, response_body)
            self.send_response_only(status)
            for name, value in response_headers:
                self.send_header(name, value)
            if findings:
                self.send_header(FINDINGS_HEADER, ",".join(findings))
            if not any(name.lower() == "content-length" for name, _ in response_headers):  # it came chunked
                self.send_header("Content-Length", str(len(response_body)))
            self.end_headers()
            self.wfile.write(response_body)
            verdict = ", ".join(findings) if findings else "conforms"
            print(f"{self.command} {self.path} {status}: {verdict}", file=sys.stderr, flush=True)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

        def log_message(self, format: str, *args: Any) -> None:  # one line per exchange, printed above
            pass

    return ThreadingHTTPServer((host, port), Handler)


def serve(document: Document, upstream: str, host: str, port: int, record: Path | None) -> None:
    """Run the proxy until interrupted."""
    with record.open("ab") if record else contextlib.nullcontext() as sink:
        server = make_server(document, upstream, host, port, sink)
        print(f"proxy for {document.name} on http://{host}:{server.server_address[1]} -> {upstream}", flush=True)
        try:
            server.serve_forever()
        finally:
            server.server_close()

