"""`diff`: each rule on a pair of specs, in both directions; no-op changes report nothing."""

from __future__ import annotations

import copy
import json
import subprocess
import xml.dom.minidom

import pytest
import yaml

from conftest import ROOT
from generator.diff.compare import diff_documents
from generator.load import load_document

BASE = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "servers": [{"url": "https://api.example.com/v1"}],
    "security": [{"key": []}],
    "paths": {
        "/pets/{petId}": {
            "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "operationId": "get_pet",
                "parameters": [{"name": "fields", "in": "query", "schema": {"type": "string", "maxLength": 10}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"}}}}, "404": {"description": "no"}},
            },
            "put": {
                "operationId": "update_pet",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/PetUpdate"}}}},
                "responses": {"204": {"description": "done"}},
            },
        },
    },
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        "schemas": {
            "Pet": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"}, "kind": {"type": "string", "enum": ["dog", "cat"]},
                "owner": {"type": ["string", "null"]}}},
            "PetUpdate": {"type": "object", "properties": {
                "name": {"type": "string", "minLength": 1}, "kind": {"type": "string", "enum": ["dog", "cat"]}}},
        },
    },
}


def changed(mutate) -> dict:
    spec = copy.deepcopy(BASE)
    mutate(spec)
    return spec


def run_diff(tmp_path, old: dict, new: dict):
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(old))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(new))
    return diff_documents(load_document(tmp_path / "old.yaml"), load_document(tmp_path / "new.yaml"))


def get_op(spec):
    return spec["paths"]["/pets/{petId}"]["get"]


def put_op(spec):
    return spec["paths"]["/pets/{petId}"]["put"]


def schemas(spec):
    return spec["components"]["schemas"]


# (name, mutation, expected (rule, level) old->new, expected (rule, level) new->old)
CASES = [
    ("operation", lambda s: s["paths"]["/pets/{petId}"].pop("put"),
     ("operation-removed", "error"), ("operation-added", "info")),
    ("operation-id", lambda s: get_op(s).update(operationId="fetch_pet"),
     ("operation-id-changed", "warning"), ("operation-id-changed", "warning")),
    ("deprecated", lambda s: get_op(s).update(deprecated=True), ("operation-deprecated", "info"),
     ("operation-reactivated", "info")),
    ("tag", lambda s: get_op(s).update(tags=["pets"]),
     ("operation-tag-changed", "warning"), ("operation-tag-changed", "warning")),
    ("required-parameter", lambda s: get_op(s)["parameters"].append(
        {"name": "v", "in": "query", "required": True, "schema": {"type": "string"}}),
     ("required-parameter-added", "error"), ("parameter-removed", "warning")),
    ("optional-parameter", lambda s: get_op(s)["parameters"].append({"name": "v", "in": "query", "schema": {}}),
     ("optional-parameter-added", "info"), ("parameter-removed", "warning")),
    ("parameter-required", lambda s: get_op(s)["parameters"][0].update(required=True),
     ("parameter-became-required", "error"), ("parameter-became-optional", "info")),
    ("parameter-location", lambda s: get_op(s)["parameters"][0].update({"in": "header"}),
     ("parameter-location-changed", "error"), ("parameter-location-changed", "error")),
    ("parameter-type", lambda s: get_op(s)["parameters"][0].update(schema={"type": "integer", "maxLength": 10}),
     ("parameter-type-changed", "error"), ("parameter-type-changed", "error")),
    ("parameter-constraint", lambda s: get_op(s)["parameters"][0]["schema"].update(maxLength=5),
     ("parameter-constraint-tightened", "error"), ("parameter-constraint-loosened", "info")),
    ("parameter-style", lambda s: get_op(s)["parameters"][0].update(style="pipeDelimited", explode=False),
     ("parameter-serialization-changed", "error"), ("parameter-serialization-changed", "error")),
    ("parameter-explode", lambda s: get_op(s)["parameters"][0].update(explode=False),
     ("parameter-serialization-changed", "error"), ("parameter-serialization-changed", "error")),
    ("parameter-default", lambda s: get_op(s)["parameters"][0]["schema"].update(default="all"),
     ("parameter-default-added", "info"), ("parameter-default-removed", "info")),
    ("request-enum", lambda s: schemas(s)["PetUpdate"]["properties"]["kind"].update(enum=["dog"]),
     ("request-enum-value-removed", "error"), ("request-enum-value-added", "info")),
    ("response-enum", lambda s: schemas(s)["Pet"]["properties"]["kind"].update(enum=["dog", "cat", "bird"]),
     ("response-enum-value-added", "warning"), ("response-enum-value-removed", "info")),
    ("response-property", lambda s: schemas(s)["Pet"]["properties"].pop("owner"),
     ("response-property-removed", "warning"), ("response-property-added", "info")),
    ("request-required-property", lambda s: (schemas(s)["PetUpdate"]["properties"].update(age={"type": "integer"}),
                                             schemas(s)["PetUpdate"].update(required=["age"])),
     ("request-required-property-added", "error"), ("request-property-removed", "warning")),
    ("response-required", lambda s: schemas(s)["Pet"].update(required=[]),
     ("response-property-became-optional", "error"), ("response-property-became-required", "info")),
    ("response-nullable", lambda s: schemas(s)["Pet"]["properties"]["id"].update(type=["string", "null"]),
     ("response-nullable-added", "error"), ("response-nullable-removed", "info")),
    ("request-format", lambda s: schemas(s)["PetUpdate"]["properties"]["name"].update(format="email"),
     ("request-format-added", "error"), ("request-format-removed", "info")),
    ("request-pattern", lambda s: schemas(s)["PetUpdate"]["properties"]["name"].update(pattern="^[a-z]+$"),
     ("request-pattern-added", "error"), ("request-pattern-removed", "info")),
    ("request-body", lambda s: put_op(s)["requestBody"].update(required=False),
     ("request-body-became-optional", "info"), ("request-body-became-required", "error")),
    ("response-status", lambda s: get_op(s)["responses"].pop("404"),
     ("response-status-removed", "warning"), ("response-status-added", "info")),
    ("media-type", lambda s: get_op(s)["responses"]["200"]["content"].update(
        {"application/xml": {"schema": {"type": "string"}}}),
     ("response-media-type-added", "info"), ("response-media-type-removed", "error")),
    ("variants", lambda s: schemas(s)["Pet"]["properties"].update(
        owner={"oneOf": [{"type": "string"}, {"type": "integer"}]}),
     ("response-variant-added", "error"), ("response-variant-removed", "info")),
    ("security", lambda s: get_op(s).update(security=[{"key": [], "other": []}]),
     ("security-requirement-changed", "error"), ("security-requirement-changed", "info")),
    ("security alternative", lambda s: get_op(s).update(security=[{"key": []}, {"other": []}]),
     ("security-requirement-changed", "info"), ("security-requirement-changed", "error")),
    ("security scope", lambda s: get_op(s).update(security=[{"key": ["admin"]}]),
     ("security-requirement-changed", "error"), ("security-requirement-changed", "info")),
    ("security removed", lambda s: get_op(s).update(security=[]),
     ("security-requirement-changed", "info"), ("security-requirement-changed", "error")),
    ("security-scheme description", lambda s: s["components"]["securitySchemes"]["key"].update(description="d"),
     ("security-scheme-changed", "info"), ("security-scheme-changed", "info")),
    ("security-scheme", lambda s: s["components"]["securitySchemes"]["key"].update(name="X-Api-Key"),
     ("security-scheme-changed", "error"), ("security-scheme-changed", "error")),
    ("servers", lambda s: s.update(servers=[{"url": "https://api.example.com/v2"}]),
     ("servers-changed", "warning"), ("servers-changed", "warning")),
]


@pytest.mark.parametrize("name, mutate, forward, backward", CASES, ids=[c[0] for c in CASES])
def test_rule_in_both_directions(tmp_path, name, mutate, forward, backward):
    new = changed(mutate)
    forward_found = {(c.rule, c.level) for c in run_diff(tmp_path, BASE, new)}
    assert forward in forward_found, forward_found
    if backward:
        backward_found = {(c.rule, c.level) for c in run_diff(tmp_path, new, BASE)}
        assert backward in backward_found, backward_found


def test_oneof_variants_are_compared_as_sets(tmp_path):
    def with_variants(*variants):
        return changed(lambda s: schemas(s)["Pet"]["properties"].update(owner={"oneOf": list(variants)}))

    string, number = {"type": "string"}, {"type": "integer"}
    assert run_diff(tmp_path, with_variants(string, number), with_variants(number, string)) == []
    found = {(c.rule, c.level) for c in run_diff(tmp_path, with_variants(string), with_variants(string, number))}
    assert ("response-variant-added", "error") in found


@pytest.mark.parametrize("name, mutate", [
    ("reordered keys", lambda s: s.update(dict(reversed(list(s.items()))))),
    ("schema moved behind a $ref", lambda s: (
        schemas(s).update(Fields={"type": "string", "maxLength": 10}),
        get_op(s)["parameters"][0].update(schema={"$ref": "#/components/schemas/Fields"}))),
    ("path parameter renamed", lambda s: s["paths"].update({"/pets/{id}": s["paths"].pop("/pets/{petId}")}) or
     s["paths"]["/pets/{id}"]["parameters"][0].update(name="id")),
    ("the spec's default style stated", lambda s: get_op(s)["parameters"][0].update(style="form", explode=True)),
    ("description and example edits", lambda s: schemas(s)["Pet"].update(description="new", example={"id": "1"})),
])
def test_no_op_changes_report_nothing(tmp_path, name, mutate):
    assert run_diff(tmp_path, BASE, changed(mutate)) == []


def test_reformatted_yaml_and_json_of_the_same_spec_report_nothing(tmp_path):
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(BASE, default_flow_style=True, width=40))
    (tmp_path / "b.json").write_text(json.dumps(BASE, indent=4, sort_keys=True))
    assert diff_documents(load_document(tmp_path / "a.yaml"), load_document(tmp_path / "b.json")) == []


def test_cli_formats_fail_on_and_ignore(run_cli, tmp_path):
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(BASE))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(changed(lambda s: s["paths"]["/pets/{petId}"].pop("put"))))
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    text = run_cli("diff", old, new)
    assert text.code == 0
    assert text.lines[0].startswith("error operation-removed PUT /pets/{petId}: operation removed")
    assert "[sdk error: client.default.update_pet()]" in text.lines[0]
    assert run_cli("diff", old, new, "--fail-on", "error").code == 1
    records = json.loads(run_cli("diff", old, new, "--format", "json").out)
    assert records[0]["id"] == "operation-removed" and records[0]["level"] == "error"
    assert set(records[0]) >= {"id", "level", "operation", "location", "message"}
    junit = xml.dom.minidom.parseString(run_cli("diff", old, new, "--format", "junit").out)
    assert junit.documentElement.getAttribute("failures") == "1"
    assert "| error | error | `operation-removed` |" in run_cli("diff", old, new, "--format", "markdown").out
    ignore = tmp_path / "accepted.txt"
    ignore.write_text("# we know\noperation-removed PUT /pets/{petId}\n")
    assert run_cli("diff", old, new, "--fail-on", "error", "--ignore", ignore).code == 0


def test_sdk_impact_names_the_method_and_the_model(run_cli, tmp_path):
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(BASE))
    new = changed(lambda s: schemas(s)["Pet"]["properties"].pop("owner"))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(new))
    records = json.loads(run_cli("diff", tmp_path / "old.yaml", tmp_path / "new.yaml", "--format", "json").out)
    assert [(r["id"], r["level"], r["sdk_level"], r["sdk"]) for r in records] == [
        ("response-property-removed", "warning", "error", "models.Pet.owner")]


def test_git_revisions_are_read_with_git_show(run_cli, tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    spec = tmp_path / "api.yaml"
    spec.write_text(yaml.safe_dump(BASE))
    subprocess.run(["git", "add", "api.yaml"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"], cwd=tmp_path, check=True)
    spec.write_text(yaml.safe_dump(changed(lambda s: get_op(s).update(operationId="fetch_pet"))))
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = run_cli("diff", "HEAD:api.yaml", "api.yaml", "--format", "json")
    finally:
        os.chdir(cwd)
    assert [r["id"] for r in json.loads(result.out)] == ["operation-id-changed"]


def test_the_curated_specs_have_no_changes_against_themselves(run_cli):
    for spec in sorted((ROOT / "spec").glob("*.yaml")):
        assert run_cli("diff", spec, spec).lines == ["0 change(s): 0 breaking (error), 0 warning, 0 info"]


def test_sdk_impact_uses_the_model_names_the_generator_chose(run_cli, tmp_path):
    def collide(spec):
        schemas(spec)["pet"] = {"type": "object", "properties": {"x": {"type": "string"}}}
        get_op(spec)["responses"]["200"]["content"]["application/json"]["schema"] = {
            "allOf": [{"$ref": "#/components/schemas/Pet"}, {"$ref": "#/components/schemas/pet"}]}
    old = changed(collide)
    new = changed(lambda s: (collide(s), schemas(s)["pet"]["properties"].pop("x")))
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(old))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(new))
    records = json.loads(run_cli("diff", tmp_path / "old.yaml", tmp_path / "new.yaml", "--format", "json").out)
    # `Pet` and `pet` are two classes: the generator names the second `Pet2`, and so does the SDK impact.
    assert [(r["id"], r["sdk"]) for r in records] == [("response-property-removed", "models.Pet2.x")]


# The parts of SARIF 2.1.0 (OASIS, sarif-schema-2.1.0.json) a result log must have, written out from the spec:
# required properties, the level enumeration, 1-based regions; unknown properties refused where the spec does.
SARIF_SUBSET = {
    "type": "object", "required": ["version", "runs"], "additionalProperties": False,
    "properties": {"$schema": {"type": "string"}, "version": {"const": "2.1.0"}, "runs": {"type": "array", "items": {
        "type": "object", "required": ["tool"], "additionalProperties": False, "properties": {
            "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "rules": {
                    "type": "array", "items": {"type": "object", "required": ["id"], "properties": {
                        "id": {"type": "string"},
                        "shortDescription": {"type": "object", "required": ["text"]}}}}}}}},
            "results": {"type": "array", "items": {
                "type": "object", "required": ["message"], "additionalProperties": False, "properties": {
                    "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": -1},
                    "level": {"enum": ["none", "note", "warning", "error"]},
                    "message": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
                    "locations": {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                                             "properties": {
                        "physicalLocation": {"type": "object", "additionalProperties": False, "properties": {
                            "artifactLocation": {"type": "object", "required": ["uri"]},
                            "region": {"type": "object", "properties": {
                                "startLine": {"type": "integer", "minimum": 1},
                                "startColumn": {"type": "integer", "minimum": 1}}}}},
                        "logicalLocations": {"type": "array"}}}},
                    "properties": {"type": "object"}}}}}}}},
}


def test_sarif_and_github_annotations_point_at_the_spec_line(run_cli, tmp_path):
    import jsonschema

    (tmp_path / "old.yaml").write_text(yaml.safe_dump(BASE))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(changed(lambda s: schemas(s)["Pet"]["properties"].pop("owner"))))
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    log = json.loads(run_cli("diff", old, new, "--format", "sarif").out)
    jsonschema.validate(log, SARIF_SUBSET)
    run = log["runs"][0]
    result = run["results"][0]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"] == "response-property-removed"
    assert result["level"] == "error"  # the SDK level: models.Pet.owner is gone
    assert result["properties"]["wireLevel"] == "warning" and result["properties"]["sdkLevel"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    owner_line = next(n for n, line in enumerate(old.read_text().splitlines(), 1) if line.strip().startswith("owner:"))
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("old.yaml")
    assert region["startLine"] == owner_line  # a removal points into the old spec
    github = run_cli("diff", old, new, "--format", "github").lines
    assert github[0].startswith(f"::error file={old.as_posix()},line={owner_line},col=")
    assert "title=response-property-removed (wire warning%2C sdk error)::GET /pets/{petId}" in github[0]
    assert run_cli("diff", old, new, "--format", "sarif").out == run_cli("diff", old, new, "--format", "sarif").out
