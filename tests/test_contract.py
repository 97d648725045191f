"""Contract: schemathesis against each CRM API's mock, started as `crm-codegen mock SPEC --credential ...`.

All checks except the two that need a real backend's state: no server errors, every response
conforms to the spec (status, content type, schema, headers), requests that violate the spec are
rejected and valid ones accepted, undeclared methods get 405, missing or invalid credentials 401.
Bounded here; `make contract` runs the same check with more examples (CONTRACT_EXAMPLES). The mocks
of six small real specs from the corpus are checked the same way.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

EXCLUDED = "use_after_free,ensure_resource_availability"
EXAMPLES = os.environ.get("CONTRACT_EXAMPLES", "10")
CREDENTIALS = ["contract-key", "contract-token"]
# Self-Service sends the contact token as the raw Authorization value (an apiKey scheme), the others as Bearer.
AUTHORIZATION = {"self-service": CREDENTIALS[1]}


def start_mock(spec: Path, log: Path, credentials: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    """The mock on a free loopback port; its output goes to `log` (a pipe nobody reads would fill up)."""
    command = [sys.executable, "-m", "generator", "mock", str(spec), "--port", "0"]
    for credential in credentials:
        command += ["--credential", credential]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        found = re.search(r"on (http://\S+)", log.read_text(errors="replace"))
        if found:
            return process, found.group(1)
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"the mock did not start: {log.read_text(errors='replace')}")


def schemathesis(url: str, folder: Path, options: list[str], excluded: str = EXCLUDED,
                 examples: str = EXAMPLES) -> str:
    """Run schemathesis against the mock at `url`; its summary, after asserting it found nothing."""
    process = subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "run", f"{url}/openapi.json", "--url", url, *options,
         "--checks", "all", "--exclude-checks", excluded,
         "--max-examples", examples, "--generation-deterministic", "--request-timeout", "10"],
        capture_output=True, text=True, timeout=1800, cwd=folder,
    )
    summary = process.stdout[-4000:]
    assert process.returncode == 0, summary
    assert "No issues found" in summary and " passed" in summary
    cases = re.search(r"(\d+) generated", summary)
    assert cases and int(cases.group(1)) > 0, summary
    return cases.group(1)


@contextlib.contextmanager
def mock(spec: Path, folder: Path, credentials: list[str]) -> Iterator[str]:
    process, url = start_mock(spec, folder / "mock.log", credentials)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("spec", ["self-service", "back-office", "client-data"])
def test_schemathesis_finds_nothing_against_the_mock(spec, tmp_path):
    with mock(Path("spec") / f"{spec}.yaml", tmp_path, CREDENTIALS) as url:
        cases = schemathesis(url, tmp_path, ["-H", f"api_key: {CREDENTIALS[0]}", "-H",
                                             f"Authorization: {AUTHORIZATION.get(spec, 'Bearer ' + CREDENTIALS[1])}"])
    print(f"{spec}: {cases} schemathesis cases, 0 failures")


# Real specs nobody here wrote. None documents an error response for bad input (the examples
# document no 4xx), so a refusal cannot conform to them: status-code conformance is left out.
CORPUS_SPECS = ["oai-petstore.yaml", "oai-petstore-expanded.yaml", "oai-uspto.yaml", "oai-link-example.yaml",
                "oai-api-with-examples.yaml", "oai-callback-example.yaml"]


@pytest.mark.parametrize("name", CORPUS_SPECS)
def test_schemathesis_finds_nothing_against_the_mock_of_a_real_spec(name, tmp_path):
    with mock(ROOT.parent / "shared" / "corpus" / name, tmp_path, []) as url:
        cases = schemathesis(url, tmp_path, [], f"{EXCLUDED},status_code_conformance")
    print(f"{name}: {cases} schemathesis cases, 0 failures")
