"""The bundled `openapi.json` text: exactly what `json.dumps(spec, indent=1, ensure_ascii=False)` writes, cache or not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from generator.json_text import IndentedJson
from generator.load import load_openapi

CORPUS = ROOT.parent / "shared" / "corpus"
SPECS = [*sorted((ROOT / "spec").glob("*.yaml")), CORPUS / "github-api.github.com.json", CORPUS / "oai-uspto.yaml"]
ODD: dict[str, Any] = {  # what a spec may hold: numbers and booleans as keys, empties, text to escape
    "openapi": "3.0.3", "x-list": [1, [], {}, {"a": None}], "x-empty": {},
    "paths": {"/é \"q\"\n": {"get": {"responses": {200: {"description": "ok"}}}}, "/b": {}, "/c": [1.5, True]},
    "x-numbers": {"1": 1e100, "f": -0.0, "t": True}, "x-int-keys": {1: "one", "two": {2: 2}},
}


def expected(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.name)
def test_cold_and_warm_give_json_dumps_text(spec: Path, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    data = load_openapi(spec).data
    cold = IndentedJson("k")
    assert cold.dumps(data) == expected(data)
    cold.save()
    warm = IndentedJson("k")
    assert warm.memo.cache  # the members were remembered
    assert warm.dumps(data) == expected(data)


def test_odd_documents_and_a_changed_member(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for value in (ODD, ODD["paths"], {**ODD, 7: None}, {"x": {"y": {"z": [1]}}}, [ODD], {}, "text", None):
        first = IndentedJson("k")
        assert first.dumps(value) == expected(value)
        first.save()
        assert IndentedJson("k").dumps(value) == expected(value)
    changed = {**ODD, "paths": {**ODD["paths"], "/b": {"get": {}}}}  # one member differs from what is remembered
    assert IndentedJson("k").dumps(changed) == expected(changed)
