"""Server conformance of the generated apps over loopback HTTP: methods, base paths, credentials,
unimplemented operations, error messages, and what the client puts on the wire."""

from __future__ import annotations

import importlib
import logging

import httpx
import pytest
import yaml
from conftest import ROOT
from servers import generated_from, serving

ACCOUNT = "4dc0809f-ed91-4b68-b912-5bd6064d901e"


@pytest.fixture
def back_office(generated_packages):
    package = importlib.import_module("crm_back_office")
    server = importlib.import_module("crm_back_office.server")
    with serving(server.create_mock_app(credentials=["good-key"])) as url:
        yield package, url


def recording_client(package, url, sent):
    return package.Client(url, api_key="good-key", http_client=httpx.Client(event_hooks={"request": [sent.append]}))


def test_list_activities_sends_comma_separated_values_and_nothing_else(back_office):
    package, url = back_office
    sent: list[httpx.Request] = []
    with recording_client(package, url, sent) as client:
        page = client.activities.list_activities(states=["PENDING", "COMPLETED"], tag_ids=["t1", "t2"])
    assert page.content is not None
    assert sent[0].url.query.decode() == "states=PENDING,COMPLETED&tag_ids=t1,t2"  # style: form, explode: false


def test_the_vendors_form_is_accepted_and_the_repeated_form_refused(back_office):
    _, url = back_office
    headers = {"api_key": "good-key"}
    assert httpx.get(f"{url}/activities?states=PENDING,COMPLETED", headers=headers).status_code == 200
    repeated = httpx.get(f"{url}/activities?states=PENDING&states=COMPLETED", headers=headers)
    assert repeated.status_code == 400 and repeated.json()["parameters"] == ["states"]


def test_an_undeclared_method_gets_405_with_allow_in_the_api_error_body(back_office):
    _, url = back_office
    answer = httpx.request("PATCH", f"{url}/activities", headers={"api_key": "good-key"})
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"
    assert set(answer.json()) == {"status", "message", "error", "parameters"}  # the Back-Office error body
    nowhere = httpx.get(f"{url}/no/such/path")
    assert nowhere.status_code == 404 and set(nowhere.json()) == {"status", "message", "error", "parameters"}


def test_the_servers_base_path_is_served_as_well_as_the_bare_paths(back_office):
    package, url = back_office
    headers = {"api_key": "good-key"}
    assert httpx.get(f"{url}/backoffice/v2/activities", headers=headers).status_code == 200
    assert httpx.get(f"{url}/activities", headers=headers).status_code == 200
    with package.Client(f"{url}/backoffice/v2", api_key="good-key") as client:
        assert client.activities.list_activities().content is not None


def test_credentials_are_checked_per_scheme(back_office):
    _, url = back_office
    refused = httpx.get(f"{url}/activities", headers={"api_key": "bad-key"})
    malformed = httpx.get(f"{url}/activities", headers={"Authorization": "Token"})
    assert refused.status_code == 401 and refused.json()["message"] == "the credentials were refused"
    assert malformed.status_code == 401 and "malformed" in malformed.json()["message"]
    assert set(refused.json()) == {"status", "message", "error", "parameters"}


def test_a_user_supplied_credential_check_decides(generated_packages):
    package = importlib.import_module("crm_back_office")
    server = importlib.import_module("crm_back_office.server")

    class Tags(server.Handlers):
        async def get_activity_tags(self, *, id):
            return package.models.ActivityTagList(content=[])

    app = server.create_app(Tags(), credentials={"bearer_token": lambda token: token == "jwt-1"})
    with serving(app) as url:
        path = f"{url}/activities/{ACCOUNT}/tags"
        assert httpx.get(path, headers={"Authorization": "Bearer jwt-1"}).status_code == 200
        assert httpx.get(path, headers={"Authorization": "Bearer jwt-2"}).status_code == 401
        assert httpx.get(path, headers={"api_key": "anything"}).status_code == 200  # no check: well-formed passes


def test_an_unimplemented_operation_answers_501_and_is_logged_at_start_up(generated_packages, caplog):
    server = importlib.import_module("crm_back_office.server")

    class Nothing(server.Handlers):
        pass

    with caplog.at_level(logging.WARNING, logger="crm_back_office"):
        app = server.create_app(Nothing())
    assert f"{len(server.ROUTES)} operation(s) not implemented" in caplog.text and "list_activities" in caplog.text
    with serving(app) as url:
        answer = httpx.get(f"{url}/activities", headers={"api_key": "k"})
    assert answer.status_code == 501
    assert set(answer.json()) == {"status", "message", "error", "parameters"}
    assert "list_activities is not implemented" in answer.json()["message"]


def test_error_messages_list_every_problem_and_speak_json(back_office):
    _, url = back_office
    answer = httpx.get(f"{url}/activities?states=NOPE&size=many&include_tags=maybe", headers={"api_key": "good-key"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["parameters"] == ["states", "include_tags", "size"]
    assert '"NOPE"' in body["message"] and '"many"' in body["message"] and '"maybe"' in body["message"]
    null_body = httpx.post(f"{url}/activities", json={"name": None}, headers={"api_key": "good-key"})
    assert null_body.status_code == 400 and "None" not in null_body.json()["message"]
    assert "null" in null_body.json()["message"]


def test_page_iterators_stop_at_the_last_page_with_size_one(back_office):
    package, url = back_office
    sent: list[httpx.Request] = []
    with recording_client(package, url, sent) as client:
        first = client.accounts.list_contact_accounts(id=ACCOUNT)
        items = list(client.accounts.iter_list_contact_accounts(id=ACCOUNT, size=1))
    assert sent[0].url.query == b""  # no is_primary=false: "If not specified, then all accounts are retrieved"
    assert len(items) == len(first.content) >= 1
    assert len(sent) == 1 + len(items)  # one request per one-item page, none past the total


def test_a_concrete_path_wins_over_a_template_that_would_also_match(generated_packages):
    """OpenAPI matches concrete paths first: GET /contacts/register is the POST-only register path
    (405), not GET /contacts/{id}; a request only a template matches still reaches its operation."""
    server = importlib.import_module("crm_self_service.server")
    headers = {"api_key": "k", "Authorization": "token"}
    with serving(server.create_mock_app()) as url:
        concrete = httpx.get(f"{url}/contacts/register", headers=headers)
        under_base_path = httpx.get(f"{url}/self-service/v1/contacts/register", headers=headers)
        templated = httpx.get(f"{url}/contacts/{ACCOUNT}", headers=headers)
    for answer in (concrete, under_base_path):
        assert answer.status_code == 405, answer.text
        assert answer.headers["allow"] == "POST"
    assert templated.status_code == 200, templated.text


def test_a_parameter_format_is_checked_as_json_schema_checks_it(tmp_path):
    """The callback example's `callbackUrl` is `format: uri`: an empty or relative value is refused
    with 400 naming the parameter, an absolute URL reaches the operation."""
    spec = yaml.safe_load((ROOT.parent / "shared" / "corpus" / "oai-callback-example.yaml").read_text())
    with generated_from(spec, tmp_path, "callback_pkg") as (_, server), serving(server.create_mock_app()) as url:
        empty = httpx.post(f"{url}/streams", params={"callbackUrl": ""})
        relative = httpx.post(f"{url}/streams", params={"callbackUrl": "/hooks/1"})
        absolute = httpx.post(f"{url}/streams", params={"callbackUrl": "https://example.com/hooks/1"})
    for refused in (empty, relative):
        assert refused.status_code == 400 and "is not a 'uri'" in refused.text, refused.text
    assert absolute.status_code == 201, absolute.text
