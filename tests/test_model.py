"""The resolved spec model: merging, precedence, defaults and references, read as the OpenAPI text says."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from generator.ir import build_api
from generator.load import load_document
from generator.model import ModelError, SpecModel, choose_media_type, lookup_response


def model_of(tmp_path: Path, spec: dict | str, name: str = "api.yaml") -> SpecModel:
    path = tmp_path / name
    path.write_text(textwrap.dedent(spec) if isinstance(spec, str) else yaml.safe_dump(spec, sort_keys=False))
    return SpecModel(load_document(path))


def spec_with(paths: dict, schemas: dict | None = None, version: str = "3.1.0") -> dict:
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths,
            "components": {"schemas": schemas or {}}}


OK = {"200": {"description": "ok"}}


def test_operation_parameters_override_path_item_parameters_by_name_and_location(tmp_path):
    spec = spec_with({"/pets/{id}": {
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer"}, "description": "shared"},
            {"name": "limit", "in": "header", "schema": {"type": "integer"}},
        ],
        "get": {"parameters": [{"name": "limit", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": OK},
        "delete": {"responses": OK},
    }})
    get, delete = model_of(tmp_path, spec).operations
    by_key = {(p.name, p.location): p for p in get.parameters}
    assert set(by_key) == {("id", "path"), ("limit", "query"), ("limit", "header")}
    assert by_key[("limit", "query")].required and by_key[("limit", "query")].schema.get("type") == "string"
    assert by_key[("limit", "query")].pointer == "/paths/~1pets~1{id}/get/parameters/0"
    assert {p.description for p in delete.parameters if p.location == "query"} == {"shared"}


def test_header_parameter_names_ignore_case_and_the_three_reserved_headers_are_ignored(tmp_path):
    spec = spec_with({"/a": {
        "parameters": [{"name": "X-Trace", "in": "header", "schema": {"type": "string"}}],
        "get": {"parameters": [
            {"name": "x-trace", "in": "header", "required": True, "schema": {"type": "string"}},
            {"name": "Accept", "in": "header", "schema": {"type": "string"}},
            {"name": "content-type", "in": "header", "schema": {"type": "string"}},
            {"name": "Authorization", "in": "header", "schema": {"type": "string"}},
        ], "responses": OK}}})
    (op,) = model_of(tmp_path, spec).operations
    assert [(p.name, p.required) for p in op.parameters] == [("x-trace", True)]


@pytest.mark.parametrize("location, style, explode", [
    ("query", "form", True), ("cookie", "form", True), ("path", "simple", False), ("header", "simple", False)])
def test_style_and_explode_defaults_by_location(tmp_path, location, style, explode):
    spec = spec_with({"/a/{p}": {"get": {"parameters": [
        {"name": "p", "in": location, "required": True, "schema": {"type": "array", "items": {"type": "string"}}},
    ], "responses": OK}}})
    (op,) = model_of(tmp_path, spec).operations
    (parameter,) = op.parameters
    assert (parameter.style, parameter.explode) == (style, explode)


def test_explode_defaults_to_false_for_every_style_but_form(tmp_path):
    spec = spec_with({"/a": {"get": {"parameters": [
        {"name": "f", "in": "query", "style": "deepObject", "schema": {"type": "object"}},
        {"name": "s", "in": "query", "style": "spaceDelimited", "schema": {"type": "array"}},
        {"name": "g", "in": "query", "style": "form", "explode": False, "schema": {"type": "array"}},
    ], "responses": OK}}})
    (op,) = model_of(tmp_path, spec).operations
    assert [(p.style, p.explode) for p in op.parameters] == [
        ("deepObject", False), ("spaceDelimited", False), ("form", False)]


def test_status_lookup_prefers_the_exact_code_then_its_range_then_default(tmp_path):
    spec = spec_with({"/a": {"get": {"responses": {
        "default": {"description": "other"}, "4XX": {"description": "client"}, "404": {"description": "missing"},
        "2xx": {"description": "fine"}, "200": {"description": "ok"}}}}})
    (op,) = model_of(tmp_path, spec).operations
    assert {code: op.response_for(code).description for code in (200, 204, 404, 400, 500)} == {
        200: "ok", 204: "fine", 404: "missing", 400: "client", 500: "other"}
    assert lookup_response({k: v for k, v in op.responses.items() if k != "default"}, 500) is None


def test_media_type_choice_prefers_json_then_forms_then_files_then_text(tmp_path):
    content = {"text/plain": {}, "application/octet-stream": {}, "application/x-www-form-urlencoded": {},
               "multipart/form-data": {}, "application/problem+json": {}}
    spec = spec_with({"/a": {"post": {"requestBody": {"content": content}, "responses": OK}}})
    (op,) = model_of(tmp_path, spec).operations
    body = op.request_body
    assert body.preferred.name == "application/problem+json"
    order = []
    remaining = dict(body.content)
    while remaining:
        chosen = choose_media_type(remaining)
        order.append(chosen.name)
        del remaining[chosen.name]
    assert order == ["application/problem+json", "multipart/form-data", "application/x-www-form-urlencoded",
                     "application/octet-stream", "text/plain"]


def test_any_media_type_counts_as_json_only_when_written_first(tmp_path):
    spec = spec_with({"/a": {"get": {"responses": {
        "200": {"description": "ok", "content": {"*/*": {}, "text/plain": {}}},
        "201": {"description": "ok", "content": {"text/plain": {}, "*/*": {}}}}}}})
    (op,) = model_of(tmp_path, spec).operations
    assert op.responses["200"].preferred.name == "*/*"
    assert op.responses["201"].preferred.name == "*/*"  # as bytes, ahead of text
    assert op.responses["201"].preferred.kind == "binary" and op.responses["200"].preferred.kind == "json"


def test_all_of_merges_nested_references_and_required_from_every_member(tmp_path):
    schemas = {
        "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
        "Named": {"allOf": [{"$ref": "#/components/schemas/Base"},
                            {"properties": {"name": {"type": "string"}, "tag": {"type": "string"}}}]},
        "Pet": {"allOf": [{"$ref": "#/components/schemas/Named"}],
                "required": ["tag"], "properties": {"kind": {"type": "string"}}},
    }
    pet = model_of(tmp_path, spec_with({}, schemas)).schemas["Pet"]
    assert set(pet.properties) == {"id", "name", "tag", "kind"}
    assert pet.required == {"id", "tag"}
    assert pet.properties["id"].pointer == "/components/schemas/Base/properties/id"


def test_nullable_is_normalised_in_3_0_and_3_1(tmp_path):
    v30 = model_of(tmp_path, spec_with({}, {"A": {"type": "string", "nullable": True}, "B": {"type": "string"}},
                                       "3.0.3"), "v30.yaml")
    v31 = model_of(tmp_path, spec_with({}, {"A": {"type": ["string", "null"]}, "B": {"type": "string"},
                                            "C": {"enum": ["x", None]}}), "v31.yaml")
    assert v30.schemas["A"].types == v31.schemas["A"].types == {"string", "null"}
    assert v30.schemas["A"].nullable and v31.schemas["A"].nullable and v31.schemas["C"].nullable
    assert not v30.schemas["B"].nullable and not v31.schemas["B"].nullable


def test_recursive_schemas_are_followed_lazily_and_merging_terminates(tmp_path):
    schemas = {
        "Node": {"type": "object", "properties": {"children": {"type": "array",
                                                               "items": {"$ref": "#/components/schemas/Node"}}}},
        "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop2"}], "properties": {"a": {"type": "string"}}},
        "Loop2": {"allOf": [{"$ref": "#/components/schemas/Loop"}], "properties": {"b": {"type": "string"}}},
    }
    model = model_of(tmp_path, spec_with({}, schemas))
    node = model.schemas["Node"]
    child = node.properties["children"].items
    assert child.name == "Node" and child.properties["children"].items.identity() == node.identity()
    assert set(model.schemas["Loop"].properties) == {"a", "b"}


def test_boolean_schemas_are_schemas(tmp_path):
    model = model_of(tmp_path, spec_with({}, {"Never": False, "Anything": True}))
    assert model.schemas["Never"].is_false and not model.schemas["Anything"].is_false
    assert model.schemas["Anything"].types == {"any"}


def test_references_inside_another_file_resolve_against_that_file(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "common.yaml").write_text(yaml.safe_dump({
        "Limit": {"name": "limit", "in": "query", "schema": {"$ref": "#/LimitValue"}},
        "LimitValue": {"type": "integer", "maximum": 50},
        "Page": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/Item"}}}},
        "Item": {"type": "object", "properties": {"id": {"type": "string"}}},
    }))
    spec = spec_with({"/items": {"get": {
        "operationId": "list_items",
        "parameters": [{"$ref": "shared/common.yaml#/Limit"}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "shared/common.yaml#/Page"}}}}}}}})
    (op,) = model_of(tmp_path, spec).operations
    (limit,) = op.parameters
    assert limit.document.path.name == "common.yaml" and limit.schema.get("maximum") == 50
    page = op.responses["200"].preferred.schema
    assert page.properties["items"].items.name == "Item"
    assert page.properties["items"].items.document.path.name == "common.yaml"
    # The IR reads the same model: the parameter's constraints come from the other file.
    api = build_api(load_document(tmp_path / "api.yaml"))
    (parameter,) = api.operations[0].parameters
    assert parameter.annotation == "int" and parameter.constraints == {"le": 50}


def test_a_broken_reference_is_reported_where_it_is_written(tmp_path):
    spec = spec_with({"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/Nope"}],
                                     "responses": OK}}})
    (op,) = model_of(tmp_path, spec).operations
    with pytest.raises(ModelError) as error:
        op.parameters
    assert error.value.pointer == "/paths/~1a/get/parameters/0" and "does not resolve" in str(error.value)


def test_effective_security_and_server_base_paths(tmp_path):
    spec = spec_with({"/a": {"get": {"responses": OK}, "post": {"security": [], "responses": OK}}})
    spec["security"] = [{"key": []}]
    spec["servers"] = [{"url": "https://{host}/self-service/v1/", "variables": {"host": {"default": "x.io"}}},
                       {"url": "/"}]
    model = model_of(tmp_path, spec)
    get, post = model.operations
    assert get.security == [{"key": []}] and post.security == []
    assert [(s.resolved_url, s.base_path) for s in model.servers] == [
        ("https://x.io/self-service/v1/", "/self-service/v1"), ("/", "")]


def test_webhooks_and_callbacks_are_operations_too(tmp_path):
    spec = spec_with({"/subscribe": {"post": {"responses": OK, "callbacks": {"onEvent": {
        "{$request.body#/url}": {"post": {"responses": OK}}}}}}})
    spec["webhooks"] = {"newPet": {"post": {"operationId": "new_pet", "responses": OK}}}
    model = model_of(tmp_path, spec)
    assert [(op.section, op.path, op.operation_id) for op in model.webhooks] == [("webhooks", "newPet", "new_pet")]
    (callback,) = model.operations[0].callbacks["onEvent"]
    assert (callback.section, callback.path, callback.method) == ("callbacks", "{$request.body#/url}", "post")


@pytest.mark.parametrize("items_type", ["array", ["array", "null"]])
def test_a_page_whose_items_array_may_be_null_still_pages(tmp_path, items_type):
    spec = spec_with({"/things": {"get": {
        "operationId": "list_things",
        "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer"}},
                       {"name": "size", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"content": {"type": items_type, "items": {"type": "string"}}}}}}}}}}})
    (tmp_path / "api.yaml").write_text(yaml.safe_dump(spec))
    (op,) = build_api(load_document(tmp_path / "api.yaml")).operations
    assert op.pagination is not None and (op.pagination.page, op.pagination.size, op.pagination.items) == (
        "page", "size", "content")
