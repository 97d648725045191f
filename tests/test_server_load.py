"""Load on loopback: the mock and a `create_app` server hold 2,000 requests from 200 connections, memory flat.

Each server runs on uvicorn in its own process (as deployed); the load comes from raw
keep-alive connections, so the figures are the server's.
"""

from __future__ import annotations

import textwrap

import pytest

from bench.load import run_load, serve_process
from conftest import GENERATED

ACTIVITY = "/activities/4dc0809f-ed91-4b68-b912-5bd6064d901e"
CONNECTIONS = 200
REQUESTS = 2_000
HANDLERS = """
from crm_back_office import _server, models, server

SPEC = _server.load_spec("crm_back_office")
ROUTE = next(r for r in server.ROUTES if r.operation == "get_activity")
ACTIVITY = models.Activity.model_validate(_server.MockHandlers(SPEC, server.ROUTES).reply(ROUTE, {}).body)


class Activities:  # a handler returns the documented model
    async def get_activity(self, *, id):
        return ACTIVITY


app = server.create_app(Activities())
"""
SERVERS = {"mock": ["--factory", "crm_back_office.server:create_mock_app"], "create_app": ["handlers:app"]}


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_2000_requests_from_200_connections_with_no_error_and_flat_memory(tmp_path, name):
    (tmp_path / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    with serve_process(SERVERS[name], tmp_path, [GENERATED / "crm_back_office"]) as served:
        headers = {"api_key": "k"}
        assert set(run_load(served.url, ACTIVITY, headers, CONNECTIONS, CONNECTIONS).statuses) == {200}  # warm up
        before = served.resident_bytes()
        first = run_load(served.url, ACTIVITY, headers, CONNECTIONS, REQUESTS)
        after_first = served.resident_bytes()
        second = run_load(served.url, ACTIVITY, headers, CONNECTIONS, REQUESTS)
        after_second = served.resident_bytes()
    for result in (first, second):
        assert len(result.statuses) == REQUESTS and set(result.statuses) == {200}
    assert after_second - after_first < 4 * 1024 * 1024, "memory keeps growing under the same load"
    assert after_first - before < 16 * 1024 * 1024
    print(f"{name}: {first.throughput:.0f}/s, p99 {first.percentile(0.99) * 1000:.0f} ms, "
          f"memory {before / 2**20:.1f} -> {after_first / 2**20:.1f} -> {after_second / 2**20:.1f} MiB")
