"""Many requests at once from one client (``BalenaClient.concurrently``, what a bulk resource writes with),
and the 429 gate every request of a client obeys, over real HTTP on loopback.
"""

from __future__ import annotations

import threading
import time

import pytest

from balena_pulumi.client import BalenaClient, NotFound, RateLimited
from balena_pulumi.client.client import default_concurrency

from .scripted_server import ScriptedServer


@pytest.fixture
def server():
    with ScriptedServer() as s:
        yield s


def client_of(server: ScriptedServer, **options) -> BalenaClient:
    settings = {"max_retries": 3, "max_retry_wait": 10, "backoff_factor": 0.01, "read_timeout": 5}
    settings.update(options)
    return BalenaClient(server.url, "an-api-key", **settings)


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def get(client: BalenaClient, n: int):
    return lambda: client.transport.request("GET", f"/v7/application({n})")


def test_calls_run_at_once_never_more_than_the_bound_and_each_reports_its_own_fate(server):
    client = client_of(server, concurrency=3)
    server.script(*[("delay", 0.3)] * 4, ("status", 404), ("delay", 0.3))

    started = time.monotonic()
    outcomes = client.concurrently([get(client, n) for n in range(6)])

    assert server.peak == 3  # three at once, never a fourth
    assert time.monotonic() - started < 6 * 0.3  # not one after the other
    failures = [error for _, error in outcomes if error is not None]
    assert len(failures) == 1 and isinstance(failures[0], NotFound)  # one failure stops nothing
    assert sum(1 for result, error in outcomes if error is None and result == {"d": []}) == 5


def test_the_bound_is_shared_by_every_caller_of_the_client(server):
    client = client_of(server, concurrency=2)
    server.script(*[("delay", 0.2)] * 8)

    callers = [threading.Thread(target=client.concurrently, args=([get(client, n) for n in range(4)],)) for _ in range(2)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(30)

    assert server.count("GET") == 8
    assert server.peak == 2


def test_the_bound_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("BALENA_PULUMI_CONCURRENCY", "5")
    assert default_concurrency() == 5 and BalenaClient("http://127.0.0.1:9", "k").concurrency == 5
    monkeypatch.setenv("BALENA_PULUMI_CONCURRENCY", "zero")
    assert default_concurrency() == 16


def test_a_429_holds_back_every_call_of_the_client_until_its_retry_after(server):
    client = client_of(server)
    server.script(("status", 429, {"Retry-After": "1"}))
    first = threading.Thread(target=get(client, 1))
    first.start()
    # Until the client has read the 429 it cannot know of it: a call made in between is sent at once.
    wait_for(lambda: client.transport.gate.remaining() > 0)

    get(client, 2)()  # made after the client read the 429: it waits for the Retry-After too, though it never got one
    first.join(10)

    limited_at = server.times[0]
    assert server.count("GET") == 3  # the 429, its retry, the second call
    assert min(server.times[1:]) - limited_at >= 0.95


def test_after_a_retry_after_longer_than_the_budget_other_calls_fail_at_once_without_a_request(server):
    client = client_of(server, max_retry_wait=10)
    server.script(("status", 429, {"Retry-After": "3600"}))
    with pytest.raises(RateLimited):
        get(client, 1)()

    started = time.monotonic()
    with pytest.raises(RateLimited) as failure:
        get(client, 2)()

    assert time.monotonic() - started < 1
    assert server.count("GET") == 1  # the second call never reached the server
    assert failure.value.retry_after is not None and failure.value.retry_after > 3500
    assert "not sent: the API asked this client to wait" in str(failure.value)
