"""Contract: schemathesis against each CRM API's mock server on loopback (uvicorn).

No server errors, every response conforms to the spec (status, content type, schema), and
requests that violate the spec are rejected with a documented status. Bounded here;
`make contract` runs the same check with more examples (CONTRACT_EXAMPLES).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from servers import serving

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance," \
         "negative_data_rejection"
EXAMPLES = os.environ.get("CONTRACT_EXAMPLES", "10")


@pytest.mark.parametrize("package", ["crm_self_service", "crm_back_office", "crm_client_data"])
def test_schemathesis_finds_nothing_against_the_mock(generated_packages, package, tmp_path):
    server = importlib.import_module(f"{package}.server")
    with serving(server.create_mock_app()) as url:
        process = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run", f"{url}/openapi.json", "--url", url,
             "-H", "api_key: key", "-H", "Authorization: Bearer token", "--checks", CHECKS,
             "--max-examples", EXAMPLES, "--generation-deterministic", "--request-timeout", "10"],
            capture_output=True, text=True, timeout=900, cwd=tmp_path,
        )
    summary = process.stdout[-4000:]
    assert process.returncode == 0, summary
    assert "No issues found" in summary and " passed" in summary
