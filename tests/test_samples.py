"""Mock data built from schemas satisfies them, judged by the OpenAPI schema validator (formats on)."""

from __future__ import annotations

import importlib

import pytest
from openapi_schema_validator import OAS31Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

PACKAGES = ["crm_self_service", "crm_back_office", "crm_client_data"]
URI = "urn:spec"


def without_examples(node):
    """The schema with its own examples removed, so the sample is built from the keywords."""
    if isinstance(node, dict):
        return {k: without_examples(v) for k, v in node.items() if k not in ("example", "examples", "default")}
    if isinstance(node, list):
        return [without_examples(v) for v in node]
    return node


@pytest.mark.parametrize("package", PACKAGES)
def test_every_component_schema_sample_validates(generated_packages, package):
    samples = importlib.import_module(f"{package}._samples")
    spec = importlib.import_module(f"{package}._server").load_spec(package)
    bare = {**spec, "components": without_examples(spec["components"])}
    registry = Registry().with_resource(URI, DRAFT202012.create_resource(bare))
    checked = 0
    for name in bare["components"]["schemas"]:
        validator = OAS31Validator({"$ref": f"{URI}#/components/schemas/{name}"}, registry=registry,
                                   format_checker=OAS31Validator.FORMAT_CHECKER)
        value = samples.sample(bare, bare["components"]["schemas"][name])
        errors = [e.message for e in validator.iter_errors(value)]
        assert not errors, (name, value, errors)
        checked += 1
    assert checked > 10


@pytest.mark.parametrize(("schema", "accepts"), [
    ({"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"}, "AAA-0000"),
    ({"type": "string", "format": "uuid", "maxLength": 36}, None),
    ({"type": "string", "minLength": 12, "maxLength": 12}, None),
    ({"type": "integer", "minimum": 5, "maximum": 9, "multipleOf": 3}, 6),
    ({"type": "number", "exclusiveMinimum": 0, "maximum": 1}, None),
    ({"type": "array", "items": {"type": "integer"}, "minItems": 3, "uniqueItems": True}, None),
    ({"type": "string", "enum": ["B", "C"]}, "B"),
])
def test_samples_honour_patterns_formats_lengths_ranges_and_enums(generated_packages, schema, accepts):
    samples = importlib.import_module("crm_back_office._samples")
    value = samples.sample({}, schema)
    validator = OAS31Validator(schema, format_checker=OAS31Validator.FORMAT_CHECKER)
    assert validator.is_valid(value), value
    if accepts is not None:
        assert value == accepts
