"""Generated layers against bare ones: the mock server vs a hand-written FastAPI app, the client vs httpx."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench.harness import ROOT, write_report

PACKAGE = "crm_back_office"
ACTIVITY = "4dc0809f-ed91-4b68-b912-5bd6064d901e"
HANDWRITTEN = """
import json
from fastapi import FastAPI
from fastapi.responses import JSONResponse

BODY = json.loads({body!r})
app = FastAPI()

@app.get("/activities/{{id}}")
async def get_activity(id: str) -> JSONResponse:
    return JSONResponse(BODY)
"""
LOAD = """
import sys, time, httpx
url, seconds = sys.argv[1], float(sys.argv[2])
with httpx.Client(headers={"api_key": "k"}) as http:
    for _ in range(50):
        http.get(url)
    count, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        http.get(url).raise_for_status()
        count += 1
print(count / seconds)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(arguments: list[str], folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    environment = {**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{ROOT / 'generated' / PACKAGE}"}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", *arguments, "--port", str(port), "--log-level",
                                "warning"], env=environment, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process, url
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def _requests_per_second(url: str, seconds: float, repeats: int) -> float:
    runs = [float(subprocess.run([sys.executable, "-c", LOAD, url, str(seconds)], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(repeats)]
    return statistics.median(runs)


def _client_overhead(url: str, calls: int, repeats: int) -> tuple[float, float]:
    script = textwrap.dedent(f"""
        import sys, time, statistics, httpx
        sys.path.insert(0, {str(ROOT / 'generated' / PACKAGE)!r})
        from {PACKAGE} import Client
        client = Client({url!r}, api_key="k", retries=None)
        http = httpx.Client(headers={{"api_key": "k"}})
        def bare():
            http.get({url!r} + "/activities/{ACTIVITY}").json()
        def generated():
            client.activities.get_activity(id={ACTIVITY!r})
        for f in (bare, generated):
            for _ in range(100):
                f()
        result = []
        for f in (bare, generated):
            runs = []
            for _ in range({repeats}):
                start = time.perf_counter()
                for _ in range({calls}):
                    f()
                runs.append((time.perf_counter() - start) / {calls} * 1e6)
            result.append(statistics.median(runs))
        print(*result)
    """)
    bare, generated = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                     check=True).stdout.split()
    return float(bare), float(generated)


def run(repeats: int) -> None:
    """Requests per second of both servers under the same load, then client per-call overhead."""
    import json

    sys.path.insert(0, str(ROOT / "generated" / PACKAGE))
    from crm_back_office import _server, server  # noqa: PLC0415 (the generated package, made importable above)

    spec = _server.load_spec(PACKAGE)
    route = next(r for r in server.ROUTES if r.operation == "get_activity")
    body = json.dumps(_server.MockHandlers(spec, server.ROUTES).reply(route, {}).body)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "handwritten.py").write_text(HANDWRITTEN.format(body=body))
        results = {}
        for name, arguments in (("hand-written FastAPI", ["handwritten:app"]),
                                ("generated mock (validation on)", ["--factory", f"{PACKAGE}.server:create_mock_app"])):
            process, url = _serve(arguments, folder)
            try:
                results[name] = _requests_per_second(f"{url}/activities/{ACTIVITY}", 3.0, repeats)
                if name == "hand-written FastAPI":
                    overhead = _client_overhead(url, 300, repeats)
            finally:
                process.terminate()
                process.wait()
    hand, generated = results["hand-written FastAPI"], results["generated mock (validation on)"]
    bare, client = overhead
    write_report("server", [
        f"## server and client layers (median of {repeats}; loopback, load from a second process)", "",
        "| what | bare | generated | ratio (generated cost / bare) |", "|---|---:|---:|---:|",
        f"| GET /activities/{{id}} requests per second | {hand:.0f} | {generated:.0f} | {hand / generated:.2f}x |",
        f"| client call, microseconds | {bare:.0f} (httpx) | {client:.0f} | {client / bare:.2f}x |", "",
    ])
