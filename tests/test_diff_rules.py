"""Every diff rule, old to new and new to old, at the reference tool's (oasdiff's) levels.

Schema rules run in each of the four places a schema can sit (a query parameter, a request body
property, a response body property, a response header), so one case checks four rule ids.
A test at the end fails when a registered rule has no case here.
"""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
import yaml

from generator.diff.change import Policy
from generator.diff.compare import diff_documents
from generator.diff.registry import RULES, SCHEMA_PREFIXES
from generator.load import load_document
from test_diff import BASE, CASES, get_op, put_op
from test_diff_sdk import SDK_TESTED

TODAY = date(2026, 6, 1)
REQUEST_SIDE, RESPONSE_SIDE = ("parameter", "request"), ("response", "response-header")


def spec_with(fragment: dict) -> dict:
    """BASE with one schema fragment in all four places."""
    spec = copy.deepcopy(BASE)
    get_op(spec)["parameters"].append({"name": "q", "in": "query", "schema": copy.deepcopy(fragment)})
    put_op(spec)["requestBody"]["content"]["application/json"]["schema"] = {
        "type": "object", "properties": {"v": copy.deepcopy(fragment)}}
    get_op(spec)["responses"]["200"] = {"description": "ok", "headers": {"X-V": {"schema": copy.deepcopy(fragment)}},
                                        "content": {"application/json": {"schema": {
                                            "type": "object", "properties": {"v": copy.deepcopy(fragment)}}}}}
    return spec


def run(tmp_path, old: dict, new: dict, policy: Policy | None = None):
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(old))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(new))
    return diff_documents(load_document(tmp_path / "old.yaml"), load_document(tmp_path / "new.yaml"),
                          policy or Policy(today=TODAY))


def found(tmp_path, old: dict, new: dict, policy: Policy | None = None) -> set[tuple[str, str]]:
    return {(c.rule, c.level) for c in run(tmp_path, old, new, policy)}


S, I, N = {"type": "string"}, {"type": "integer"}, {"type": "number"}
# (old fragment, new fragment, forward suffix, (request level, response level), backward suffix, levels)
SCHEMA_CASES = [
    (S, I, "type-changed", ("error", "error"), "type-changed", ("error", "error")),
    (I, N, "type-widened", ("info", "error"), "type-narrowed", ("error", "info")),
    (S, {"minLength": 1}, "type-widened", ("info", "error"), "type-narrowed", ("error", "info")),
    (S, {"type": ["string", "null"]}, "nullable-added", ("info", "error"), "nullable-removed", ("error", "info")),
    ({**S, "format": "date"}, {**S, "format": "date-time"}, "format-changed", ("error", "error"),
     "format-changed", ("error", "error")),
    (S, {**S, "format": "email"}, "format-added", ("error", "info"), "format-removed", ("info", "error")),
    (S, {**S, "enum": ["a", "b"]}, "enum-added", ("error", "info"), "enum-removed", ("info", "error")),
    ({**S, "enum": ["a", "b"]}, {**S, "enum": ["a"]}, "enum-value-removed", ("error", "info"),
     "enum-value-added", ("info", "warning")),
    ({**S, "x-extensible-enum": ["a", "b"]}, {**S, "x-extensible-enum": ["a"]}, "extensible-enum-value-removed",
     ("error", "info"), "extensible-enum-value-added", ("info", "info")),
    (S, {**S, "const": "a"}, "const-added", ("error", "info"), "const-removed", ("info", "error")),
    ({**S, "const": "a"}, {**S, "const": "b"}, "const-changed", ("error", "error"), "const-changed",
     ("error", "error")),
    ({**S, "maxLength": 10}, {**S, "maxLength": 5}, "constraint-tightened", ("error", "info"),
     "constraint-loosened", ("info", "error")),
    (S, {**S, "maxLength": 5}, "constraint-added", ("warning", "info"), "constraint-removed", ("info", "error")),
    ({**N, "multipleOf": 2}, {**N, "multipleOf": 4}, "constraint-tightened", ("error", "info"),
     "constraint-loosened", ("info", "error")),
    (S, {**S, "pattern": "^a"}, "pattern-added", ("error", "info"), "pattern-removed", ("info", "error")),
    ({**S, "pattern": "^a"}, {**S, "pattern": "^b"}, "pattern-changed", ("warning", "warning"),
     "pattern-changed", ("warning", "warning")),
    (S, {**S, "default": "a"}, "default-added", ("info", "info"), "default-removed", ("info", "info")),
    ({**S, "default": "a"}, {**S, "default": "b"}, "default-changed", ("info", "info"), "default-changed",
     ("info", "info")),
    (S, {**S, "readOnly": True}, "read-only-changed", ("info", "info"), "read-only-changed", ("info", "info")),
    (S, {**S, "writeOnly": True}, "write-only-changed", ("info", "info"), "write-only-changed", ("info", "info")),
    ({**S, "contentEncoding": "base64"}, {**S, "contentEncoding": "base32"}, "content-encoding-changed",
     ("error", "error"), "content-encoding-changed", ("error", "error")),
    ({"type": "object", "properties": {"a": S}}, {"type": "object"}, "property-removed", ("warning", "warning"),
     "property-added", ("info", "info")),
    ({"type": "object", "properties": {"a": S}, "required": ["a"]}, {"type": "object"}, "property-removed",
     ("warning", "error"), "required-property-added", ("error", None)),
    ({"type": "object", "properties": {"a": S}}, {"type": "object", "properties": {"a": S}, "required": ["a"]},
     "property-became-required", ("error", "info"), "property-became-optional", ("info", "error")),
    ({"type": "object", "properties": {"a": S, "b": S}},
     {"type": "object", "properties": {"a": S, "b": S}, "dependentRequired": {"a": ["b"]}},
     "dependent-required-added", ("error", "info"), "dependent-required-removed", ("info", "error")),
    ({"oneOf": [S, I]}, {"oneOf": [S]}, "variant-removed", ("error", "info"), "variant-added", ("info", "error")),
    ({"type": "object", "properties": {"a": S}}, {"oneOf": [{"type": "object", "properties": {"a": S}}, I]},
     "wrapped-in-variants", ("error", "error"), "variant-removed", ("error", "info")),
    ({"allOf": [{"type": "object"}]}, {"allOf": [{"type": "object"}, {"minProperties": 1}]}, "all-of-added",
     ("error", "info"), "all-of-removed", ("warning", "error")),
    ({"prefixItems": [S]}, {"prefixItems": [S, I]}, "prefix-items-added", ("error", "info"),
     "prefix-items-removed", ("info", "error")),
    ({"if": {"minLength": 1}, "then": S}, {"if": {"minLength": 2}, "then": S}, "if-changed",
     ("warning", "warning"), "if-changed", ("warning", "warning")),
    ({"type": "object"}, {"type": "object", "discriminator": {"propertyName": "kind"}}, "discriminator-added",
     ("info", "info"), "discriminator-removed", ("info", "info")),
    ({"type": "object", "discriminator": {"propertyName": "kind"}},
     {"type": "object", "discriminator": {"propertyName": "type"}}, "discriminator-property-name-changed",
     ("info", "info"), "discriminator-property-name-changed", ("info", "info")),
    ({"type": "object", "discriminator": {"propertyName": "kind", "mapping": {"a": "#/components/schemas/Pet"}}},
     {"type": "object", "discriminator": {"propertyName": "kind", "mapping": {"b": "#/components/schemas/Pet"}}},
     "discriminator-mapping-changed", ("info", "info"), "discriminator-mapping-changed", ("info", "info")),
] + [
    ({"type": "object"} if keyword not in ("contains", "unevaluatedItems", "prefixItems") else {"type": "array"},
     {**({"type": "object"} if keyword not in ("contains", "unevaluatedItems") else {"type": "array"}),
      keyword: ({"^x": S} if keyword in ("patternProperties", "dependentSchemas") else
                False if keyword in ("additionalProperties", "unevaluatedProperties", "unevaluatedItems") else S)},
     f"{part}-added", ("error", "info"), f"{part}-removed", ("info", "error"))
    for keyword, part in {"additionalProperties": "additional-properties", "not": "not", "contains": "contains",
                          "propertyNames": "property-names", "if": "if", "then": "then", "else": "else",
                          "unevaluatedItems": "unevaluated-items", "unevaluatedProperties": "unevaluated-properties",
                          "contentSchema": "content-schema", "patternProperties": "pattern-properties",
                          "dependentSchemas": "dependent-schemas"}.items()
]


@pytest.mark.parametrize("old, new, forward, forward_levels, backward, backward_levels", SCHEMA_CASES,
                         ids=[f"{c[2]}/{c[4]}" for c in SCHEMA_CASES])
def test_schema_rule_in_every_place_both_ways(tmp_path, old, new, forward, forward_levels, backward,
                                              backward_levels):
    old_spec, new_spec = spec_with(old), spec_with(new)
    for (suffix, levels), (before, after) in (((forward, forward_levels), (old_spec, new_spec)),
                                              ((backward, backward_levels), (new_spec, old_spec))):
        result = found(tmp_path, before, after)
        for prefix in SCHEMA_PREFIXES:
            level = levels[0] if prefix in REQUEST_SIDE else levels[1]
            if level is None or (prefix in ("parameter", "response-header") and "propert" in suffix):
                continue  # object properties in a parameter or header: compared, but not asserted here
            assert (f"{prefix}-{suffix}", level) in result, (prefix, suffix, sorted(result))


NESTED = [
    ("additionalProperties", {"type": "object", "additionalProperties": {"type": "string", "maxLength": 9}},
     {"type": "object", "additionalProperties": {"type": "string", "maxLength": 3}}),
    ("items of items", {"type": "array", "items": {"type": "array", "items": {"type": "string", "maxLength": 9}}},
     {"type": "array", "items": {"type": "array", "items": {"type": "string", "maxLength": 3}}}),
    ("contains", {"type": "array", "contains": {"type": "string", "maxLength": 9}},
     {"type": "array", "contains": {"type": "string", "maxLength": 3}}),
    ("then", {"if": {"type": "string"}, "then": {"maxLength": 9}}, {"if": {"type": "string"}, "then": {"maxLength": 3}}),
    ("inline oneOf variant", {"oneOf": [{"type": "string", "maxLength": 9}, {"type": "integer"}]},
     {"oneOf": [{"type": "integer"}, {"type": "string", "maxLength": 3}]}),
]


@pytest.mark.parametrize("name, old, new", NESTED, ids=[n[0] for n in NESTED])
def test_changes_nested_in_sub_schemas_are_found_as_themselves(tmp_path, name, old, new):
    result = found(tmp_path, spec_with(old), spec_with(new))
    assert ("request-constraint-tightened", "error") in result
    assert ("response-constraint-tightened", "info") in result
    assert not {r for r in result if "variant" in r[0]}, result  # a changed variant is not "removed + added"


def test_a_changed_variant_is_found_beside_an_added_one(tmp_path):
    old = {"oneOf": [{"type": "object", "properties": {"a": {"type": "string", "maxLength": 9}}}, {"type": "integer"}]}
    new = {"oneOf": [{"type": "boolean"}, {"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}}},
                     {"type": "integer"}]}
    result = found(tmp_path, spec_with(old), spec_with(new))
    assert {r for r in result if r[0].startswith("request-")} == {("request-constraint-tightened", "error"),
                                                                   ("request-variant-added", "info")}


def test_a_change_inside_not_counts_the_other_way(tmp_path):
    result = found(tmp_path, spec_with({"not": {"type": "string", "maxLength": 3}}),
                   spec_with({"not": {"type": "string", "maxLength": 9}}))
    # what `not` excludes widened, so fewer values are valid: narrowing what a client sends breaks it
    assert ("request-constraint-loosened", "error") in result
    assert ("response-constraint-loosened", "info") in result


def test_read_only_and_write_only_properties_reach_no_client(tmp_path):
    def body(required, extra):
        spec = copy.deepcopy(BASE)
        schemas = spec["components"]["schemas"]
        schemas["PetUpdate"]["properties"]["id"] = {"type": "string", "readOnly": True}
        schemas["PetUpdate"]["required"] = required
        schemas["Pet"]["properties"].update(extra)
        return spec

    result = found(tmp_path, body([], {"secret": {"type": "string", "writeOnly": True}}), body(["id"], {}))
    assert ("request-property-became-required", "info") in result
    assert ("response-property-removed", "info") in result
    assert not [r for r in result if r[1] != "info"], result


def test_a_changed_component_reached_from_many_operations_is_reported_at_each(tmp_path):
    old = copy.deepcopy(BASE)
    old["paths"]["/pets"] = {"get": {"operationId": "list", "responses": {"200": {"description": "ok", "content": {
        "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}}}}}
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Pet"]["properties"]["id"]["maxLength"] = 3
    changes = [c for c in run(tmp_path, old, new) if c.rule == "response-constraint-added"]
    assert sorted(c.operation for c in changes) == ["GET /pets", "GET /pets/{petId}"]


# -- response headers ------------------------------------------------------------------------------


def with_header(**header):
    spec = copy.deepcopy(BASE)
    get_op(spec)["responses"]["200"]["headers"] = {"X-Rate": {"schema": {"type": "integer"}, **header}}
    return spec


def test_response_header_rules_both_ways(tmp_path):
    assert ("response-header-removed", "error") in found(tmp_path, with_header(required=True), BASE)
    assert ("response-header-added", "info") in found(tmp_path, BASE, with_header(required=True))
    assert ("response-header-removed", "warning") in found(tmp_path, with_header(), BASE)
    assert ("response-header-became-optional", "error") in found(tmp_path, with_header(required=True), with_header())
    assert ("response-header-became-required", "info") in found(tmp_path, with_header(), with_header(required=True))
    renamed_case = copy.deepcopy(with_header())
    get_op(renamed_case)["responses"]["200"]["headers"] = {"x-rate": get_op(renamed_case)["responses"]["200"][
        "headers"].pop("X-Rate")}
    assert found(tmp_path, with_header(), renamed_case) == set()


# -- deprecation, sunset and stability -----------------------------------------------------------------


def operation_with(**fields):
    spec = copy.deepcopy(BASE)
    put_op(spec).update(fields)
    return spec


def without_put():
    spec = copy.deepcopy(BASE)
    spec["paths"]["/pets/{petId}"].pop("put")
    return spec


def parameter_with(**fields):
    spec = copy.deepcopy(BASE)
    get_op(spec)["parameters"][0].update(fields)
    return spec


def without_parameter():
    spec = copy.deepcopy(BASE)
    get_op(spec)["parameters"].pop(0)
    return spec


def property_with(schema: str, name: str):
    def build(**fields):
        spec = copy.deepcopy(BASE)
        spec["components"]["schemas"][schema]["properties"][name].update(fields)
        return spec
    return build


def without_property(schema: str, name: str):
    def build():
        spec = copy.deepcopy(BASE)
        spec["components"]["schemas"][schema]["properties"].pop(name)
        return spec
    return build


POLICY = Policy(today=TODAY, deprecation_days=30)
LIFECYCLE = [
    # (kind, build(**fields), build without the element)
    ("operation", operation_with, without_put),
    ("parameter", parameter_with, without_parameter),
    ("request-property", property_with("PetUpdate", "name"), without_property("PetUpdate", "name")),
    ("response-property", property_with("Pet", "owner"), without_property("Pet", "owner")),
]


@pytest.mark.parametrize("kind, build, removed", LIFECYCLE, ids=[k[0] for k in LIFECYCLE])
def test_removal_follows_the_sunset(tmp_path, kind, build, removed):
    assert (f"{kind}-removed-before-sunset", "error") in found(
        tmp_path, build(deprecated=True, **{"x-sunset": "2026-12-31"}), removed())
    assert (f"{kind}-removed-after-deprecation", "info") in found(
        tmp_path, build(deprecated=True, **{"x-sunset": "2026-01-31"}), removed())
    assert (f"{kind}-removed-after-deprecation", "info") in found(tmp_path, build(deprecated=True), removed())
    assert (f"{kind}-sunset-invalid", "error") in found(tmp_path, build(deprecated=True, **{"x-sunset": "soon"}),
                                                        removed())
    assert {rule for rule, _ in found(tmp_path, BASE, removed())} & {f"{kind}-removed"}  # not deprecated


@pytest.mark.parametrize("kind, build, removed", LIFECYCLE, ids=[k[0] for k in LIFECYCLE])
def test_deprecation_follows_the_policy(tmp_path, kind, build, removed):
    assert (f"{kind}-deprecated", "info") in found(tmp_path, BASE, build(deprecated=True))
    assert (f"{kind}-reactivated", "info") in found(tmp_path, build(deprecated=True), BASE)
    assert (f"{kind}-deprecated-without-sunset", "error") in found(tmp_path, BASE, build(deprecated=True), POLICY)
    assert (f"{kind}-sunset-too-soon", "error") in found(
        tmp_path, BASE, build(deprecated=True, **{"x-sunset": "2026-06-10"}), POLICY)
    assert (f"{kind}-deprecated", "info") in found(
        tmp_path, BASE, build(deprecated=True, **{"x-sunset": "2026-12-31"}), POLICY)
    assert (f"{kind}-sunset-removed", "error") in found(
        tmp_path, build(deprecated=True, **{"x-sunset": "2026-12-31"}), build(deprecated=True))
    later, earlier = build(deprecated=True, **{"x-sunset": "2026-12-31"}), build(deprecated=True, **{"x-sunset": "2026-09-01"})
    assert (f"{kind}-sunset-moved-earlier", "error") in found(tmp_path, later, earlier)
    assert not [r for r in found(tmp_path, earlier, later) if r[1] == "error"]


def test_stability_levels(tmp_path):
    beta, stable = operation_with(**{"x-stability-level": "beta"}), operation_with(**{"x-stability-level": "stable"})
    assert ("operation-stability-decreased", "error") in found(tmp_path, stable, beta)
    assert ("operation-stability-increased", "info") in found(tmp_path, beta, stable)
    assert ("operation-stability-invalid", "error") in found(tmp_path, BASE, operation_with(**{
        "x-stability-level": "banana"}))
    draft = operation_with(**{"x-stability-level": "draft"})
    assert found(tmp_path, draft, without_put()) == set()  # draft operations are not checked
    draft_changed = copy.deepcopy(draft)
    put_op(draft_changed)["requestBody"]["required"] = False
    put_op(draft_changed)["responses"] = {"200": {"description": "other"}}
    assert found(tmp_path, draft, draft_changed) == set()


# -- webhooks and callbacks -------------------------------------------------------------------------------


def with_webhook(schema):
    spec = copy.deepcopy(BASE)
    spec["webhooks"] = {"petAdopted": {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}},
                                                "responses": {"200": {"description": "ok"}}}}}
    return spec


def with_callback(schema):
    spec = copy.deepcopy(BASE)
    put_op(spec)["callbacks"] = {"onDone": {"{$request.body#/url}": {"post": {
        "requestBody": {"content": {"application/json": {"schema": schema}}},
        "responses": {"200": {"description": "ok"}}}}}}
    return spec


@pytest.mark.parametrize("build, where", [(with_webhook, "webhook petAdopted POST"),
                                          (with_callback, "PUT /pets/{petId} onDone callback {$request.body#/url} POST")])
def test_webhooks_and_callbacks_are_compared_with_the_roles_swapped(tmp_path, build, where):
    narrow, wide = build({"type": "string", "maxLength": 3}), build({"type": "string", "maxLength": 9})
    # the API sends the request: widening what it sends breaks the receiving client
    assert {(c.operation, c.rule, c.level) for c in run(tmp_path, narrow, wide)} == {
        (where, "request-constraint-loosened", "error")}
    assert {(c.rule, c.level) for c in run(tmp_path, wide, narrow)} == {("request-constraint-tightened", "info")}
    assert (where, "operation-removed", "error") in {(c.operation, c.rule, c.level) for c in run(tmp_path, wide, BASE)}


# -- every rule is tested -----------------------------------------------------------------------------------

def test_request_body_media_type_and_scheme_existence(tmp_path):
    no_body = copy.deepcopy(BASE)
    put_op(no_body).pop("requestBody")
    optional = copy.deepcopy(BASE)
    put_op(optional)["requestBody"]["required"] = False
    assert ("request-body-removed", "error") in found(tmp_path, BASE, no_body)
    assert ("request-body-added-required", "error") in found(tmp_path, no_body, BASE)
    assert ("request-body-added", "info") in found(tmp_path, no_body, optional)
    form = copy.deepcopy(BASE)
    put_op(form)["requestBody"]["content"]["application/x-www-form-urlencoded"] = {"schema": {"type": "object"}}
    assert ("request-media-type-added", "info") in found(tmp_path, BASE, form)
    assert ("request-media-type-removed", "error") in found(tmp_path, form, BASE)
    two = copy.deepcopy(BASE)
    two["components"]["securitySchemes"]["other"] = {"type": "http", "scheme": "bearer"}
    assert ("security-scheme-added", "info") in found(tmp_path, BASE, two)
    assert ("security-scheme-removed", "info") in found(tmp_path, two, BASE)
    added = copy.deepcopy(BASE)
    added["paths"]["/owners"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    assert ("operation-added", "info") in found(tmp_path, BASE, added)


OTHER_TESTED = {
    "request-body-added-required", "request-body-added", "request-body-removed", "request-media-type-removed",
    "request-media-type-added", "security-scheme-removed", "security-scheme-added", "operation-added",
}


def test_every_registered_rule_has_a_case():
    tested = {c[i][0] for c in CASES for i in (2, 3) if c[i]} | OTHER_TESTED
    tested |= {f"{p}-{c[i]}" for c in SCHEMA_CASES for i in (2, 4) for p in SCHEMA_PREFIXES}
    tested |= {f"response-header-{x}" for x in ("removed", "added", "became-optional", "became-required")}
    tested |= {f"{k}-{x}" for k, _, _ in LIFECYCLE for x in (
        "removed-before-sunset", "removed-after-deprecation", "sunset-invalid", "deprecated", "reactivated",
        "deprecated-without-sunset", "sunset-too-soon", "sunset-removed", "sunset-moved-earlier")}
    tested |= {f"operation-stability-{x}" for x in ("decreased", "increased", "invalid")}
    tested |= SDK_TESTED
    assert sorted(set(RULES) - tested) == []


def test_the_readme_rule_table_is_the_registry():
    """The README's diff rule table lists every registered id, and nothing else (the table as written)."""
    from conftest import ROOT
    from generator.diff.registry import rule_table

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("| family | rule id | levels | meaning |")
    table = text[start:text.index("\n\n", start)] + "\n"
    assert table == rule_table()
    listed = set()
    for row in table.splitlines()[2:]:
        rule_id = row.split("|")[2].strip().strip("`")
        if rule_id.startswith("{parameter,request,response,response-header}-"):
            suffix = rule_id.split("}-", 1)[1]
            listed |= {f"{prefix}-{suffix}" for prefix in SCHEMA_PREFIXES}
        else:
            listed.add(rule_id)
    assert listed == set(RULES)


def test_the_policy_options_on_the_command_line(run_cli, tmp_path):
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(BASE))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(operation_with(deprecated=True, **{"x-sunset": "2026-06-20"})))
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    strict = run_cli("diff", old, new, "--deprecation-days", "30", "--date", "2026-06-01", "--format", "json")
    assert [(r["id"], r["level"]) for r in json.loads(strict.out)] == [("operation-sunset-too-soon", "error")]
    relaxed = run_cli("diff", old, new, "--date", "2026-06-01", "--format", "json")
    assert [(r["id"], r["level"]) for r in json.loads(relaxed.out)] == [("operation-deprecated", "info")]
    bad = run_cli("diff", old, new, "--date", "tomorrow")
    assert bad.code == 2 and bad.lines == ["--date:1:1: read-error: 'tomorrow' is not a YYYY-MM-DD date"]
