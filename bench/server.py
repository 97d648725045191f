"""Generated layers against bare ones: the servers vs a hand-written FastAPI app, the client vs httpx."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench.harness import ROOT, write_report
from bench.load import serve_process

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
HANDLERS = """
import json
from {package} import models, server

ACTIVITY = models.Activity.model_validate(json.loads({body!r}))


class Activities:
    async def get_activity(self, *, id):
        return ACTIVITY


app = server.create_app(Activities())
"""
CONNECTIONS, REQUESTS = 200, 2000


def _load(url: str) -> dict[str, float]:
    """One run of the load from a second process (it does not share the server's interpreter)."""
    output = subprocess.run([sys.executable, "-m", "bench.load", url, f"/activities/{ACTIVITY}", "--connections",
                             str(CONNECTIONS), "--requests", str(REQUESTS), "--header", "api_key:k"],
                            capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(output)  # type: ignore[no-any-return]


def _median(runs: list[dict[str, float]]) -> tuple[float, float, int]:
    """Median throughput (requests/s), median p99 latency (ms) and all errors of the runs."""
    return (statistics.median(r["throughput"] for r in runs), statistics.median(r["p99"] for r in runs) * 1000,
            int(sum(r["errors"] for r in runs)))


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
        runs = ([], [])
        for _ in range({repeats}):  # in turns, so a change in the machine's load hits both alike
            for f, measured in zip((bare, generated), runs):
                start = time.perf_counter()
                for _ in range({calls}):
                    f()
                measured.append((time.perf_counter() - start) / {calls} * 1e6)
        print(*map(statistics.median, runs))
    """)
    bare, generated = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                     check=True).stdout.split()
    return float(bare), float(generated)


def run(repeats: int) -> None:
    """Throughput and p99 of three servers under the same load, in turns, then client per-call overhead."""
    sys.path.insert(0, str(ROOT / "generated" / PACKAGE))
    from crm_back_office import _server, server  # noqa: PLC0415 (the generated package, made importable above)

    spec = _server.load_spec(PACKAGE)
    route = next(r for r in server.ROUTES if r.operation == "get_activity")
    body = json.dumps(_server.MockHandlers(spec, server.ROUTES).reply(route, {}).body)
    servers = {"hand-written FastAPI": ["handwritten:app"], "generated create_app": ["handlers:app"],
               "generated mock (debug checks on)": ["--factory", f"{PACKAGE}.server:create_mock_app"]}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        folder = Path(scratch)
        (folder / "handwritten.py").write_text(HANDWRITTEN.format(body=body))
        (folder / "handlers.py").write_text(HANDLERS.format(package=PACKAGE, body=body))
        urls = {name: stack.enter_context(serve_process(arguments, folder, [ROOT / "generated" / PACKAGE])).url
                for name, arguments in servers.items()}
        for repeat in range(repeats + 1):  # servers take turns, so a change in the machine's load hits them alike
            for name, url in urls.items():
                result = _load(url)
                if repeat:  # the first round warms every server up and is not counted
                    runs[name].append(result)
        overhead = _client_overhead(urls["hand-written FastAPI"], 300, max(repeats, 7))
    results = {name: _median(measured) for name, measured in runs.items()}
    hand = results["hand-written FastAPI"][0]
    bare, client = overhead
    rows = [f"| {name} | {rps:.0f} | {p99:.0f} | {rps / hand:.2f}x | {errors} |"
            for name, (rps, p99, errors) in results.items()]
    write_report("server", [
        (f"## server and client layers (median of {repeats}; loopback, {REQUESTS} requests from {CONNECTIONS} "
         "keep-alive connections, load from a second process)"), "",
        "GET /activities/{id}; `python -m bench.load` speaks raw HTTP/1.1, so the figures are the server's. "
        f"Load average when done: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine "
        "shows as noise between rounds).", "",
        "| server | requests per second | p99 latency, ms | throughput vs hand-written | errors |",
        "|---|---:|---:|---:|---:|", *rows, "",
        "| what | bare | generated | ratio (generated cost / bare) |", "|---|---:|---:|---:|",
        f"| client call, microseconds | {bare:.0f} (httpx) | {client:.0f} | {client / bare:.2f}x |", "",
    ])
