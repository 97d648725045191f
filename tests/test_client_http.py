"""The generated clients over real HTTP on loopback, sync and async."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pydantic
import pytest

from loopback import LoopbackServer

CONTACT_ID = "CAD1E31269B76D7A65ACCE45B2E68DFD"
TOKEN = "secret-contact-token-4AD9C84FA60F9FE4"


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def self_service(generated_packages):
    import crm_self_service

    return crm_self_service


@pytest.fixture
def client(self_service, server):
    with self_service.Client(server.url, api_key="app-key", contact_token=TOKEN,
                             retries=self_service.RetryPolicy(backoff=0.01)) as running:
        yield running


def test_get_sends_method_path_and_the_operations_own_security(client, server):
    server.answer(200, {"id": CONTACT_ID, "first_name": "John", "last_name": "Doe"})
    contact = client.contact.get_contact(id=CONTACT_ID)
    request = server.requests[0]
    assert (request.method, request.path) == ("GET", f"/contacts/{CONTACT_ID}")
    assert request.headers["authorization"] == TOKEN  # raw token, as the Self-Service seed shows
    assert "api_key" not in request.headers  # get_contact asks for the contact token only
    assert contact.first_name == "John" and contact.last_name == "Doe"


def test_authentication_sends_only_the_api_key_and_a_json_body_by_alias(client, server, self_service):
    server.answer(200, {"access_token": "jwt", "refresh_token": "r", "expiration_date": 1,
                        "contact": {"first_name": "John"}})
    body = self_service.models.AuthenticateContactRequest(provider="EMAIL", username="j@crm.com", password="pw")
    result = client.authentication.authenticate_contact(body=body)
    request = server.requests[0]
    assert (request.method, request.path) == ("POST", "/contacts/authenticate")
    assert request.headers["api_key"] == "app-key"
    assert "authorization" not in request.headers
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"provider": "EMAIL", "username": "j@crm.com", "password": "pw"}  # unset fields absent
    assert result.access_token == "jwt"


def test_explicit_null_is_sent_and_unset_is_not(client, server, self_service):
    server.answer(200, {"id": CONTACT_ID})
    body = self_service.models.UpdateContactRequest(first_name=None)
    client.contact.update_contact(id=CONTACT_ID, body=body)
    assert server.requests[0].json() == {"first_name": None}


def test_query_parameters_are_encoded_and_only_the_given_ones_are_sent(client, server):
    server.answer(200, {"content": [], "paging": {"page": 2, "size": 5, "total": 0}})
    client.communications.list_communications(id=CONTACT_ID, page=2, size="5", channel="SMS", archived=False)
    query = dict(server.requests[0].query)
    assert query == {"page": "2", "size": "5", "channel": "SMS", "archived": "false"}  # no spec default (order)


def test_documented_error_raises_typed_error_with_parsed_body(client, server, self_service):
    server.answer(404, {"code": "NOTFOUND", "message": "no such contact"}, headers={"X-Trace": "t1"})
    with pytest.raises(self_service.NotFoundError) as caught:
        client.contact.get_contact(id=CONTACT_ID)
    error = caught.value
    assert isinstance(error, self_service.ApiError) and isinstance(error, self_service.ClientRequestError)
    assert error.status_code == 404
    assert isinstance(error.body, self_service.models.Error)
    assert error.body.model_extra == {"code": "NOTFOUND", "message": "no such contact"}
    assert error.headers["X-Trace"] == "t1"
    assert TOKEN not in str(error) and TOKEN not in repr(error.headers)


def test_server_errors_are_server_errors(client, server, self_service):
    server.answer(500, raw=b"boom", headers={"Content-Type": "text/plain"})
    with pytest.raises(self_service.ServerError) as caught:
        client.authentication.authenticate_contact(body={"provider": "EMAIL"})
    assert caught.value.body == "boom"
    assert len(server.requests) == 1  # POST is not idempotent: never retried


def test_idempotent_calls_are_retried_honouring_retry_after(client, server):
    server.answer(503, {"message": "busy"}, headers={"Retry-After": "0"})
    server.answer(429, {"message": "slow down"}, headers={"Retry-After": "0"})
    server.answer(200, {"id": CONTACT_ID})
    assert client.contact.get_contact(id=CONTACT_ID).id == CONTACT_ID
    assert len(server.requests) == 3


def test_retries_give_up_after_the_policy_and_can_be_turned_off(self_service, server):
    with self_service.Client(server.url, contact_token=TOKEN,
                             retries=self_service.RetryPolicy(max_attempts=2, backoff=0.01)) as client:
        for _ in range(3):
            server.answer(502, {"message": "bad gateway"})
        with pytest.raises(self_service.ServerError):
            client.contact.get_contact(id=CONTACT_ID)
        assert len(server.requests) == 2
    with self_service.Client(server.url, contact_token=TOKEN, retries=None) as client:
        with pytest.raises(self_service.ServerError):
            client.contact.get_contact(id=CONTACT_ID)
        assert len(server.requests) == 3


def test_connection_errors_raise_transport_error_without_secrets(self_service):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with self_service.Client(f"http://127.0.0.1:{port}", contact_token=TOKEN,
                             retries=self_service.RetryPolicy(max_attempts=2, backoff=0.01)) as client:
        with pytest.raises(self_service.TransportError) as caught:
            client.contact.get_contact(id=CONTACT_ID)
    assert "ConnectError" in str(caught.value) and TOKEN not in str(caught.value)


def test_pagination_iterates_every_page(client, server):
    server.answer(200, {"content": [{"id": CONTACT_ID}, {"id": CONTACT_ID}], "paging": {"page": 1, "size": 2}})
    server.answer(200, {"content": [{"id": CONTACT_ID}], "paging": {"page": 2, "size": 2}})
    items = list(client.communications.iter_list_communications(id=CONTACT_ID, size="2"))
    assert len(items) == 3
    assert [dict(r.query)["page"] for r in server.requests] == ["1", "2"]


def test_unknown_fields_and_enum_values_in_responses_are_kept(client, server):
    server.answer(200, {"id": CONTACT_ID, "type": "ALIEN", "brand_new_field": {"x": 1}})
    contact = client.contact.get_contact(id=CONTACT_ID)
    assert contact.type.value == "ALIEN"
    assert contact.model_extra == {"brand_new_field": {"x": 1}}
    assert contact.model_dump(mode="json", exclude_unset=True)["type"] == "ALIEN"


def test_request_models_reject_unknown_fields(self_service):
    with pytest.raises(pydantic.ValidationError):
        self_service.models.AuthenticateContactRequest(provider="EMAIL", usernme="typo")


def test_credentials_are_swappable_and_never_shown(client, server):
    assert TOKEN not in repr(client.credentials)
    client.credentials.contact_token = "new-token"
    server.answer(200, {"id": CONTACT_ID})
    client.contact.get_contact(id=CONTACT_ID)
    assert server.requests[0].headers["authorization"] == "new-token"


def test_raw_responses_extra_headers_and_per_call_timeout(client, server):
    server.answer(200, {"id": CONTACT_ID}, headers={"X-Request-Id": "r-1"})
    with client.capture_responses() as captured:
        client.contact.get_contact(id=CONTACT_ID, extra_headers={"X-Trace": "abc"}, timeout=5)
    assert captured.last.status_code == 200 and captured.last.headers["X-Request-Id"] == "r-1"
    assert server.requests[0].headers["x-trace"] == "abc"


def test_a_callers_httpx_client_is_used(self_service, server):
    seen = []
    with httpx.Client(event_hooks={"request": [seen.append]}) as http:
        client = self_service.Client(server.url, contact_token=TOKEN, http_client=http)
        server.answer(200, {"id": CONTACT_ID})
        client.contact.get_contact(id=CONTACT_ID)
        client.close()
        assert not http.is_closed  # not ours to close
    assert len(seen) == 1


def test_back_office_takes_either_api_key_or_bearer(generated_packages, server):
    import crm_back_office

    with crm_back_office.Client(server.url, bearer_token="jwt-1") as client:
        server.answer(200, {"content": [], "paging": {"page": 1, "size": 10}})
        client.activities.list_activities()
    assert server.requests[0].headers["authorization"] == "Bearer jwt-1"
    with crm_back_office.Client(server.url, api_key="key-1") as client:
        server.answer(200, {"content": [], "paging": {"page": 1, "size": 10}})
        client.activities.list_activities()
    assert server.requests[1].headers["api_key"] == "key-1"


def test_client_data_pages_through_its_search_body(generated_packages, server):
    import crm_client_data

    with crm_client_data.Client(server.url, bearer_auth="t") as client:
        server.answer(200, {"results": [{"id": 1}, {"id": 2}], "page": 1, "pageSize": 2, "totalCount": 3})
        server.answer(200, {"results": [{"id": 3}], "page": 2, "pageSize": 2, "totalCount": 3})
        items = list(client.change_requests.iter_search_change_requests(body={"page": 1, "pageSize": 2}))
    assert [item.id for item in items] == [1, 2, 3]
    assert [r.json()["page"] for r in server.requests] == [1, 2]


async def test_async_client_does_the_same_over_http(self_service, server):
    async with self_service.AsyncClient(server.url, contact_token=TOKEN,
                                        retries=self_service.RetryPolicy(backoff=0.01)) as client:
        server.answer(503, {"message": "busy"}, headers={"Retry-After": "0"})
        server.answer(200, {"id": CONTACT_ID, "first_name": "Ann"})
        contact = await client.contact.get_contact(id=CONTACT_ID)
        assert contact.first_name == "Ann"
        server.answer(404, {"message": "gone"})
        with pytest.raises(self_service.NotFoundError):
            await client.contact.get_contact(id=CONTACT_ID)
        server.answer(200, {"content": [{"id": CONTACT_ID}], "paging": {"page": 1, "size": 1}})
        server.answer(200, {"content": [], "paging": {"page": 2, "size": 1}})
        items = [item async for item in client.communications.iter_list_communications(id=CONTACT_ID, size="1")]
    assert len(items) == 1
    assert [r.path for r in server.requests].count(f"/contacts/{CONTACT_ID}") == 3


async def test_async_calls_run_concurrently(self_service, server):
    async with self_service.AsyncClient(server.url, contact_token=TOKEN) as client:
        for _ in range(5):
            server.answer(200, {"id": CONTACT_ID})
        results = await asyncio.gather(*(client.contact.get_contact(id=CONTACT_ID) for _ in range(5)))
    assert len(results) == 5 and len(server.requests) == 5
