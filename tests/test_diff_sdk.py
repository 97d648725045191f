"""SDK-level changes: what the regenerated client does to code written against the previous one."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from generator.diff.sdk import KINDS, sdk_changes
from generator.load import load_document
from test_diff import BASE, get_op, put_op, schemas


def changed(mutate) -> dict:
    spec = copy.deepcopy(BASE)
    mutate(spec)
    return spec


def kinds(tmp_path, old: dict, new: dict) -> set[tuple[str, str]]:
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(old))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(new))
    report = sdk_changes(load_document(tmp_path / "old.yaml"), load_document(tmp_path / "new.yaml"))
    return {(c.kind, c.level) for c in report.changes}


def rename_component(spec: dict, old: str, new: str) -> None:
    text = json.dumps(spec).replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    spec.clear()
    spec.update(json.loads(text))
    spec["components"]["schemas"] = {new if k == old else k: v for k, v in spec["components"]["schemas"].items()}


# (name, mutation, forward (kind, level), backward (kind, level) or None)
SDK_CASES = [
    ("method", lambda s: s["paths"]["/pets/{petId}"].pop("put"), ("method-removed", "error"),
     ("method-added", "info")),
    ("operation id", lambda s: get_op(s).update(operationId="fetch_pet"), ("method-renamed", "error"),
     ("method-renamed", "error")),
    ("optional argument", lambda s: get_op(s)["parameters"].pop(0), ("argument-removed", "error"),
     ("argument-added", "info")),
    ("required argument", lambda s: get_op(s)["parameters"].append(
        {"name": "v", "in": "query", "required": True, "schema": {"type": "string"}}),
     ("argument-added-required", "error"), ("argument-removed", "error")),
    ("argument required", lambda s: get_op(s)["parameters"][0].update(required=True),
     ("argument-became-required", "error"), ("argument-became-optional", "info")),
    ("argument type", lambda s: get_op(s)["parameters"][0].update(schema={"type": "integer"}),
     ("argument-type-changed", "error"), ("argument-type-changed", "error")),
    ("body type", lambda s: put_op(s)["requestBody"]["content"]["application/json"].update(
        schema={"$ref": "#/components/schemas/Pet"}), ("body-type-changed", "error"), ("body-type-changed", "error")),
    ("return type", lambda s: get_op(s)["responses"]["200"]["content"]["application/json"].update(
        schema={"$ref": "#/components/schemas/PetUpdate"}), ("return-type-changed", "warning"),
     ("return-type-changed", "warning")),
    ("model", lambda s: rename_component(s, "PetUpdate", "PetChange"), ("model-removed", "error"), None),
    ("model name", lambda s: schemas(s).update({"-pet": {"type": "object"}}),
     ("model-renamed", "error"), ("model-renamed", "error")),
    ("field", lambda s: schemas(s)["Pet"]["properties"].pop("owner"), ("field-removed", "error"), None),
    ("field required", lambda s: schemas(s)["Pet"].update(required=["id", "owner"]),
     ("field-became-required", "error"), ("field-became-optional", "warning")),
    ("field type", lambda s: schemas(s)["Pet"]["properties"]["id"].update(type="integer"),
     ("field-type-changed", "error"), ("field-type-changed", "error")),
]
SDK_TESTED = {f"sdk-{c[i][0]}" for c in SDK_CASES for i in (2, 3) if c[i]}


@pytest.mark.parametrize("name, mutate, forward, backward", SDK_CASES, ids=[c[0] for c in SDK_CASES])
def test_sdk_change_both_ways(tmp_path, name, mutate, forward, backward):
    new = changed(mutate)
    assert forward in kinds(tmp_path, BASE, new)
    if backward:
        assert backward in kinds(tmp_path, new, BASE)


def test_every_sdk_kind_has_a_case():
    assert sorted(set(KINDS) - {c[i][0] for c in SDK_CASES for i in (2, 3) if c[i]}) == []


def test_renaming_an_optional_query_parameter_warns_on_the_wire_but_breaks_the_sdk(run_cli, tmp_path):
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(BASE))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(changed(lambda s: get_op(s)["parameters"][0].update(
        name="select"))))
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    records = json.loads(run_cli("diff", old, new, "--format", "json").out)
    assert [(r["id"], r["level"], r["sdk_level"], r["sdk"]) for r in records] == [
        ("parameter-removed", "warning", "error", "client.default.get_pet(fields=)"),
        ("optional-parameter-added", "info", "info", "client.default.get_pet(select=)")]
    assert run_cli("diff", old, new, "--fail-on", "error").code == 0
    assert run_cli("diff", old, new, "--fail-on", "warning").code == 1
    assert run_cli("diff", old, new, "--fail-on", "sdk-error").code == 1
    assert run_cli("diff", old, new, "--fail-on", "error", "--fail-on", "sdk-error").code == 1


def test_a_renamed_component_is_no_wire_change_but_an_sdk_one(run_cli, tmp_path):
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(BASE))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(changed(lambda s: rename_component(s, "Pet", "Animal"))))
    records = json.loads(run_cli("diff", tmp_path / "old.yaml", tmp_path / "new.yaml", "--format", "json").out)
    assert {(r["id"], r["level"], r["sdk_level"]) for r in records} >= {
        ("sdk-model-removed", "info", "error"), ("sdk-return-type-changed", "info", "warning")}
    assert all(r["level"] == "info" for r in records)
