"""Generated servers: the mock of each CRM API on uvicorn, called by the generated clients over HTTP."""

from __future__ import annotations

import importlib
import logging
import re
import sys

import httpx
import pytest
import yaml
from conftest import ROOT
from servers import generated_from, serving

PACKAGES = ["crm_self_service", "crm_back_office", "crm_client_data"]


def modules(package: str):
    return (importlib.import_module(package), importlib.import_module(f"{package}.server"),
            importlib.import_module(f"{package}._server"), importlib.import_module(f"{package}._runtime"))


def example_arguments(spec, runtime, route) -> dict:
    """Keyword arguments for a client call built from the spec's examples (else schema samples)."""
    operation = runtime._pointer(spec, route.pointer)
    path_item = runtime._pointer(spec, route.pointer.rsplit("/", 1)[0])
    documented = [runtime._deref(spec, p) for p in (path_item.get("parameters") or []) + (operation.get("parameters") or [])]
    by_name = {(p["name"], p["in"]): p for p in documented}
    arguments = {}
    for param in route.params:
        parameter = by_name[(param.name, param.location)]
        if "example" in parameter:
            value = parameter["example"]
        elif parameter.get("examples"):
            value = runtime._deref(spec, next(iter(parameter["examples"].values())))["value"]
        else:
            value = runtime.sample(spec, parameter.get("schema"))
        arguments[param.python_name] = value
    if route.body is not None:
        body = runtime._deref(spec, operation["requestBody"])
        media = body["content"][route.body.media_type]
        if "example" in media:
            arguments["body"] = media["example"]
        elif media.get("examples"):
            arguments["body"] = runtime._deref(spec, next(iter(media["examples"].values())))["value"]
        else:
            arguments["body"] = runtime.sample(spec, media.get("schema"))
    return arguments


def namespaces(client) -> dict[str, object]:
    """Method name -> the tag namespace that has it."""
    found = {}
    for attribute in dir(client):
        if attribute.startswith("_") or attribute in ("close", "credentials", "capture_responses"):
            continue
        namespace = getattr(client, attribute)
        found.update({name: namespace for name in dir(namespace) if not name.startswith("_")})
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_every_operation_round_trips_through_the_mock_sync_and_async(generated_packages, package):
    client_package, server, runtime, wire = modules(package)
    spec = runtime.load_spec(package)
    credentials = {name: "credential-value" for name in server.SCHEMES}
    mock = runtime.MockHandlers(spec, server.ROUTES)
    called = 0
    with serving(server.create_mock_app()) as url:
        with client_package.Client(url, **credentials) as client:
            methods = namespaces(client)
            for route in server.ROUTES:
                arguments = example_arguments(spec, runtime, route)
                result = getattr(methods[route.operation], route.operation)(**arguments)
                assert wire.to_wire(result) == expected_body(runtime, mock, route, arguments), route.operation
                called += 1
        async_results = []

        async def call_all() -> None:
            async with client_package.AsyncClient(url, **credentials) as client:
                methods = namespaces(client)
                for route in server.ROUTES:
                    method = getattr(methods[route.operation], route.operation)
                    async_results.append(wire.to_wire(await method(**example_arguments(spec, runtime, route))))

        import asyncio

        asyncio.run(call_all())
    assert called == len(server.ROUTES) == len(async_results)
    assert async_results == [expected_body(runtime, mock, route, example_arguments(spec, runtime, route))
                             for route in server.ROUTES]


def expected_body(runtime, mock, route, arguments):
    """The mock's example answer; a list operation's page is the asked slice of the example's items."""
    body = mock.reply(route, {}).body
    if route.paging is not None and isinstance(body, dict):
        return runtime._page(route.paging, body, arguments)
    return body


@pytest.fixture
def back_office(generated_packages):
    client_package, server, runtime, _ = modules("crm_back_office")
    with serving(server.create_mock_app()) as url:
        yield url, client_package, runtime.load_spec("crm_back_office")


def test_bad_input_gets_the_documented_error_body_never_a_422_or_500(back_office):
    url, package, spec = back_office
    with httpx.Client(base_url=url, headers={"api_key": "k"}) as http:
        wrong_enum = http.post("/accounts/4dc0809f-ed91-4b68-b912-5bd6064d901e/actions", json={"state": "EXPLODE"})
        not_json = http.post("/activities", content=b"{", headers={"Content-Type": "application/json"})
        wrong_type = http.get("/activities", params={"page": "many"})
        no_credentials = http.get("/activities", headers={"api_key": ""})
        nowhere = http.get("/no/such/path")
    for response in (wrong_enum, not_json, wrong_type):
        assert response.status_code == 400, response.text
        body = response.json()
        assert set(body) == {"status", "message", "error", "parameters"}  # the Back-Office error body
        assert body["status"] == 400 and body["message"]
    assert wrong_enum.json()["parameters"] == ["state"] and "EXPLODE" in wrong_enum.json()["message"]
    assert wrong_enum.json()["error"] == "Bad Request"
    assert wrong_type.json()["parameters"] == ["page"]
    assert no_credentials.status_code == 401 and set(no_credentials.json()) == {"status", "message", "error", "parameters"}
    assert nowhere.status_code == 404 and nowhere.json()["message"] == "no operation GET /no/such/path in this API"


def test_prefer_picks_another_documented_response(back_office):
    url, _, spec = back_office
    with httpx.Client(base_url=url, headers={"api_key": "k"}) as http:
        not_found = http.get("/accounts/4dc0809f-ed91-4b68-b912-5bd6064d901e", headers={"Prefer": "code=404"})
    assert not_found.status_code == 404
    documented = spec["components"]["responses"]["NotFound"]["content"]["application/json"]["examples"]
    assert not_found.json() == next(iter(documented.values()))["value"]


def test_the_app_serves_the_curated_spec_itself(back_office):
    url, _, spec = back_office
    assert httpx.get(f"{url}/openapi.json").json() == spec


def test_a_users_handlers_are_served_and_debug_checks_their_responses(generated_packages):
    package, server, runtime, _ = modules("crm_back_office")
    models = importlib.import_module("crm_back_office.models")

    class Tags:
        async def get_activity_tags(self, *, id):
            return models.ActivityTagList(content=[])

        async def update_activity_tags(self, *, id, body):
            assert body.tags == ["96c3cb52-c68f-6ba6-e886-ed28f2b594cb"]
            return runtime.Reply({"id": 12345}, status=200)  # not a Guid: the spec is broken by the handler

    app = server.create_app(Tags(), debug=True)
    with serving(app) as url, package.Client(url, api_key="k", retries=None) as client:
        assert client.tags.get_activity_tags(id="4dc0809f-ed91-4b68-b912-5bd6064d901e").content == []
        with httpx.Client(base_url=url, headers={"api_key": "k"}) as http:
            answer = http.put("/activities/4dc0809f-ed91-4b68-b912-5bd6064d901e/tags",
                              json={"tags": ["96c3cb52-c68f-6ba6-e886-ed28f2b594cb"]})
    assert answer.status_code == 500
    assert answer.json()["message"].startswith("debug: the handler's response does not match the spec: id")


def test_a_status_range_documents_every_code_in_it(tmp_path):
    """OpenAPI's Responses Object: `4XX` covers 404 when 404 itself is not listed, before `default`;
    the mock answers `Prefer: code=404` and a refused request with it, the client reads it as its error."""
    def error(kind: str) -> dict:  # each error body has a field of its own, named after its key
        return {"description": kind, "content": {"application/json": {
            "schema": {"type": "object", "properties": {kind: {"type": "string"}, "message": {"type": "string"}}},
            "example": {kind: "yes", "message": "x"}}}}

    spec = {"openapi": "3.1.0", "info": {"title": "ranges", "version": "1"}, "paths": {"/things/{id}": {"get": {
        "operationId": "get_thing", "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "4XX": error("range"), "default": error("default")}}}}}
    with generated_from(spec, tmp_path, "ranges_pkg") as (package, server), serving(server.create_mock_app()) as url:
        preferred = httpx.get(f"{url}/things/1", headers={"Prefer": "code=404"})
        refused = httpx.get(f"{url}/things/not-a-number")
        with package.Client(url, headers={"Prefer": "code=404"}) as client, pytest.raises(package.ApiError) as raised:
            client.default.get_thing(id=1)
    assert raised.value.status_code == 404 and raised.value.body.range == "yes"  # parsed with the 4XX model
    assert preferred.status_code == 404 and preferred.json() == {"range": "yes", "message": "x"}
    assert refused.status_code == 400 and set(refused.json()) == {"range", "message"}


def test_the_mock_answers_in_the_media_type_the_client_reads(tmp_path):
    """Of several documented media types, the server answers the one the generated client expects
    (binary over text here), so the client reads the mock's answer."""
    spec = {"openapi": "3.1.0", "info": {"title": "media", "version": "1"}, "paths": {"/report": {"get": {
        "operationId": "get_report", "responses": {"200": {"description": "the report", "content": {
            "text/plain": {"schema": {"type": "string"}, "example": "a text report"},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}, "example": "bytes"}}}}}}}}
    with generated_from(spec, tmp_path, "media_pkg") as (package, server), serving(server.create_mock_app()) as url:
        answer = httpx.get(f"{url}/report")
        with package.Client(url) as client:
            report = client.default.get_report()
    assert answer.headers["content-type"] == "application/octet-stream" and answer.content == b"bytes"
    assert report == b"bytes"



def test_form_and_multipart_bodies_are_parsed_by_the_server(tmp_path):
    """USPTO's real spec posts a form; a multipart upload carries a file part. Both reach the
    handler decoded (the mock answers 200), and a form missing its required field gets 400."""
    uspto = yaml.safe_load((ROOT.parent / "shared" / "corpus" / "oai-uspto.yaml").read_text())
    with generated_from(uspto, tmp_path / "uspto", "uspto_pkg") as (_, server), \
            serving(server.create_mock_app()) as url:
        searched = httpx.post(f"{url}/oa_citations/v1/records", data={"criteria": "*:*", "rows": "5"})
        incomplete = httpx.post(f"{url}/oa_citations/v1/records", data={"rows": "5"})
        empty = httpx.post(f"{url}/oa_citations/v1/records", headers={"Content-Type": "application/x-www-form-urlencoded"})
        absent = httpx.post(f"{url}/oa_citations/v1/records")  # the spec does not require a body
        extra = httpx.post(f"{url}/oa_citations/v1/records", data={"criteria": "*:*", "sort": "id"})
    assert searched.status_code == 200, searched.text
    assert incomplete.status_code == 400 and incomplete.json() == "invalid request body: 'criteria' is a required property"
    assert empty.status_code == 400 and "criteria" in empty.json()  # a form without fields lacks `criteria`
    assert absent.status_code == 200, absent.text
    assert extra.status_code == 200, extra.text  # the schema allows fields it does not list
    upload = {"openapi": "3.1.0", "info": {"title": "upload", "version": "1"}, "paths": {"/files": {"post": {
        "operationId": "upload", "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"}, "note": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}}}}}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}}}}}

    class Files:
        async def upload(self, *, body):
            return {"note": body.note, "size": len(body.file), "tags": body.tags}

    with generated_from(upload, tmp_path / "upload", "upload_pkg") as (_, server), \
            serving(server.create_app(Files())) as url:
        uploaded = httpx.post(f"{url}/files", files={"file": ("a.bin", b"\x00\x01\x02")},
                              data={"note": "three", "tags": "one"})  # a list field given once is a list of one
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json() == {"note": "three", "size": 3, "tags": ["one"]}


def test_a_concrete_path_reaches_its_own_operation_whatever_the_order_of_paths(tmp_path):
    """Twilio writes `/Numbers/{Sid}.json` before `/Numbers/Local.json`; GET of the concrete path
    is the concrete path's operation (OpenAPI matches concrete paths first), not a 405."""
    def operation(name: str) -> dict:
        return {"get": {"operationId": name, "responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"type": "string"}}}}}}}

    spec = {"openapi": "3.1.0", "info": {"title": "order", "version": "1"}, "paths": {
        "/numbers/{sid}.json": {**operation("get_number"), "parameters": [
            {"name": "sid", "in": "path", "required": True, "schema": {"type": "string"}}]},
        "/numbers/local.json": operation("list_local")}}

    class Numbers:
        async def get_number(self, *, sid):
            return f"number {sid}"

        async def list_local(self):
            return "local numbers"

    with generated_from(spec, tmp_path, "order_pkg") as (_, server), serving(server.create_app(Numbers())) as url:
        assert httpx.get(f"{url}/numbers/local.json").json() == "local numbers"
        assert httpx.get(f"{url}/numbers/PN1.json").json() == "number PN1"


def test_a_relative_uri_and_a_loose_email_in_a_response_are_read(tmp_path):
    """Twilio's `format: uri` fields hold paths (`/2010-04-01/Accounts.json?PageSize=50`) and
    addresses are not always valid: the client reads them as text instead of refusing the whole
    response, and the models import without email-validator (not a dependency of the package)."""
    account = {"uri": "/2010-04-01/Accounts.json?PageSize=50", "owner": "not quite an address"}
    spec = {"openapi": "3.1.0", "info": {"title": "formats", "version": "1"}, "paths": {"/account": {"get": {
        "operationId": "get_account", "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Account"}}}}}}}},
        "components": {"schemas": {"Account": {"type": "object", "properties": {
            "uri": {"type": "string", "format": "uri"}, "owner": {"type": "string", "format": "email"}}}}}}

    class Accounts:  # a server answering as Twilio's does
        async def get_account(self):
            return account

    class Blocked:  # as if email-validator were not installed
        def find_spec(self, name, path=None, target=None):
            if name == "email_validator":
                raise ImportError("email-validator is not installed")

    blocker = Blocked()
    sys.meta_path.insert(0, blocker)
    saved = sys.modules.pop("email_validator", None)
    try:
        with generated_from(spec, tmp_path, "formats_pkg") as (package, server), \
                serving(server.create_app(Accounts())) as url, package.Client(url) as client:
            read = client.default.get_account()
    finally:
        sys.meta_path.remove(blocker)
        if saved is not None:
            sys.modules["email_validator"] = saved
    assert (read.uri, read.owner) == (account["uri"], account["owner"])


def test_an_example_that_contradicts_its_schema_is_not_answered(tmp_path, caplog):
    """Twilio's examples hold a `price` string where the schema says number and SIDs that miss
    their pattern: the mock answers a sample its schema accepts (checked with the spec's own JSON
    Schema, not the lenient models) and says why in the log."""
    schema = {"type": "object", "required": ["sid"], "properties": {
        "sid": {"type": "string", "pattern": "^TK[0-9a-f]{4}$"}, "price": {"type": "number", "nullable": True},
        "label": {"type": "string"}}}
    spec = {"openapi": "3.0.3", "info": {"title": "examples", "version": "1"}, "paths": {"/trunk": {"get": {
        "operationId": "get_trunk", "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": schema, "example": {"sid": "APaaaa", "price": "-0.0025", "label": "kept"}}}}}}}}}
    with generated_from(spec, tmp_path, "examples_pkg") as (_, server), serving(server.create_mock_app()) as url, \
            caplog.at_level(logging.WARNING):
        answer = httpx.get(f"{url}/trunk")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert re.fullmatch(r"TK[0-9a-f]{4}", body["sid"]) and not isinstance(body.get("price"), str), body
    assert body["label"] == "kept"  # the parts of the example its schema accepts are answered as written
    assert "GET /trunk: the spec's example for 200 does not match its schema" in caplog.text


def test_a_form_is_checked_with_the_specs_own_schema(tmp_path):
    """Form fields are text: typed as their schema says (`true`, numerals), then checked with the
    spec's JSON Schema, so `secure=0` for a boolean and a relative `uri` are refused as for JSON."""
    spec = {"openapi": "3.1.0", "info": {"title": "form", "version": "1"}, "paths": {"/hooks": {"post": {
        "operationId": "create_hook", "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["Url"], "properties": {
                "Url": {"type": "string", "format": "uri"}, "Secure": {"type": "boolean"},
                "Retries": {"type": "integer", "maximum": 5}}}}}},
        "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {
            "type": "object"}}}}}}}}}

    class Hooks:
        async def create_hook(self, *, body):
            return runtime.Reply({"secure": body.secure, "retries": body.retries}, status=201)

    with generated_from(spec, tmp_path, "hooks_pkg") as (_, server), serving(server.create_app(Hooks())) as url:
        runtime = importlib.import_module("hooks_pkg._server")
        good = httpx.post(f"{url}/hooks", data={"Url": "https://example.com/h", "Secure": "true", "Retries": "3"})
        refused = httpx.post(f"{url}/hooks", data={"Url": "/h", "Secure": "0", "Retries": "9"})
    assert good.status_code == 201 and good.json() == {"secure": True, "retries": 3}, good.text
    assert refused.status_code == 400
    assert {"Url", "Secure", "Retries"} <= set(refused.json()["parameters"]), refused.text
