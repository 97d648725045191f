"""A scripted HTTP server on 127.0.0.1 for client tests: records requests, replays answers or misbehaves."""

from __future__ import annotations

import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    fault: str | None = None  # reset (RST mid-response) | truncate (body shorter than its length) | hang


FAULTS = ("reset", "truncate", "hang")


class LoopbackServer:
    """`with LoopbackServer() as server:` then `server.answer(...)` and `server.requests`."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                with outer._lock:
                    outer.requests.append(Recorded(self.command, parts.path, parse_qsl(parts.query),
                                                   {k.lower(): v for k, v in self.headers.items()}, body))
                    answer = outer._answers.pop(0) if outer._answers else Answer(404, {"message": "unscripted"})
                payload = answer.raw if answer.raw is not None else (
                    b"" if answer.body is None else json.dumps(answer.body).encode())
                if answer.fault == "hang":  # never answer: the client's read timeout must end it
                    outer._stopping.wait()
                    return
                self.send_response(answer.status)
                if answer.raw is None and answer.body is not None:
                    self.send_header("Content-Type", "application/json")
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload) * (2 if answer.fault else 1)))
                self.end_headers()
                self.wfile.write(payload)
                if answer.fault in ("reset", "truncate"):
                    self.close_connection = True
                    self.wfile.flush()
                if answer.fault == "reset":  # close now with SO_LINGER 0: the client reads a TCP reset
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.rfile.close()  # the socket's last other reference (wfile writes to it directly)
                    self.connection.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, status: int = 200, body: Any = None, headers: dict[str, str] | None = None,
               raw: bytes | None = None, fault: str | None = None) -> None:
        """Queue the next answer; a `fault` (see FAULTS) sends half of it, or nothing, instead."""
        assert fault in (None, *FAULTS), fault
        with self._lock:
            self._answers.append(Answer(status, body, headers or {}, raw, fault))

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
