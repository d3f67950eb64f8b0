"""Safe retries and unknown outcomes, over real HTTP on loopback, with faults that strike after the server
has taken the request in (a committed write whose answer is lost, a reset, a slow answer).

A request that cannot create a second object is sent again; a POST that may have been stored is sent
once and ends in ``OutcomeUnknown``, whose ``cause`` says what was observed.
"""

from __future__ import annotations

import pickle
import time

import pytest

from balena_pulumi.client import BalenaClient, OutcomeUnknown, RateLimited, ServerError, TransportError
from balena_pulumi.client.transport import Transport

from .scripted_server import ScriptedServer


@pytest.fixture
def server():
    with ScriptedServer() as s:
        yield s


def transport(server: ScriptedServer, **options) -> Transport:
    settings = {"max_retries": 3, "max_retry_wait": 10, "backoff_factor": 0.01, "read_timeout": 0.5}
    settings.update(options)
    return Transport(server.url, "an-api-key", **settings)


BODY = {"application": 1, "tag_key": "owner", "value": "ops"}


@pytest.mark.parametrize("fault", ["drop", "reset"])
def test_a_post_whose_answer_is_lost_is_sent_once_and_its_outcome_is_unknown(server, fault):
    server.script((fault,))
    with pytest.raises(OutcomeUnknown) as failure:
        transport(server).request("POST", "/v7/application_tag", json_body=BODY)
    assert server.count("POST") == 1
    err = failure.value
    assert (err.method, err.path, err.status) == ("POST", "/v7/application_tag", None)
    assert isinstance(err.cause, TransportError)
    reason = {"drop": "connection closed before an answer", "reset": "connection reset before an answer"}[fault]
    assert str(err) == (
        f"POST /v7/application_tag -> outcome unknown ({reason}): the request reached the API, which may or "
        "may not have stored it; nothing was sent again"
    )


def test_a_post_that_times_out_is_sent_once_and_its_outcome_is_unknown(server):
    server.script(("hold",))
    with pytest.raises(OutcomeUnknown) as failure:
        transport(server, read_timeout=0.3).request("POST", "/v7/application_tag", json_body=BODY)
    # The client has given up, so every send it made has arrived: there was exactly one.
    assert server.count("POST") == 1
    assert "(no answer within the read timeout of 0.3s)" in str(failure.value)


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_post_answered_with_a_5xx_other_than_503_is_sent_once_and_its_outcome_is_unknown(server, status):
    server.script(("status", status))
    with pytest.raises(OutcomeUnknown) as failure:
        transport(server).request("POST", "/v7/application_tag", json_body=BODY)
    assert server.count("POST") == 1
    err = failure.value
    assert err.status == status and isinstance(err.cause, ServerError) and err.cause.status == status
    assert str(err).startswith(f"POST /v7/application_tag -> outcome unknown ({status} ")


def test_a_post_answered_503_then_429_is_retried_honouring_retry_after(server):
    server.script(("status", 503, {"Retry-After": "1"}), ("status", 429, {"Retry-After": "1"}), ("ok", {"id": 7}))
    started = time.monotonic()
    assert transport(server).request("POST", "/v7/application_tag", json_body=BODY) == {"id": 7}
    assert time.monotonic() - started >= 2.0
    assert server.count("POST") == 3


def test_a_post_that_could_not_connect_is_a_transport_error_not_an_unknown_outcome():
    t = Transport("http://127.0.0.1:9", "k", connect_timeout=0.5, max_retries=1, backoff_factor=0.01)
    with pytest.raises(TransportError) as failure:
        t.request("POST", "/v7/application_tag", json_body=BODY)
    assert type(failure.value) is TransportError
    assert str(failure.value) == "POST /v7/application_tag -> TransportError: connection refused or unreachable"


@pytest.mark.parametrize("method", ["GET", "PATCH", "PUT", "DELETE"])
@pytest.mark.parametrize("fault", [("drop",), ("reset",), ("hold",), ("status", 500), ("status", 502)])
def test_requests_that_cannot_duplicate_are_retried_after_any_failure(server, method, fault):
    server.script(fault, fault)
    t = transport(server, read_timeout=0.3)
    assert t.request(method, "/v7/application_tag(5)", json_body=None if method == "GET" else {"value": "x"}) == {
        "d": []
    }
    assert server.count(method) == 3


def test_retries_of_a_read_are_bounded_and_end_in_the_last_failure(server):
    server.script(*[("status", 500)] * 3)
    with pytest.raises(ServerError) as failure:
        transport(server, max_retries=2).request("GET", "/v7/application")
    assert server.count("GET") == 3
    assert str(failure.value) == "GET /v7/application -> 500 Internal Server Error: (empty response body)"
    server.script(*[("drop",)] * 3)
    with pytest.raises(TransportError) as dropped:
        transport(server, max_retries=2).request("GET", "/v7/application")
    assert type(dropped.value) is TransportError  # a read can be sent again: its outcome is not in doubt
    assert server.count("GET") == 6


def test_a_retry_after_that_exceeds_the_wait_budget_ends_the_retries_at_once(server):
    server.script(("status", 503, {"Retry-After": "30"}))
    started = time.monotonic()
    with pytest.raises(ServerError) as failure:
        transport(server, max_retry_wait=5).request("GET", "/v7/application")
    assert time.monotonic() - started < 2 and server.count("GET") == 1
    assert failure.value.status == 503
    server.script(("status", 429, {"Retry-After": "30"}))
    with pytest.raises(RateLimited) as limited:
        transport(server, max_retry_wait=5).request("POST", "/v7/application", json_body={})
    assert limited.value.retry_after == 30


def test_backoff_grows_exponentially_with_jitter_within_the_wait_budget(server):
    # Four failures then success: the waits are about 0.05, 0.1, 0.2, 0.4 s scaled by [0.5, 1].
    server.script(*[("status", 502)] * 4)
    t = transport(server, max_retries=4, backoff_factor=0.05)
    started = time.monotonic()
    t.request("GET", "/v7/application")
    elapsed = time.monotonic() - started
    assert server.count("GET") == 5
    assert 0.375 <= elapsed < 0.75 + 1.0  # lower bound: half of 0.75 s; upper: full waits plus slack
    retry = t.retry
    for failures, ceiling in [(1, 0.05), (2, 0.1), (3, 0.2), (4, 0.4)]:
        state = retry
        for _ in range(failures):
            state = state.new(history=state.history + (_attempt(),))
        waits = {round(state.get_backoff_time(), 6) for _ in range(50)}
        assert all(ceiling / 2 <= w <= ceiling for w in waits), (failures, waits)
        assert len(waits) > 1, "no jitter"


def _attempt():
    from urllib3.util.retry import RequestHistory

    return RequestHistory("GET", "/", None, 502, None)


def test_outcome_unknown_survives_pickling_with_its_cause(server):
    server.script(("status", 502))
    with pytest.raises(OutcomeUnknown) as failure:
        transport(server).request("POST", "/v7/application_tag", json_body=BODY)
    back = pickle.loads(pickle.dumps(failure.value))
    assert type(back) is OutcomeUnknown and str(back) == str(failure.value)
    assert back.cause.status == 502


def test_the_client_pool_holds_as_many_connections_as_the_default_says():
    from balena_pulumi.client import set_default_pool_maxsize
    from balena_pulumi.client.transport import default_pool_maxsize

    before = default_pool_maxsize()
    try:
        set_default_pool_maxsize(48)
        client = BalenaClient("http://127.0.0.1:9", "k")
        assert client.transport.pool_maxsize == 48
        assert client.transport._session.get_adapter("http://x")._pool_maxsize == 48
        assert BalenaClient("http://127.0.0.1:9", "k", pool_maxsize=5).transport.pool_maxsize == 5
        with pytest.raises(ValueError):
            set_default_pool_maxsize(0)
    finally:
        set_default_pool_maxsize(before)
