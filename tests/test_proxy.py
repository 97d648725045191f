"""`proxy`: a validating reverse proxy in front of the generated mock and of scripted upstreams, on loopback."""

from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conftest import ROOT
from generator.load import load_document
from generator.proxy import ERROR_HEADER, FINDINGS_HEADER, make_server
from loopback import LoopbackServer
from servers import serving
from test_server import example_arguments, modules, namespaces

SPEC = ROOT / "spec" / "self-service.yaml"


@contextmanager
def proxying(upstream: str, record: Path):
    """The proxy on a free loopback port in a thread; yields its base URL."""
    with record.open("ab") as sink:
        server = make_server(load_document(SPEC), upstream, "127.0.0.1", 0, sink)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


def test_the_generated_client_through_the_proxy_to_the_mock_conforms(generated_packages, tmp_path, run_cli):
    client_package, server, runtime, wire = modules("crm_self_service")
    spec = runtime.load_spec("crm_self_service")
    record = tmp_path / "traffic.jsonl"
    credentials = {name: "credential" for name in server.SCHEMES}
    with serving(server.create_mock_app()) as upstream, proxying(upstream, record) as url:
        with client_package.Client(url, **credentials) as client, \
                client_package.Client(upstream, **credentials) as direct_client:
            methods, direct = namespaces(client), namespaces(direct_client)
            for route in server.ROUTES:
                arguments = example_arguments(spec, runtime, route)
                result = getattr(methods[route.operation], route.operation)(**arguments)
                expected = getattr(direct[route.operation], route.operation)(**arguments)
                assert wire.to_wire(result) == wire.to_wire(expected), route.operation  # passed on unchanged
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert len(lines) == len(server.ROUTES)
    assert [line for line in lines if line["findings"]] == []
    # the record is what `verify` reads, and it agrees
    verified = run_cli("verify", SPEC, record, "--format", "json", "--fail-on", "warning")
    assert verified.code == 0, verified.out
    assert [f for f in json.loads(verified.out) if f["level"] != "info"] == []


def test_a_drifted_response_is_marked_never_altered(tmp_path, run_cli):
    record = tmp_path / "traffic.jsonl"
    drifted = {"id": 42, "unexpected": True}
    with LoopbackServer() as upstream, proxying(upstream.url + "/self-service/v1", record) as url:
        upstream.answer(200, drifted, headers={"X-Upstream": "kept"})
        response = httpx.get(url + "/contacts/abc", headers={"Authorization": "Bearer x", "X-Client": "mine"})
        upstream.answer(418, {"message": "teapot"})
        teapot = httpx.get(url + "/contacts/abc")
        seen = upstream.requests
    assert response.status_code == 200 and response.json() == drifted
    assert response.headers["X-Upstream"] == "kept"
    assert set(response.headers[FINDINGS_HEADER].split(",")) >= {"response-body-invalid"}
    assert teapot.status_code == 418 and "undocumented-status" in teapot.headers[FINDINGS_HEADER]
    # forwarded unchanged: path under the upstream's base, the client's own headers
    assert seen[0].method == "GET" and seen[0].path == "/self-service/v1/contacts/abc"
    assert seen[0].headers["x-client"] == "mine" and seen[0].headers["authorization"] == "Bearer x"
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines[0]["response"]["body"] == drifted and "response-body-invalid" in lines[0]["findings"]
    assert run_cli("verify", SPEC, record, "--fail-on", "error").code == 1


def test_a_chunked_request_body_is_forwarded_whole(tmp_path):
    record = tmp_path / "traffic.jsonl"
    with LoopbackServer() as upstream, proxying(upstream.url, record) as url:
        upstream.answer(200, {"ok": True})
        response = httpx.post(url + "/contacts/abc", content=iter([b'{"a":', b' 1}']),
                              headers={"Content-Type": "application/json"})
        seen = upstream.requests
    assert response.status_code == 200 and seen[0].body == b'{"a": 1}'
    assert json.loads(record.read_text())["request"]["body"] == {"a": 1}


def test_upstream_failures_are_reported_as_such(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens once the probe is closed
    record = tmp_path / "traffic.jsonl"
    with proxying(f"http://127.0.0.1:{closed}", record) as url:
        response = httpx.get(url + "/contacts/abc")
    assert response.status_code == 502
    assert "unreachable" in response.headers[ERROR_HEADER]
    with LoopbackServer() as upstream, proxying(upstream.url, record) as url:
        upstream.answer(503, {"message": "down"})
        response = httpx.get(url + "/contacts/abc")
    assert response.status_code == 503 and response.json() == {"message": "down"}  # the upstream's own status


def test_a_bad_upstream_url_is_one_line(run_cli):
    result = run_cli("proxy", SPEC, "--upstream", "ftp://nowhere")
    assert result.code == 2 and result.out.strip().startswith("--upstream:1:1: read-error:")


@pytest.mark.parametrize("spec", ["missing.yaml"])
def test_an_unreadable_spec_is_one_line(run_cli, tmp_path, spec):
    result = run_cli("proxy", tmp_path / spec, "--upstream", "http://127.0.0.1:9")
    assert result.code == 2 and "read-error" in result.out


def test_a_drifted_mock_behind_the_proxy_is_caught(tmp_path):
    """The vendor drifted: a mock made from a changed copy of the spec, checked against the spec we have."""
    import yaml

    from generator.mock import mock_app

    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    examples = spec["paths"]["/contacts/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["examples"]
    drifted_example = next(iter(examples.values()))["value"]
    drifted_example["id"] = 12345  # a Guid string before: the vendor changed the type, schema and example
    spec["components"]["schemas"]["Contact"]["properties"]["id"] = {"type": "integer", "example": 12345}
    drifted_spec = tmp_path / "drifted.yaml"
    drifted_spec.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    app, _ = mock_app(drifted_spec)
    record = tmp_path / "traffic.jsonl"
    with serving(app) as upstream, proxying(upstream, record) as url:
        response = httpx.get(url + "/contacts/CAD1E31269B76D7A65ACCE45B2E68DFD", headers={"Authorization": "Bearer x"})
        direct = httpx.get(upstream + "/contacts/CAD1E31269B76D7A65ACCE45B2E68DFD", headers={"Authorization": "Bearer x"})
    assert response.status_code == direct.status_code == 200
    assert response.content == direct.content and response.json()["id"] == 12345  # passed on as it came
    assert response.headers[FINDINGS_HEADER] == "response-body-invalid"
    assert FINDINGS_HEADER not in direct.headers
