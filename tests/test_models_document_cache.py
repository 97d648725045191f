"""The remembered models document and client modules: used only when what they are made from is unchanged,
and then exactly what a fresh run makes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from generator import formatting
from generator.emit.client import render_client
from generator.ir import build_api
from generator.load import load_openapi
from generator.schemas import SchemaRegistry
from generator.text_memo import TextMemo

GOLDEN = ROOT / "tests" / "golden"
SPEC: dict[str, Any] = {
    "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
    "paths": {
        "/pets": {"get": {"operationId": "listPets", "tags": ["pets"], "description": "All pets.", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Dog"}}}}}}},
        "/owners": {"get": {"operationId": "listOwners", "tags": ["owners"], "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"name": {"type": "string"}}}}}}}}},
    },
    "x-aliases": {"Parent": {"$ref": "#/components/schemas/Pet"}},  # read past on the way to a class
    "components": {"schemas": {
        "Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Animal": {"type": "object", "properties": {"legs": {"type": "integer"}}},
        "Dog": {"allOf": [{"$ref": "#/x-aliases/Parent"}, {"type": "object", "properties": {
            "bark": {"type": "boolean"}}}]},
    }},
}


def built(tmp_path: Path, spec: dict[str, Any], remember: str | None = "fingerprint") -> dict[str, Any]:
    path = tmp_path / "api.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return build_api(load_openapi(path), remember=remember).models_document


@pytest.fixture
def computed(tmp_path, monkeypatch) -> list[int]:
    """Each time the registry computes a models document (rather than the cache giving it)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    calls: list[int] = []
    real = SchemaRegistry.models_document
    monkeypatch.setattr(SchemaRegistry, "models_document", lambda self, version: calls.append(1) or real(self, version))
    return calls


def edited(change) -> dict[str, Any]:
    spec = copy.deepcopy(SPEC)
    change(spec)
    return spec


def test_a_change_outside_the_schemas_is_answered_from_the_cache(tmp_path, computed):
    first = built(tmp_path, SPEC)
    assert computed == [1] and "Dog" in first["components"]["schemas"]
    spec = edited(lambda s: s["paths"]["/pets"]["get"].update(description="Every pet."))
    assert built(tmp_path, spec) == first and computed == [1]  # remembered
    assert built(tmp_path, spec, remember=None) == first and computed == [1, 1]  # and what a run makes


@pytest.mark.parametrize("change", [
    lambda s: s["components"]["schemas"]["Pet"]["properties"].update(age={"type": "integer"}),  # a named schema
    lambda s: s["x-aliases"]["Parent"].update({"$ref": "#/components/schemas/Animal"}),  # an alias read past
    lambda s: s["paths"]["/owners"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "properties"].update(nick={"type": "string"}),  # an inline schema that becomes a class
], ids=["component", "alias", "inline"])
def test_a_change_to_a_schema_it_read_makes_it_again(tmp_path, computed, change):
    first = built(tmp_path, SPEC)
    spec = edited(change)
    again = built(tmp_path, spec)
    assert computed == [1, 1] and again != first
    assert again == built(tmp_path, spec, remember=None)


def test_another_fingerprint_makes_it_again(tmp_path, computed):
    built(tmp_path, SPEC)
    built(tmp_path, SPEC, remember="another generator")
    assert computed == [1, 1]


def test_a_damaged_entry_is_made_again(tmp_path, computed):
    first = built(tmp_path, SPEC)
    for entry in (tmp_path / "cache").rglob(f"*{formatting.MARSHAL_SUFFIX}"):
        entry.write_bytes(b"\x00not marshal")
    assert built(tmp_path, SPEC) == first and computed == [1, 1]


def test_client_modules_come_from_the_memo_only_for_unchanged_tags(tmp_path, monkeypatch):
    from generator.emit import client

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    text = (GOLDEN / "petstore" / "spec.yaml").read_text(encoding="utf-8")
    path = tmp_path / "api.yaml"

    def render(spec_text: str) -> tuple[dict[Path, str], dict[Path, str], list[str]]:
        path.write_text(spec_text, encoding="utf-8")
        api = build_api(load_openapi(path))
        made: list[str] = []
        real = client.render
        monkeypatch.setattr(client, "render", lambda *a, **k: made.append(k.get("group") and k["group"].group.module)
                            or real(*a, **k))
        memo = TextMemo("k", "fingerprint")
        with_memo = render_client(api, "pets", "# h", memo)
        memo.save()
        monkeypatch.setattr(client, "render", real)
        return with_memo, render_client(api, "pets", "# h"), [module for module in made if module]

    cold, fresh, made = render(text)
    assert cold == fresh and len(made) >= 2  # petstore has more than one tag
    warm, fresh, remade = render(text)
    assert warm == fresh == cold and remade == []
    changed, fresh, remade = render(text.replace("summary: List pets", "summary: List every pet", 1))
    assert changed == fresh != cold and len(remade) == 1
    assert [name for name in changed if changed[name] != cold[name]] == [Path("pets/_api") / f"{remade[0]}.py"]
