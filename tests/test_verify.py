"""`verify`: traffic recorded from the generated mock verifies clean; drifted traffic gives each finding."""

from __future__ import annotations

import copy
import importlib
import json
import subprocess
import sys
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import ROOT
from servers import serving
from test_server import example_arguments, namespaces

SPEC = ROOT / "spec" / "back-office.yaml"


@pytest.fixture(scope="module")
def recorded(generated_packages) -> list[dict]:
    """Every Back-Office operation called through the generated client against its mock, as JSON lines."""
    package = importlib.import_module("crm_back_office")
    server = importlib.import_module("crm_back_office.server")
    runtime = importlib.import_module("crm_back_office._server")
    spec = runtime.load_spec("crm_back_office")
    records: list[dict] = []

    def keep(response: httpx.Response) -> None:
        response.read()
        request = response.request
        records.append({
            "request": {"method": request.method, "url": str(request.url), "headers": dict(request.headers),
                        "body": json.loads(request.content) if request.content else None},
            "response": {"status": response.status_code, "headers": dict(response.headers),
                         "body": response.json() if response.content else None},
        })

    with serving(server.create_mock_app()) as url, httpx.Client(event_hooks={"response": [keep]}) as http:
        client = package.Client(url, api_key="k", http_client=http)
        methods = namespaces(client)
        for route in server.ROUTES:
            getattr(methods[route.operation], route.operation)(**example_arguments(spec, runtime, route))
    return records


def write_lines(path, records) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))


def test_traffic_recorded_from_the_mock_verifies_clean(run_cli, tmp_path, recorded):
    traffic = tmp_path / "traffic.jsonl"
    write_lines(traffic, recorded)
    result = run_cli("verify", SPEC, traffic, "--fail-on", "warning")
    assert result.code == 0, result.out
    findings = json.loads(run_cli("verify", SPEC, traffic, "--format", "json").out)
    assert {f["level"] for f in findings} <= {"info"}
    assert "operation | seen | conforming | findings" in result.out
    assert len(recorded) == 25


def test_the_same_traffic_as_har_verifies_clean(run_cli, tmp_path, recorded):
    entries = [{
        "request": {"method": r["request"]["method"], "url": r["request"]["url"],
                    "headers": [{"name": k, "value": v} for k, v in r["request"]["headers"].items()],
                    **({"postData": {"mimeType": "application/json", "text": json.dumps(r["request"]["body"])}}
                       if r["request"]["body"] is not None else {})},
        "response": {"status": r["response"]["status"],
                     "headers": [{"name": k, "value": v} for k, v in r["response"]["headers"].items()],
                     "content": {"mimeType": r["response"]["headers"].get("content-type", ""),
                                 "text": json.dumps(r["response"]["body"]) if r["response"]["body"] is not None else ""}},
    } for r in recorded]
    har = tmp_path / "traffic.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    assert run_cli("verify", SPEC, har, "--fail-on", "warning").code == 0


def test_drifted_traffic_gives_every_finding(run_cli, tmp_path, recorded):
    account = copy.deepcopy(next(r for r in recorded if r["request"]["method"] == "GET" and "/accounts/" in
                                 r["request"]["url"] and "state" in (r["response"]["body"] or {})))
    nowhere = copy.deepcopy(account)
    nowhere["request"]["url"] = nowhere["request"]["url"].rsplit("/accounts/", 1)[0] + "/nowhere"
    teapot = copy.deepcopy(account)
    teapot["response"]["status"] = 418
    new_field = copy.deepcopy(account)
    dropped = sorted(new_field["response"]["body"])[0]  # a documented field this traffic never shows
    for record in (new_field, new_enum := copy.deepcopy(account), wrong_type := copy.deepcopy(account),
                   html := copy.deepcopy(account), teapot):
        record["response"]["body"].pop(dropped, None)
    new_field["response"]["body"]["vendor_added_this"] = 1
    new_enum["response"]["body"]["state"] = "FROZEN"
    wrong_type["response"]["body"]["name"] = 12345
    html["response"]["headers"]["content-type"] = "text/html"
    created = copy.deepcopy(next(r for r in recorded if r["request"]["method"] == "POST" and r["request"]["body"]))
    created["request"]["body"] = {"unexpected": True} if isinstance(created["request"]["body"], dict) else 42
    traffic = tmp_path / "drifted.jsonl"
    write_lines(traffic, [nowhere, teapot, new_field, new_enum, wrong_type, html, created])
    result = run_cli("verify", SPEC, traffic, "--format", "json", "--fail-on", "error")
    assert result.code == 1
    rules = {f["id"] for f in json.loads(result.out)}
    assert rules >= {"undocumented-operation", "undocumented-status", "undocumented-response-field",
                     "undocumented-enum-value", "response-body-invalid", "undocumented-content-type",
                     "request-body-invalid", "documented-field-never-seen"}, rules


def test_recorded_urls_are_read_with_the_parameter_codec(run_cli, tmp_path, recorded):
    listing = next(r for r in recorded if urlsplit(r["request"]["url"]).path == "/activities"
                   and r["request"]["method"] == "GET")
    base = listing["request"]["url"].split("?")[0]
    vendor, repeated, wrong = (copy.deepcopy(listing) for _ in range(3))
    vendor["request"]["url"] = f"{base}?states=PENDING,COMPLETED&size=5"  # the vendor's csv: conforming
    repeated["request"]["url"] = f"{base}?states=PENDING&states=COMPLETED"  # style form, explode false: refused
    wrong["request"]["url"] = f"{base}?states=PENDING,EXPLODED&size=five"
    traffic = tmp_path / "params.jsonl"
    write_lines(traffic, [vendor, repeated, wrong])
    findings = json.loads(run_cli("verify", SPEC, traffic, "--format", "json").out)
    invalid = {f["location"]["new"]: f["message"] for f in findings if f["id"] == "request-parameter-invalid"}
    assert set(invalid) == {"params.jsonl:2", "params.jsonl:3"}, findings
    assert "'states'" in invalid["params.jsonl:2"] and "not exploded" in invalid["params.jsonl:2"]
    assert "'size'" in invalid["params.jsonl:3"]  # "five" read as the integer the schema wants: refused
    assert any(f["id"] == "undocumented-enum-value" and "EXPLODED" in f["message"] for f in findings)
    assert not [f for f in findings if f["location"]["new"] == "params.jsonl:1" and f["level"] != "info"]


def test_unreadable_traffic_is_refused_with_its_location(run_cli, tmp_path):
    traffic = tmp_path / "bad.jsonl"
    traffic.write_text("{not json\n")
    result = run_cli("verify", SPEC, traffic)
    assert result.code == 2
    assert result.lines[0].startswith(f"{traffic}:1:1: traffic-unreadable: not HAR or JSON lines")


VERIFY_REPORTING_PEAK = """
import sys, time
from generator.cli import main
start = time.perf_counter()
code = main(sys.argv[1:])
seconds = time.perf_counter() - start
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]
print(int(peak) / 1024, seconds, code, file=sys.stderr)
"""


def verify_peak_memory_and_seconds(traffic) -> tuple[float, float, int]:
    """`verify SPEC TRAFFIC` in a fresh process: its own peak resident memory (MiB), seconds and exit code."""
    process = subprocess.run([sys.executable, "-c", VERIFY_REPORTING_PEAK, "verify", str(SPEC), str(traffic)],
                             capture_output=True, text=True, check=True, cwd=ROOT)
    peak, seconds, code = process.stderr.split()
    return float(peak), float(seconds), int(code)


def test_a_100000_exchange_recording_is_read_as_a_stream_in_bounded_memory(tmp_path, recorded):
    bodiless = []  # matching and tallying only: what is measured is reading, not schema validation
    for record in recorded:
        record = copy.deepcopy(record)
        record["request"]["body"] = record["response"]["body"] = None
        record["request"]["headers"]["x-padding"] = "p" * 600
        bodiless.append(json.dumps(record) + "\n")
    peaks = {}
    for count in (10_000, 100_000):
        traffic = tmp_path / f"{count}.jsonl"
        with traffic.open("w") as stream:
            stream.writelines(bodiless[i % len(bodiless)] for i in range(count))
        peak, seconds, code = verify_peak_memory_and_seconds(traffic)
        assert code == 0
        peaks[count] = peak
        print(f"verify {count} exchanges ({traffic.stat().st_size / 2**20:.0f} MiB): {seconds:.1f} s, "
              f"peak {peak:.0f} MiB")
    assert peaks[100_000] - peaks[10_000] < 16, peaks  # ten times the traffic, about the same memory


def test_a_bad_line_deep_in_a_stream_is_refused_with_its_line_and_no_report(run_cli, tmp_path, recorded):
    traffic = tmp_path / "broken.jsonl"
    write_lines(traffic, recorded * 4)
    with traffic.open("a") as stream:
        stream.write('{"request": {"method": "GET"}}\n')
    result = run_cli("verify", SPEC, traffic)
    assert result.code == 2
    assert result.lines == [f"{traffic}:{len(recorded) * 4 + 1}:1: traffic-unreadable: not HAR or JSON lines: missing 'response'"]
