"""Load on loopback: an ASGI app served by uvicorn in its own process, many keep-alive connections against it.

The load generator speaks HTTP/1.1 over raw asyncio streams (no client library in the way),
so what it measures is the server: throughput, latency percentiles, every status it got.
`python -m bench.load URL PATH --connections N --requests M` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    """What the load got back: one status and one latency (seconds) per request, and the wall time."""

    statuses: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.statuses) / self.seconds

    def percentile(self, share: float) -> float:
        """The latency below which `share` of the requests finished (nearest rank)."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def _connection(host: str, port: int, request: bytes, count: int, result: LoadResult) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(count):
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            result.latencies.append(time.perf_counter() - start)
            result.statuses.append(status)
    finally:
        writer.close()
        await writer.wait_closed()


def run_load(url: str, path: str, headers: Mapping[str, str], connections: int, requests: int) -> LoadResult:
    """`requests` GETs of `path`, spread evenly over `connections` concurrent keep-alive connections."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    result = LoadResult()

    async def load() -> None:
        await asyncio.gather(*(_connection(host, port, request, requests // connections, result)
                               for _ in range(connections)))

    start = time.perf_counter()
    asyncio.run(load())
    result.seconds = time.perf_counter() - start
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Served:
    """A server process: its base URL and pid (for its memory)."""

    url: str
    pid: int

    def resident_bytes(self) -> int:
        """The server process's resident memory now (Linux)."""
        statm = Path(f"/proc/{self.pid}/statm").read_text(encoding="ascii")
        return int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE")


@contextlib.contextmanager
def serve_process(arguments: list[str], folder: Path, pythonpath: list[Path]) -> Iterator[Served]:
    """`uvicorn ARGUMENTS` on a free loopback port in a child process, stopped on exit."""
    port = _free_port()
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, [folder, *pythonpath]))}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", *arguments, "--port", str(port), "--log-level",
                                "warning", "--backlog", "4096"], env=environment, cwd=folder)
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"uvicorn {' '.join(arguments)} exited with {process.returncode}") from None
                time.sleep(0.05)
        else:
            raise RuntimeError(f"uvicorn {' '.join(arguments)} did not start")
        yield Served(f"http://127.0.0.1:{port}", process.pid)
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("path")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--header", action="append", default=[], help="NAME:VALUE, repeatable")
    args = parser.parse_args()
    headers = dict(item.split(":", 1) for item in args.header)
    result = run_load(args.url, args.path, headers, args.connections, args.requests)
    print(json.dumps({"throughput": result.throughput, "p50": result.percentile(0.5), "p99": result.percentile(0.99),
                      "errors": sum(not 200 <= s < 300 for s in result.statuses), "requests": len(result.statuses)}))


if __name__ == "__main__":
    main()
