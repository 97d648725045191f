"""Each lint rule: one spec that breaks it (rule id and location), one that does not."""

from __future__ import annotations

import copy

import pytest

from conftest import TESTS, minimal_spec, operation

GOOD = TESTS / "good_specs"


def rules_of(result) -> list[str]:
    return [line.split(": ")[1] for line in result.lines[:-1]]


def test_a_clean_spec_passes_every_rule(run_cli, write_spec):
    path = write_spec(minimal_spec(**{"/pets": {"get": operation()}}))
    result = run_cli("validate", "--curated", path)
    assert result.code == 0, result.out
    assert result.lines == ["1 spec valid: 0 errors, 0 warnings"]


def test_recursive_schema_is_accepted(run_cli):
    result = run_cli("validate", "--curated", GOOD / "recursive.yaml")
    assert result.code == 0, result.out


def test_relative_file_refs_resolve_and_examples_are_checked_through_them(run_cli, tmp_path):
    for source in (GOOD / "multi-file").iterdir():
        (tmp_path / source.name).write_text(source.read_text())
    assert run_cli("validate", tmp_path / "api.yaml").code == 0
    spec = tmp_path / "api.yaml"
    spec.write_text(spec.read_text().replace("name: Rex", "name: 12"))
    result = run_cli("validate", spec)
    assert result.code == 1
    assert rules_of(result) == ["example-valid"]
    assert "/name does not match the schema" in result.out


def test_missing_relative_file_is_a_dangling_ref(run_cli, tmp_path):
    (tmp_path / "api.yaml").write_text((GOOD / "multi-file" / "api.yaml").read_text())
    result = run_cli("validate", tmp_path / "api.yaml")
    assert result.code == 1
    assert "ref-resolves" in rules_of(result)
    assert "does not exist" in result.out


@pytest.mark.parametrize(
    "change, rule, pointer_line",
    [
        (lambda op: op.pop("operationId"), "operation-id", "    get:"),
        (lambda op: op.update(operationId="listPets"), "operation-id-snake-case", "      operationId: listPets"),
        (lambda op: op.pop("tags"), "operation-tags", "    get:"),
        (lambda op: op.pop("summary"), "operation-summary", "    get:"),
        (lambda op: op.pop("x-seed"), "x-seed", "    get:"),
        (lambda op: op.update({"x-seed": "somewhere"}), "x-seed", "      x-seed: somewhere"),
    ],
    ids=["missing-id", "camel-id", "no-tag", "no-summary", "no-seed", "bad-seed"],
)
def test_convention_rules(run_cli, write_spec, change, rule, pointer_line):
    op = operation()
    change(op)
    path = write_spec(minimal_spec(**{"/pets": {"get": op}}))
    result = run_cli("validate", "--curated", path)
    assert result.code == 1
    assert rules_of(result) == [rule]
    line = int(result.lines[0].split(":")[1])
    assert path.read_text().splitlines()[line - 1] == pointer_line


def test_convention_rules_apply_only_to_curated_specs(run_cli, write_spec):
    op = operation(operationId="listPets")
    del op["x-seed"], op["tags"]
    path = write_spec(minimal_spec(**{"/pets": {"get": op}}))
    assert run_cli("validate", path).code == 0
    assert run_cli("validate", "--curated", path).code == 1


def test_a_folder_with_a_curation_log_is_curated(run_cli, write_spec, tmp_path):
    op = operation()
    del op["x-seed"]
    path = write_spec(minimal_spec(**{"/pets": {"get": op}}))
    assert run_cli("validate", path).code == 0
    (tmp_path / "CURATION.md").write_text("# log\n")
    assert rules_of(run_cli("validate", path)) == ["x-seed"]


PROSE_CASES = {
    "operation description": ("/paths/~1pets/get/description", "The seed says so."),
    "operation summary": ("/paths/~1pets/get/summary", "Pets (see CURATION.md)"),
    "tag description": ("/tags/0/description", "Pets, as in the curation log"),
    "example summary": ("/paths/~1pets/get/responses/200/content/application~1json/examples/one/summary", "Example (L12)"),
    "property description": ("/components/schemas/Pet/properties/name/description", "A name (seed L3-L9)"),
    "info title": ("/info/title", "Seeds of the API"),
    "default response": ("/paths/~1pets/get/responses/default/description", "Not in the seed"),
}


def _prose_spec() -> dict:
    op = operation(responses={"200": {"description": "OK", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Pet"},
        "examples": {"one": {"summary": "One pet", "value": {"name": "seed L1, as data"}}}}}},
        "default": {"description": "Unexpected error"}})
    spec = minimal_spec(**{"/pets": {"get": op}})
    spec["tags"] = [{"name": "pets", "description": "Pets", "x-curation": "the seed gives none (L40)"}]
    spec["components"] = {"schemas": {"Pet": {"type": "object", "properties": {
        "name": {"type": "string", "description": "A name", "example": "seed", "x-seed": "s.txt#L3"},
        "description": {"type": "string", "description": "The pet's description", "default": "CURATION.md"}}}}}
    return spec


@pytest.mark.parametrize("case", PROSE_CASES)
def test_provenance_stays_out_of_user_facing_prose(run_cli, write_spec, case):
    """Descriptions, summaries and titles fail; x- extensions, examples, defaults and property names do not."""
    clean = _prose_spec()
    assert run_cli("validate", "--curated", write_spec(clean)).code == 0
    pointer, text = PROSE_CASES[case]
    node = clean
    *parents, last = [part.replace("~1", "/") for part in pointer.split("/")[1:]]
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[last] = text
    path = write_spec(clean)
    result = run_cli("validate", "--curated", path)
    assert result.code == 1
    assert rules_of(result) == ["provenance-prose"]
    line = int(result.lines[0].split(":")[1])
    assert path.read_text().splitlines()[line - 1].strip().startswith(f"{last}:")
    assert run_cli("validate", path).code == 0  # a convention: only for curated specs


def test_path_parameters_must_match_the_template(run_cli, write_spec):
    declared_elsewhere = operation(parameters=[
        {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}},
    ])
    path = write_spec(minimal_spec(**{"/pets/{id}": {"get": declared_elsewhere}}))
    result = run_cli("validate", path)
    assert result.code == 1
    messages = [line for line in result.lines if ": path-params: " in line]
    assert len(messages) == 2
    assert any("{id} is not declared" in m for m in messages)
    assert any("'petId' is not in the path" in m for m in messages)


def test_path_level_parameters_count_as_declared(run_cli, write_spec):
    item = {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "get": operation(),
    }
    path = write_spec(minimal_spec(**{"/pets/{id}": item}))
    assert run_cli("validate", path).code == 0


def test_security_requirements_name_declared_schemes(run_cli, write_spec):
    spec = minimal_spec(**{"/pets": {"get": operation(security=[{"api_key": []}])}})
    path = write_spec(spec)
    result = run_cli("validate", path)
    assert rules_of(result) == ["security-defined"]
    spec["components"] = {"securitySchemes": {"api_key": {"type": "apiKey", "in": "header", "name": "api_key"}}}
    assert run_cli("validate", write_spec(spec)).code == 0


def test_unused_schema_is_a_warning_and_fails_only_with_strict(run_cli, write_spec):
    spec = minimal_spec(**{"/pets": {"get": operation()}})
    spec["components"] = {"schemas": {"Used": {"type": "string"}, "Unused": {"type": "string"},
                                      "OnlyUsedByUnused": {"type": "string"}}}
    spec["components"]["schemas"]["Unused"] = {"type": "array", "items": {"$ref": "#/components/schemas/OnlyUsedByUnused"}}
    spec["paths"]["/pets"]["get"]["responses"]["200"]["content"] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/Used"}}
    }
    path = write_spec(spec)
    result = run_cli("validate", path)
    assert result.code == 0
    assert sorted(line.split("'")[1] for line in result.lines[:-1]) == ["OnlyUsedByUnused", "Unused"]
    assert all(": unused-schema: warning: " in line for line in result.lines[:-1])
    assert run_cli("validate", "--strict", path).code == 1


@pytest.mark.parametrize(
    "where",
    ["parameter", "media-example", "media-examples-map", "component-example", "schema-example", "header"],
)
def test_every_kind_of_example_is_validated(run_cli, write_spec, where):
    good = minimal_spec(**{"/pets": {"get": operation()}})
    good["components"] = {
        "schemas": {"Age": {"type": "integer", "example": 3}},
        "examples": {"Three": {"value": 3}},
    }
    op = good["paths"]["/pets"]["get"]
    op["parameters"] = [{"name": "age", "in": "query", "schema": {"$ref": "#/components/schemas/Age"}, "example": 3}]
    op["responses"]["200"]["headers"] = {"X-Age": {"schema": {"type": "integer"}, "example": 3}}
    op["responses"]["200"]["content"] = {"application/json": {
        "schema": {"$ref": "#/components/schemas/Age"},
        "example": 3,
        "examples": {"three": {"value": 3}, "shared": {"$ref": "#/components/examples/Three"}},
    }}
    assert run_cli("validate", write_spec(good)).code == 0
    bad = copy.deepcopy(good)
    media = bad["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]
    {
        "parameter": lambda: bad["paths"]["/pets"]["get"]["parameters"][0].update(example="old"),
        "media-example": lambda: media.update(example="old"),
        "media-examples-map": lambda: media["examples"]["three"].update(value="old"),
        "component-example": lambda: bad["components"]["examples"]["Three"].update(value="old"),
        "schema-example": lambda: bad["components"]["schemas"]["Age"].update(example="old"),
        "header": lambda: bad["paths"]["/pets"]["get"]["responses"]["200"]["headers"]["X-Age"].update(example="x"),
    }[where]()
    result = run_cli("validate", write_spec(bad))
    assert result.code == 1
    assert rules_of(result) == ["example-valid"]


def test_example_formats_are_checked(run_cli, write_spec):
    spec = minimal_spec(**{"/pets": {"get": operation()}})
    spec["components"] = {"schemas": {"When": {"type": "string", "format": "date-time", "example": "yesterday"}}}
    spec["paths"]["/pets"]["get"]["responses"]["200"]["content"] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/When"}}}
    result = run_cli("validate", write_spec(spec))
    assert rules_of(result) == ["example-valid"]
    assert "date-time" in result.out


def test_openapi_spec_validator_errors_are_located(run_cli, write_spec):
    path = write_spec("""\
        openapi: 3.1.0
        info:
          title: t
          version: "1"
        paths:
          /pets:
            get:
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [name, name]
        """)
    result = run_cli("validate", path)
    assert result.code == 1
    assert rules_of(result) == ["oas-schema"]
    assert result.lines[0].startswith(f"{path}:15:")
    assert "non-unique" in result.out
