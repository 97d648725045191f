"""Real-world specs nobody here wrote (../shared/corpus): each generates and imports; small ones type-check.

The large ones are generated without formatting to keep the suite fast: black's part is
covered by the formatting tests, and its cost by `make bench`.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from generator.load import load_document
from generator.naming import snake_case
from generator.model.walk import iter_operations

CORPUS = ROOT.parent / "shared" / "corpus"
SMALL = ["oai-petstore.yaml", "oai-petstore-expanded.yaml", "oai-uspto.yaml", "oai-link-example.yaml",
         "oai-api-with-examples.yaml", "oai-callback-example.yaml", "oai-webhook-example.yaml"]
LARGE = ["twilio-twilio_api_v2010.yaml", "discord-openapi.json", "openai-openapi.yaml", "stripe-spec3.yaml",
         "github-api.github.com.json"]


def test_the_corpus_is_all_covered():
    assert CORPUS.is_dir(), f"the corpus is expected in {CORPUS}"
    assert sorted(SMALL + LARGE) == sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".yaml", ".json"))


def spec_operations(name: str) -> int:
    """Operations under `paths` (webhooks are not client calls)."""
    document = load_document(CORPUS / name)
    return sum(1 for site in iter_operations(document.data) if site.pointer.startswith("/paths/"))


def generate_and_import(run_cli, tmp_path, name: str, formatter: str) -> str:
    """Generate, import every module and every tag namespace; check no operation was dropped."""
    package = snake_case(name.rsplit(".", 1)[0])
    result = run_cli("generate", CORPUS / name, "--out", tmp_path, "--package", package, "--formatter", formatter)
    assert result.code == 0, result.out
    folder = tmp_path / package
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(folder)!r})
        import {package} as package, {package}.models as models
        client = package.Client()
        groups = [getattr(client, a) for a in dir(client) if not a.startswith("_") and a not in ("close", "credentials", "capture_responses")]
        methods = sum(1 for g in groups for m in dir(g) if not m.startswith(("_", "iter_")))
        print(len(groups), methods)
    """)
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]
    groups, methods = map(int, process.stdout.split())
    assert methods == spec_operations(name), "every operation becomes exactly one method"
    return package


@pytest.mark.parametrize("name", SMALL)
def test_small_specs_generate_import_and_type_check(run_cli, tmp_path, name):
    package = generate_and_import(run_cli, tmp_path, name, "black")
    for command in ([sys.executable, "-m", "mypy", "--strict", "--cache-dir", "/dev/null", package],
                    [sys.executable, "-m", "ruff", "check", "--no-cache", package]):
        process = subprocess.run(command, cwd=tmp_path / package, capture_output=True, text=True, timeout=600)
        assert process.returncode == 0, process.stdout[-3000:]


@pytest.mark.parametrize("name", LARGE)
def test_large_specs_generate_and_import(run_cli, tmp_path, name):
    generate_and_import(run_cli, tmp_path, name, "none")
