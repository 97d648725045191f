"""Inline schemas are named from where they sit, shared when identical, and never renamed by unrelated schemas."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from conftest import ROOT
from generator.ir import build_api
from generator.load import load_document

ENUM = {"type": "string", "enum": ["A", "B"]}


def models(spec: dict[str, Any], tmp_path: Path, name: str = "api.yaml") -> dict[str, Any]:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return build_api(load_document(path)).models_document["components"]["schemas"]


def spec_with(schemas: dict[str, Any]) -> dict[str, Any]:
    refs = {"oneOf": [{"$ref": f"#/components/schemas/{n}"} for n in schemas]}
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": refs}}}}}}},
            "components": {"schemas": schemas}}


def test_inline_schemas_are_named_by_owner_and_property(tmp_path):
    contact = {"type": "object", "properties": {
        "identity": {"type": "object", "properties": {
            "passport": {"type": "object", "properties": {"number": {"type": "string"}}},
            "kinds": {"type": "array", "items": {**ENUM, "description": "a kind"}}}},
        "state": {"type": ["string", "null"], "enum": ["ON", "OFF", None], "description": "the state"}}}
    names = models(spec_with({"Contact": contact}), tmp_path)
    assert set(names) == {"GetXResponse", "Contact", "ContactIdentity", "ContactIdentityPassport", "ContactIdentityKindsItem",
                          "ContactState"}
    assert names["Contact"]["properties"]["state"] == {  # nullable stays at the field, the class holds values
        "anyOf": [{"$ref": "#/components/schemas/ContactState"}, {"type": "null"}], "description": "the state"}
    assert names["ContactState"]["enum"] == ["ON", "OFF"]


def test_structurally_identical_inline_schemas_share_one_class(tmp_path):
    schemas = {
        "First": {"type": "object", "properties": {"kind": {**ENUM, "description": "first's kind"}}},
        "Second": {"type": "object", "properties": {"sort": {**ENUM, "description": "second's sort"}}},
        "Third": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["A", "C"]}}},
    }
    names = models(spec_with(schemas), tmp_path)
    assert set(names) == {"GetXResponse", "First", "Second", "Third", "FirstKind", "ThirdKind"}
    assert names["Second"]["properties"]["sort"] == {"$ref": "#/components/schemas/FirstKind",
                                                     "description": "second's sort"}


def unrelated(name: str) -> dict[str, Any]:
    """A component full of inline schemas whose bare names (`Type`, `State`) the real specs use too."""
    return {"type": "object", "properties": {
        "type": {"type": "string", "enum": [name, "Y"]},
        "state": {"type": "object", "properties": {"name": {"type": "string", "enum": [name]}}},
        "schedule": {"type": "object", "properties": {name: {"type": "integer"}}}}}


def test_adding_reordering_and_removing_unrelated_schemas_moves_no_name(tmp_path):
    for spec_name in ("back-office", "self-service", "client-data"):
        original = yaml.safe_load((ROOT / "spec" / f"{spec_name}.yaml").read_text())
        before = models(original, tmp_path, f"{spec_name}.yaml")

        added = copy.deepcopy(original)
        components = added["components"]["schemas"]
        added["components"]["schemas"] = {"Aardvark": unrelated("a"), "Type": {"type": "string"},
                                          **dict(reversed(components.items())), "Zebra": unrelated("z")}
        after = models(added, tmp_path, f"{spec_name}-added.yaml")
        assert {n: s for n, s in after.items() if n in before} == before, spec_name
        assert {n for n in after if n not in before} == {
            "Aardvark", "AardvarkType", "AardvarkState", "AardvarkStateName", "AardvarkSchedule",
            "Type", "Zebra", "ZebraType", "ZebraState", "ZebraStateName", "ZebraSchedule"}

        removed = copy.deepcopy(added)
        del removed["components"]["schemas"]["Aardvark"]
        after_removal = models(removed, tmp_path, f"{spec_name}-removed.yaml")
        assert {n: s for n, s in after.items() if not n.startswith("Aardvark")} == after_removal, spec_name
