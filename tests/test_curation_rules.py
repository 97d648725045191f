"""The Rules of spec/CURATION.md, each checked across the three specs against the seed text itself."""

from __future__ import annotations

import functools
import re

import pytest
from openapi_schema_validator import OAS31Validator

from conftest import ROOT
from generator.load import load_document
from generator.model.walk import iter_operations
from test_specs import SEEDS

SPECS = {"self-service": "000_b5764e0e88d53f7f.txt", "back-office": "002_7aec11cb868c01b0.txt",
         "client-data": "003_4892400328ba5c99.txt"}


@functools.cache
def spec(name: str) -> dict:
    return load_document(ROOT / "spec" / f"{name}.yaml").data


def seed_lines(file_name: str) -> list[str]:
    return (SEEDS / file_name).read_text(encoding="utf-8").split("\n")


def accepts(name: str, schema_name: str, value) -> bool:
    """Whether `value` validates against a component schema of the spec (refs resolved in the document)."""
    document = spec(name)
    schema = {**document, "$ref": f"#/components/schemas/{schema_name}"}
    return OAS31Validator(schema, format_checker=OAS31Validator.FORMAT_CHECKER).is_valid(value)


def walk_properties(node, where=""):
    """(pointer, owner schema, property name, property schema) for every property written in a spec."""
    if isinstance(node, dict):
        properties = node.get("properties")
        for name, prop in properties.items() if isinstance(properties, dict) else ():
            yield where, node, name, prop
        for key, value in node.items():
            yield from walk_properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk_properties(value, f"{where}/{i}")


# Rule 1: conditional required.
def test_a_card_payment_method_needs_no_bank_details():
    lines = seed_lines(SPECS["self-service"])
    assert "Required and applicable if the payment method is set to BANK" in lines[4450 - 1]
    enum = spec("self-service")["components"]["schemas"]["AddPaymentMethodRequest"]["properties"]["payment_method_type"]["enum"]
    assert "BANK" not in enum and lines[4421 - 1: 4426 - 1] == enum  # the condition names no documented value
    assert accepts("self-service", "AddPaymentMethodRequest", {"payment_method_type": "CARD"})


@pytest.mark.parametrize("details, ok", [
    ({"iban": "SE3550000000054910000003"}, True),
    ({"account_number": "001002001"}, True),
    ({"account_number": "001002001", "iban": "SE3550000000054910000003"}, True),
    ({"bank": "Barclays"}, False),
])
def test_bank_details_need_the_account_number_or_the_iban(details, ok):
    assert "Either the bank account number or IBAN must be specified" in seed_lines(SPECS["self-service"])[4462 - 1]
    body = {"payment_method_type": "DIRECT_DEBIT", "bank_details": details}
    assert accepts("self-service", "AddPaymentMethodRequest", body) is ok


@pytest.mark.parametrize("name", SPECS)
def test_no_conditionally_required_field_is_required_unconditionally(name):
    """A field whose description makes it required only in some case is never in a plain `required` list."""
    conditional = re.compile(r"\(required for |Required and applicable if|Either .* or .* must be specified")
    found = 0
    for where, owner, prop_name, prop in walk_properties(spec(name)):
        if isinstance(prop, dict) and conditional.search(str(prop.get("description", ""))):
            found += 1
            assert prop_name not in (owner.get("required") or []), f"{where}/properties/{prop_name}"
    assert found or name != "self-service"


# Rule 2: example versus attribute list.
def test_the_example_decides_a_fields_name_and_where_it_travels():
    lines = seed_lines(SPECS["self-service"])
    assert lines[3770 - 1].strip() == '"type": "HOME",' and lines[3647 - 1] == "address_type"
    address = spec("self-service")["components"]["schemas"]["ContactAddress"]["properties"]
    assert "type" in address and "address_type" not in address
    assert lines[557 - 1] == "Request headers" and lines[566 - 1] == "refresh_token"  # listed as a header
    assert lines[712 - 1].strip().startswith('"refresh_token": ')  # sent in the example's JSON body
    refresh = next(s for s in iter_operations(spec("self-service")) if s.operation["operationId"] == "refresh_token")
    assert not [p for p in refresh.operation.get("parameters", []) if p.get("in") == "header"]
    assert accepts("self-service", "RefreshTokenRequest", {"refresh_token": "t"})


# Rule 4: authentication.
@pytest.mark.parametrize("name", SPECS)
def test_every_operation_is_authenticated(name):
    """The introductions say unauthenticated calls fail; no operation is left without a scheme."""
    document = spec(name)
    for site in iter_operations(document):
        security = site.operation.get("security", document.get("security"))
        assert security and all(requirement for requirement in security), (site.method, site.path)
        if site.path.startswith("/contacts/{id}") and name == "self-service":
            assert security == [{"contact_token": []}], site.path


# Rule 5: id shapes.
def _documented_guid_examples(file_name: str) -> list[tuple[int, str]]:
    """(line, value) of every `Example:` under an attribute typed `string GUID` in the seed."""
    lines = seed_lines(file_name)
    found = []
    for i, line in enumerate(lines):
        if line.strip().startswith("string GUID"):
            for j in range(i + 1, min(i + 8, len(lines) - 1)):
                if lines[j].strip() == "Example:":
                    found.append((j + 2, lines[j + 1].strip()))
                    break
    return found


@pytest.mark.parametrize("name", ["self-service", "back-office"])
def test_guid_accepts_every_id_the_vendor_documents(name):
    examples = _documented_guid_examples(SPECS[name])
    assert len(examples) > 20
    refused = [(line, value) for line, value in examples if not accepts(name, "Guid", value)]
    assert refused == []
    assert not accepts(name, "Guid", "John Doe") and not accepts(name, "Guid", "CAD1E312")


def test_the_dashed_and_the_non_hex_examples_are_among_them():
    assert (1144, "0980af1d-3c24-6379-9eb9-a40e3a3f5208") in _documented_guid_examples(SPECS["self-service"])
    assert (1644, "c932ffb1-efe6-b7b3-58c1-a6a86ddcc8qq") in _documented_guid_examples(SPECS["back-office"])


# Rule 3: nullability (client-data responses come from samples only).
def _response_only_schemas(document: dict) -> set[str]:
    schemas = document["components"]["schemas"]

    def reached(node, out):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] not in out:
                out.add(ref.rsplit("/", 1)[1])
                reached(schemas[ref.rsplit("/", 1)[1]], out)
            for value in node.values():
                reached(value, out)
        elif isinstance(node, list):
            for value in node:
                reached(value, out)
        return out

    requests, responses = set(), set()
    for site in iter_operations(document):
        reached([site.operation.get("requestBody"), site.operation.get("parameters")], requests)
        reached(site.operation["responses"], responses)
    return responses - requests


def test_client_data_response_strings_arrays_and_objects_are_nullable():
    document = spec("client-data")
    checked = 0
    for name in _response_only_schemas(document):
        for where, _, prop_name, prop in walk_properties(document["components"]["schemas"][name], name):
            types = prop.get("type")
            if "$ref" in prop or types in ("string", "array", "object"):
                raise AssertionError(f"{where}/properties/{prop_name} is not nullable")
            if isinstance(types, list) and set(types) & {"string", "array", "object"}:
                checked += 1
    assert checked > 80


@pytest.mark.parametrize("schema_name, field", [
    ("ContactChangeRequestV11", "reviewDate"), ("ContactChangeRequestV11", "reviewMember"),
    ("ContactChangeRequestV11", "reviewComment"), ("ContactChangeRequestV10", "reviewDate"),
    ("PendingChangeRequestCheckV10", "changeRequest"), ("PendingChangeRequestCheckV11", "changeRequest"),
])
def test_a_pending_change_request_without_review_is_accepted(schema_name, field):
    sample = spec("client-data")["components"]["schemas"][schema_name]
    assert field in sample["properties"]
    assert accepts("client-data", schema_name, {field: None})


def test_client_data_import_operations_have_no_request_body():
    lines = seed_lines(SPECS["client-data"])
    imports = [s for s in iter_operations(spec("client-data")) if s.path.endswith("/import")]
    assert len(imports) == 2
    for site in imports:
        line = int(site.operation["x-seed"].split("#L")[1])
        assert lines[line - 1].lstrip("}").startswith("Imports ") and lines[line].startswith("| Accept-Language")
        assert "requestBody" not in site.operation


# Rule 7: defaults.
@pytest.mark.parametrize("name", SPECS)
def test_a_documented_body_is_required_unless_the_vendor_says_it_may_be_empty(name):
    for site in iter_operations(spec(name)):
        body = site.operation.get("requestBody")
        if body is None:
            continue
        may_be_empty = "an empty body exports all" in body.get("description", "")
        assert body.get("required") is (not may_be_empty), (site.method, site.path)
