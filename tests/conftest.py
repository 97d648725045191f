"""Shared helpers: write small specs and run the CLI in-process."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator.cli import main

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run `crm-codegen ARGS...` in-process; returns exit code and captured output."""

    def run(*args: str) -> CliResult:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def write_spec(tmp_path: Path):
    """Write a spec (YAML text, or a dict dumped as YAML) and return its path."""

    def write(content: str | dict, name: str = "api.yaml") -> Path:
        path = tmp_path / name
        text = textwrap.dedent(content) if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text)
        return path

    return write


def minimal_spec(**paths: dict) -> dict:
    """A valid OpenAPI 3.1 document with the given path items."""
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": dict(paths)}


def operation(operation_id: str = "list_pets", **extra: object) -> dict:
    """An operation that passes every convention rule unless `extra` overrides it."""
    return {
        "operationId": operation_id,
        "summary": "List pets",
        "tags": ["pets"],
        "x-seed": "000_seed.txt#L1",
        "responses": {"200": {"description": "ok"}},
        **extra,
    }


@pytest.fixture(autouse=True)
def _run_from_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Diagnostics name files relative to the working directory: make it the project root."""
    monkeypatch.chdir(ROOT)


GENERATED = ROOT / "generated"


@pytest.fixture(scope="session")
def generated_packages() -> list[str]:
    """Make the committed generated packages importable (as `pip install -e` of each would)."""
    import sys

    folders = sorted(p for p in GENERATED.iterdir() if (p / "pyproject.toml").exists())
    for folder in folders:
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    return [folder.name for folder in folders]
