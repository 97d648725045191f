"""Proxy overhead: the same request to the generated mock, directly and through `crm-codegen proxy`, on loopback."""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.harness import ROOT

SPEC = ROOT / "spec" / "self-service.yaml"


def _connect(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)


def _timed(connection: http.client.HTTPConnection, path: str) -> float:
    """Seconds for one request over a kept-alive connection."""
    start = time.perf_counter()
    connection.request("GET", path, headers={"Authorization": "Bearer bench"})
    connection.getresponse().read()
    return time.perf_counter() - start


def _interleaved(direct_url: str, proxied_url: str, path: str, count: int) -> tuple[float, float]:
    """Median milliseconds direct and proxied, the two taking turns so that other load falls on both alike."""
    direct_connection, proxied_connection = _connect(direct_url), _connect(proxied_url)
    for _ in range(20):  # warm up both (connections, caches)
        _timed(direct_connection, path), _timed(proxied_connection, path)
    direct: list[float] = []
    proxied: list[float] = []
    for _ in range(count):
        direct.append(_timed(direct_connection, path))
        proxied.append(_timed(proxied_connection, path))
    direct_connection.close()
    proxied_connection.close()
    return statistics.median(direct) * 1000, statistics.median(proxied) * 1000


def measure_overhead(count: int) -> tuple[float, float, float, str]:
    """Median milliseconds per request direct and proxied, the proxy's CPU milliseconds per request, the request."""
    import uvicorn

    from generator.mock import mock_app

    app, operations = mock_app(SPEC)
    method, path = next(line.split()[:2] for line in operations if line.split()[:2] == ["GET", "/contacts/{id}"])
    path = path.replace("{id}", "CAD1E31269B76D7A65ACCE45B2E68DFD")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not (server.started and server.servers):
        time.sleep(0.02)
    upstream = "http://127.0.0.1:%d" % server.servers[0].sockets[0].getsockname()[1]
    proxy = subprocess.Popen([sys.executable, "-m", "generator", "proxy", str(SPEC), "--upstream", upstream,
                              "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proxy.stdout is not None
        proxied_url = proxy.stdout.readline().split(" on ", 1)[1].split(" ->", 1)[0]
        status = _status(proxied_url, path)
        cpu_before = _cpu_seconds(proxy.pid)
        direct, proxied = _interleaved(upstream, proxied_url, path, count)
        cpu = (_cpu_seconds(proxy.pid) - cpu_before) / count * 1000
    finally:
        proxy.terminate()
        proxy.wait(timeout=30)
        server.should_exit = True
        thread.join(timeout=30)
    return direct, proxied, cpu, f"{method} {path} ({status})"


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status(url: str, path: str) -> str:
    """The status and findings the proxy gives the request: what the measurement exercised."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", path, headers={"Authorization": "Bearer bench"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return f"{response.status}, findings: {response.getheader('X-Spec-Findings') or 'none'}"


def report_lines(count: int = 300) -> list[str]:
    direct, proxied, cpu, request = measure_overhead(count)
    load = os.getloadavg()[0]
    return [f"## proxy overhead on loopback (median of {count} requests, `{request}` to the generated mock)", "",
            "| direct | through `crm-codegen proxy` | overhead per request | proxy CPU per request |",
            "|---:|---:|---:|---:|",
            f"| {direct:.2f} ms | {proxied:.2f} ms | {proxied - direct:.2f} ms | {cpu:.2f} ms |", "",
            f"(Load average {load:.1f} during the run: on a busy machine each extra hop waits for a core, "
            "which the CPU column does not include.)", ""]

