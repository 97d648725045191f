"""Contract: schemathesis against each CRM API's mock, started as `crm-codegen mock SPEC --credential ...`.

All checks except the two that need a real backend's state: no server errors, every response
conforms to the spec (status, content type, schema, headers), requests that violate the spec are
rejected and valid ones accepted, undeclared methods get 405, missing or invalid credentials 401.
Bounded here; `make contract` runs the same check with more examples (CONTRACT_EXAMPLES).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXCLUDED = "use_after_free,ensure_resource_availability"
EXAMPLES = os.environ.get("CONTRACT_EXAMPLES", "10")
CREDENTIALS = ["contract-key", "contract-token"]
# Self-Service sends the contact token as the raw Authorization value (an apiKey scheme), the others as Bearer.
AUTHORIZATION = {"self-service": CREDENTIALS[1]}


def start_mock(spec: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The mock on a free loopback port; its output goes to `log` (a pipe nobody reads would fill up)."""
    command = [sys.executable, "-m", "generator", "mock", f"spec/{spec}.yaml", "--port", "0"]
    for credential in CREDENTIALS:
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


@pytest.mark.parametrize("spec", ["self-service", "back-office", "client-data"])
def test_schemathesis_finds_nothing_against_the_mock(spec, tmp_path):
    mock, url = start_mock(spec, tmp_path / "mock.log")
    try:
        process = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run", f"{url}/openapi.json", "--url", url,
             "-H", f"api_key: {CREDENTIALS[0]}",
             "-H", f"Authorization: {AUTHORIZATION.get(spec, 'Bearer ' + CREDENTIALS[1])}",
             "--checks", "all", "--exclude-checks", EXCLUDED,
             "--max-examples", EXAMPLES, "--generation-deterministic", "--request-timeout", "10"],
            capture_output=True, text=True, timeout=1800, cwd=tmp_path,
        )
    finally:
        mock.terminate()
        mock.wait(timeout=30)
    summary = process.stdout[-4000:]
    assert process.returncode == 0, summary
    assert "No issues found" in summary and " passed" in summary
    cases = re.search(r"(\d+) generated", summary)
    assert cases and int(cases.group(1)) > 0, summary
    print(f"{spec}: {cases.group(1)} schemathesis cases, 0 failures")
