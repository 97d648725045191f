"""Hostile requests against the generated servers over loopback: 4xx with the API's error body, never a 500."""

from __future__ import annotations

import importlib
import logging

import httpx
import pytest

from servers import generated_from, serving

ACCOUNT_ACTIONS = "/accounts/4dc0809f-ed91-4b68-b912-5bd6064d901e/actions"  # takes a JSON body
ERROR_FIELDS = {"status", "message", "error", "parameters"}  # the Back-Office error body (spec: ErrorResponse)


@pytest.fixture(scope="module")
def back_office(generated_packages):
    server = importlib.import_module("crm_back_office.server")
    limits = importlib.import_module("crm_back_office._limits")
    with serving(server.create_mock_app()) as url, httpx.Client(base_url=url, headers={"api_key": "k"}) as http:
        yield http, limits


def post_json(http: httpx.Client, content: bytes) -> httpx.Response:
    return http.post(ACCOUNT_ACTIONS, content=content, headers={"Content-Type": "application/json"})


def assert_error_body(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == ERROR_FIELDS and body["status"] == status
    assert words in body["message"], body["message"]


@pytest.mark.parametrize(("content", "words"), [
    (b"[" * 100_000 + b"]" * 100_000, "nests deeper than 64 levels"),
    (b'{"a": ' * 65 + b"1" + b"}" * 65, "nests deeper than 64 levels"),
    (b'{"state": "\xff\xfe"}', "not valid UTF-8 (byte 11)"),
    (b'{"state": "OPEN", "state": "CLOSED"}', "repeats the key 'state'"),
    (b'{"state": 1' + b"0" * 5000 + b"}", "a number of 5001 characters"),
    (b'{"state": 1e999}', "number out of range: 1e999"),
    (b'{"state": NaN}', "uses NaN, which is not JSON"),
    (b'{"state": "\\ud800"}', "unpaired surrogate"),
])
def test_hostile_json_gets_400_with_the_apis_error_body(back_office, content, words):
    http, _ = back_office
    assert_error_body(post_json(http, content), 400, words)


def test_json_within_the_limits_still_reaches_the_operation(back_office):
    http, _ = back_office
    nested_string = b'{"state": "[[[[' + b"[" * 500 + b'", "x": "\\ud83d\\ude00"}'  # brackets inside strings do not nest
    answer = post_json(http, nested_string)
    assert answer.status_code == 400 and "state" in answer.json()["parameters"]  # the spec's own check: an enum


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(back_office):
    http, _ = back_office
    declared = post_json(http, b"[" + b"1," * (25 * 1024 * 1024) + b"1]")  # 50 MB with Content-Length
    assert_error_body(declared, 413, "larger than 1048576 bytes")

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(64):
            yield b" " * 65536

    assert_error_body(http.post(ACCOUNT_ACTIONS, content=chunks(), headers={"Content-Type": "application/json"}),
                      413, "larger than 1048576 bytes")


def test_too_many_or_too_large_headers_get_431(back_office):
    http, _ = back_office
    assert_error_body(http.get("/activities", headers={f"x-h{i}": "v" for i in range(150)}), 431,
                      "at most 100 are accepted")
    assert_error_body(http.get("/activities", headers={"x-big": "v" * 10_000}), 431, "at most 8192 are accepted")


def test_a_multipart_or_form_body_with_too_many_parts_gets_413(back_office):
    http, _ = back_office
    many = http.post(ACCOUNT_ACTIONS, files={f"f{i}": (f"{i}.txt", b"x") for i in range(101)})
    assert_error_body(many, 413, "the multipart body has 101 parts")
    form = http.post(ACCOUNT_ACTIONS, data={f"f{i}": "x" for i in range(500)})
    assert_error_body(form, 413, "the form body has 500 fields")
    assert http.post(ACCOUNT_ACTIONS, files={"f": ("a.txt", b"x")}).status_code == 400  # one part: the JSON check


def test_a_form_may_have_as_many_fields_as_its_operation_declares(tmp_path):
    """Twilio's Streams.json form declares 200 fields (Parameter1.Name ... Parameter99.Value): a
    request using them is not refused as too many, one with more fields than declared is."""
    names = [f"Parameter{i}.Name" for i in range(1, 76)] + [f"Parameter{i}.Value" for i in range(1, 76)]
    spec = {"openapi": "3.1.0", "info": {"title": "form", "version": "1"}, "paths": {"/streams": {"post": {
        "operationId": "create_stream", "requestBody": {"content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "properties": {name: {"type": "string"} for name in names}}}}},
        "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {
            "type": "object"}}}}}}}}}
    with generated_from(spec, tmp_path, "form_pkg") as (_, server), serving(server.create_mock_app()) as url:
        declared = httpx.post(f"{url}/streams", data={name: "x" for name in names})
        beyond = httpx.post(f"{url}/streams", data={**{name: "x" for name in names}, "extra": "x", "more": "x"})
        undeclared_method = httpx.request("PUT", f"{url}/streams", data={name: "x" for name in names})
    assert declared.status_code == 201, declared.text
    assert undeclared_method.status_code == 405, undeclared_method.text  # not 413 for what the path accepts
    assert beyond.status_code == 413 and "the form body has 152 fields; at most 150" in beyond.text


def test_the_limits_are_configurable_in_create_app(generated_packages):
    server = importlib.import_module("crm_back_office.server")
    limits = importlib.import_module("crm_back_office._limits")
    app = server.create_mock_app(limits=limits.Limits(max_body_bytes=100, max_json_depth=3))
    with serving(app) as url, httpx.Client(base_url=url, headers={"api_key": "k"}) as http:
        assert_error_body(post_json(http, b'{"state": "' + b"x" * 100 + b'"}'), 413, "larger than 100 bytes")
        assert_error_body(post_json(http, b"[[[[1]]]]"), 400, "nests deeper than 3 levels")
        assert post_json(http, b'{"state": "OPEN"}').status_code != 413


def test_a_failing_handler_is_logged_and_answered_500_without_internals(generated_packages, caplog):
    server = importlib.import_module("crm_back_office.server")

    class Broken:
        async def get_activity_tags(self, *, id):
            raise RuntimeError("database password is hunter2")

    caplog.set_level(logging.ERROR, logger="crm_back_office.server")
    with serving(server.create_app(Broken())) as url:
        answer = httpx.get(f"{url}/activities/4dc0809f-ed91-4b68-b912-5bd6064d901e/tags", headers={"api_key": "k"})
        assert_error_body(answer, 500, "the server failed to answer this request")
        assert "hunter2" not in answer.text and "Traceback" not in answer.text
        assert httpx.get(f"{url}/activities/4dc0809f-ed91-4b68-b912-5bd6064d901e/tags",
                         headers={"api_key": "k"}).status_code == 500  # the server stays up
    failures = [r for r in caplog.records if "the handler failed" in r.getMessage()]
    assert failures and failures[0].exc_info and "hunter2" in str(failures[0].exc_info[1])
