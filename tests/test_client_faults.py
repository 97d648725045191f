"""The generated client against a loopback server built to misbehave, and against bodies it cannot read.

Each fault ends in the documented retry behaviour, then the right typed error, within the
time the policy allows; afterwards no connection is left checked out of the httpx pool.
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
import time

import httpx
import pytest

from loopback import LoopbackServer

CONTACT_ID = "CAD1E31269B76D7A65ACCE45B2E68DFD"
TOKEN = "secret-contact-token-4AD9C84FA60F9FE4"
ATTEMPTS = 3
BACKOFF = 0.05  # seconds; backoff with full jitter waits at most BACKOFF * 2**(attempt-1) per retry
TIMEOUT = 0.5


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def sdk(generated_packages):
    import crm_self_service

    return crm_self_service


@pytest.fixture
def http():
    with httpx.Client() as pool:
        yield pool
        assert_no_connection_checked_out(pool)


def assert_no_connection_checked_out(pool: httpx.Client | httpx.AsyncClient) -> None:
    connections = pool._transport._pool.connections  # type: ignore[union-attr]
    busy = [c for c in connections if not (c.is_idle() or c.is_closed())]
    assert not busy, busy


def client(sdk, server, http, **options):
    options = {"retries": sdk.RetryPolicy(max_attempts=ATTEMPTS, backoff=BACKOFF), "timeout": TIMEOUT, **options}
    return sdk.Client(server.url, contact_token=TOKEN, http_client=http, **options)


def budget(attempts: int = ATTEMPTS, per_attempt: float = 0.0) -> float:
    """The longest the policy allows: every attempt's own time plus every backoff, plus scheduling slack."""
    return attempts * per_attempt + sum(BACKOFF * 2 ** (n - 1) for n in range(1, attempts)) + 1.0


@pytest.mark.parametrize(("fault", "error_names"), [
    ("reset", ("ReadError", "RemoteProtocolError")),
    ("truncate", ("RemoteProtocolError",)),
])
def test_a_broken_response_is_retried_then_raises_transport_error(sdk, server, http, fault, error_names):
    for _ in range(ATTEMPTS):
        server.answer(200, {"id": CONTACT_ID, "first_name": "John" * 50}, fault=fault)
    start = time.monotonic()
    with pytest.raises(sdk.TransportError) as caught:
        client(sdk, server, http).contact.get_contact(id=CONTACT_ID)
    assert time.monotonic() - start < budget()
    assert any(name in str(caught.value) for name in error_names), str(caught.value)
    assert TOKEN not in str(caught.value)
    assert len(server.requests) == ATTEMPTS


def test_a_reset_then_a_good_answer_succeeds_on_the_retry(sdk, server, http):
    server.answer(200, {"id": CONTACT_ID}, fault="reset")
    server.answer(200, {"id": CONTACT_ID, "first_name": "Ann"})
    assert client(sdk, server, http).contact.get_contact(id=CONTACT_ID).first_name == "Ann"
    assert len(server.requests) == 2


def test_a_read_timeout_is_retried_then_raises_transport_error_in_time(sdk, server, http):
    for _ in range(ATTEMPTS):
        server.answer(fault="hang")
    start = time.monotonic()
    with pytest.raises(sdk.TransportError, match="ReadTimeout"):
        client(sdk, server, http).contact.get_contact(id=CONTACT_ID)
    elapsed = time.monotonic() - start
    assert ATTEMPTS * TIMEOUT <= elapsed < budget(per_attempt=TIMEOUT)
    assert len(server.requests) == ATTEMPTS


def test_connection_refused_is_retried_then_raises_transport_error(sdk, http):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = sdk.Client(f"http://127.0.0.1:{port}", contact_token=TOKEN, http_client=http, timeout=TIMEOUT,
                         retries=sdk.RetryPolicy(max_attempts=ATTEMPTS, backoff=BACKOFF))
    start = time.monotonic()
    with pytest.raises(sdk.TransportError, match="ConnectError"):
        refused.contact.get_contact(id=CONTACT_ID)
    assert time.monotonic() - start < budget()


def test_retry_after_in_seconds_is_honoured_then_the_call_succeeds(sdk, server, http):
    server.answer(503, {"message": "busy"}, headers={"Retry-After": "1"})
    server.answer(200, {"id": CONTACT_ID})
    start = time.monotonic()
    assert client(sdk, server, http).contact.get_contact(id=CONTACT_ID).id == CONTACT_ID  # ids are plain strings
    assert 1.0 <= time.monotonic() - start < budget() + 1.0


def test_retry_after_as_an_http_date_is_honoured_then_raises_rate_limit_error(sdk, server, http):
    when = email.utils.formatdate(time.time() + 2, usegmt=True)  # whole seconds: waits between 1 and 2 s
    for _ in range(2):
        server.answer(429, {"message": "slow down"}, headers={"Retry-After": when})
    start = time.monotonic()
    with pytest.raises(sdk.RateLimitError) as caught:
        client(sdk, server, http, retries=sdk.RetryPolicy(max_attempts=2, backoff=BACKOFF)).contact.get_contact(
            id=CONTACT_ID)
    assert 0.9 <= time.monotonic() - start < 2 + budget(2)
    assert caught.value.status_code == 429 and caught.value.headers["Retry-After"] == when
    assert len(server.requests) == 2


def test_retry_after_beyond_the_policys_ceiling_is_capped(sdk, server, http):
    server.answer(503, {"message": "busy"}, headers={"Retry-After": "3600"})
    server.answer(200, {"id": CONTACT_ID})
    start = time.monotonic()
    client(sdk, server, http, retries=sdk.RetryPolicy(max_backoff=0.2)).contact.get_contact(id=CONTACT_ID)
    assert time.monotonic() - start < 0.2 + 1.0


def test_a_redirect_loop_is_not_followed_or_ends_in_one_transport_error(sdk, server, http):
    server.answer(302, headers={"Location": f"/contacts/{CONTACT_ID}"})
    with pytest.raises(sdk.UnexpectedStatusError) as caught:  # the SDK's own pool does not follow redirects
        client(sdk, server, http).contact.get_contact(id=CONTACT_ID)
    assert caught.value.status_code == 302 and len(server.requests) == 1
    with httpx.Client(follow_redirects=True, max_redirects=5) as following:
        for _ in range(10):
            server.answer(302, headers={"Location": f"/contacts/{CONTACT_ID}"})
        with pytest.raises(sdk.TransportError, match="TooManyRedirects"):
            client(sdk, server, following).contact.get_contact(id=CONTACT_ID)
        assert_no_connection_checked_out(following)
    assert len(server.requests) == 1 + 6  # one loop of 1 + max_redirects requests, not retried


@pytest.mark.parametrize(("raw", "content_type", "reason"), [
    (b"<html><body>502 Bad Gateway</body></html>", "text/html", "content type text/html is not JSON"),
    (b'{"id": "' + CONTACT_ID.encode() + b'", "first_na', "application/json", "/: Invalid JSON: EOF"),
    (b"[" * 5000 + b"]" * 5000, "application/json", "recursion limit exceeded"),
    (b'{"id": 12345}', "application/json", "/id"),
    (b'{"id": "\xff"}', "application/json", "/: Invalid JSON"),
])
def test_a_success_body_that_does_not_match_raises_response_validation_error(sdk, server, http, raw, content_type,
                                                                              reason):
    server.answer(200, raw=raw, headers={"Content-Type": content_type, "Set-Cookie": f"s={TOKEN}"})
    with pytest.raises(sdk.ApiError) as caught:  # `except ApiError` sees it, with the status and the body
        client(sdk, server, http).contact.get_contact(id=CONTACT_ID)
    error = caught.value
    assert isinstance(error, sdk.ResponseValidationError) and isinstance(error, sdk.ClientError)
    assert error.status_code == 200 and reason in error.reason and reason in str(error)
    assert error.body == raw[:1024].decode("utf-8", errors="replace")
    assert error.headers["content-type"] == content_type and error.headers["set-cookie"] == "[REDACTED]"
    assert TOKEN not in str(error) and len(server.requests) == 1  # a body is not retried


def test_an_error_body_nested_too_deep_keeps_its_status_and_text(sdk, server, http):
    server.answer(404, raw=b"[" * 100_000, headers={"Content-Type": "application/json"})
    with pytest.raises(sdk.NotFoundError) as caught:
        client(sdk, server, http).contact.get_contact(id=CONTACT_ID)
    assert caught.value.body == "[" * 100_000


async def test_the_async_client_ends_faults_the_same_way(sdk, server):
    async with httpx.AsyncClient() as pool:
        async with sdk.AsyncClient(server.url, contact_token=TOKEN, http_client=pool, timeout=TIMEOUT,
                                   retries=sdk.RetryPolicy(max_attempts=2, backoff=BACKOFF)) as running:
            server.answer(fault="hang")
            server.answer(200, {"id": CONTACT_ID}, fault="reset")
            start = time.monotonic()
            with pytest.raises(sdk.TransportError):
                await running.contact.get_contact(id=CONTACT_ID)
            assert time.monotonic() - start < budget(2, TIMEOUT)
            server.answer(200, raw=b"<html/>", headers={"Content-Type": "text/html"})
            with pytest.raises(sdk.ResponseValidationError):
                await running.contact.get_contact(id=CONTACT_ID)
            await asyncio.sleep(0)
        assert_no_connection_checked_out(pool)
