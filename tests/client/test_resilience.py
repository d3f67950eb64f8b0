"""Retries, error messages, hostile values and threads, against the sandbox over real HTTP."""

import threading
import time

import pytest

from balena_pulumi.client import (
    BadRequest,
    BalenaClient,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TransportError,
    odata,
)


def _hits(sb, method, prefix):
    return [r for r in sb.requests() if r["method"] == method and r["path"].startswith(prefix)]


def _eventually(condition, timeout=10.0, interval=0.02):
    """Poll ``condition`` until it returns a true value or the deadline passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def test_429_is_retried_after_retry_after_seconds(client, sb):
    sb.inject_fault("status", status=429, retry_after=1, count=2, path_prefix="/v7/organization")
    t = time.monotonic()
    assert client.organizations.list()
    assert time.monotonic() - t >= 2.0
    assert len(_hits(sb, "GET", "/v7/organization")) == 3


def test_429_retries_are_bounded_and_end_in_rate_limited(client, sb):
    sb.inject_fault("status", status=429, retry_after=1, count=50, path_prefix="/v7/organization")
    with pytest.raises(RateLimited) as exc:
        client.organizations.list()
    assert exc.value.retry_after == 1 and exc.value.status == 429
    assert len(_hits(sb, "GET", "/v7/organization")) == 4  # 1 + max_retries=3


def test_a_huge_retry_after_is_not_slept(client, sb):
    sb.inject_fault("status", status=429, retry_after=3600, count=5, path_prefix="/v7/organization")
    t = time.monotonic()
    with pytest.raises(RateLimited) as exc:
        client.organizations.list()
    assert time.monotonic() - t < 2 and exc.value.retry_after == 3600
    assert "retry after 3600s" in str(exc.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_for_reads(client, sb, status):
    sb.inject_fault("status", status=status, count=2, path_prefix="/v7/organization")
    assert client.organizations.list()
    assert len(_hits(sb, "GET", "/v7/organization")) == 3


@pytest.mark.parametrize("status", [500, 502])
def test_server_errors_are_retried_for_updates_and_deletes(client, sb, status):
    fleet = client.fleets.get_by_slug("acme/production")
    tags = client.tags("fleet")
    tag = tags.create(fleet.id, "retried", "1")
    sb.inject_fault("status", status=status, count=2, method="PATCH", path_prefix="/v7/application_tag")
    tags.update(tag.id, value="2")
    assert tags.get(tag.id).value == "2"
    assert [r["status"] for r in _hits(sb, "PATCH", "/v7/application_tag")] == [status, status, 200]
    sb.inject_fault("status", status=status, count=2, method="DELETE", path_prefix="/v7/application_tag")
    tags.delete(tag.id)
    with pytest.raises(NotFound):
        tags.get(tag.id)
    assert [r["status"] for r in _hits(sb, "DELETE", "/v7/application_tag")] == [status, status, 200]


def test_persistent_5xx_ends_in_server_error(client, sb):
    sb.inject_fault("status", status=502, count=50, path_prefix="/v7/organization")
    with pytest.raises(ServerError) as exc:
        client.organizations.list()
    assert exc.value.status == 502 and str(exc.value).startswith("GET /v7/organization")


def test_dropped_connections_are_retried_for_reads(client, sb):
    sb.inject_fault("drop", count=2, path_prefix="/v7/organization")
    assert client.organizations.list()


def test_post_is_retried_after_429_and_503(client, sb):
    fleet = client.fleets.get_by_slug("acme/production")
    sb.inject_fault("status", status=503, retry_after=1, count=1, method="POST", path_prefix="/v7/application_tag")
    tag = client.tags("fleet").create(fleet.id, "retried", "yes")
    assert tag.key == "retried"
    assert len(_hits(sb, "POST", "/v7/application_tag")) == 2


@pytest.mark.parametrize(
    "fault", [{"kind": "status", "status": 500}, {"kind": "status", "status": 502}, {"kind": "drop"}]
)
def test_post_is_not_retried_after_an_unsafe_failure_and_its_outcome_is_unknown(client, sb, fault):
    fleet = client.fleets.get_by_slug("acme/production")
    kind = fault.pop("kind")
    sb.inject_fault(kind, count=5, method="POST", path_prefix="/v7/application_tag", **fault)
    with pytest.raises(OutcomeUnknown) as failure:
        client.tags("fleet").create(fleet.id, "once", "only")
    assert len(_hits(sb, "POST", "/v7/application_tag")) == 1
    assert failure.value.status == fault.get("status")


def test_a_post_that_times_out_is_an_unknown_outcome_and_may_well_have_been_stored(sb):
    c = BalenaClient(sb.url, sb.session_token, read_timeout=0.5, max_retries=3, backoff_factor=0.05)
    fleet = c.fleets.get_by_slug("acme/production")
    sb.inject_fault("latency", latency_ms=1500, count=1, method="POST", path_prefix="/v7/application_tag")
    with pytest.raises(OutcomeUnknown) as failure:
        c.tags("fleet").create(fleet.id, "slow", "x")
    assert "(no answer within the read timeout of 0.5s)" in str(failure.value)
    # The sandbox finishes the request after its latency: the tag the client heard nothing about exists.
    assert _eventually(lambda: _hits(sb, "POST", "/v7/application_tag"))
    assert c.tags("fleet").find(fleet.id, "slow").value == "x"
    assert [r["status"] for r in _hits(sb, "POST", "/v7/application_tag")] == [201]


def test_connection_refused_is_a_transport_error():
    c = BalenaClient("http://127.0.0.1:9", "tok", connect_timeout=0.5, max_retries=1, backoff_factor=0.01)
    with pytest.raises(TransportError) as exc:
        c.organizations.list()
    assert "tok" not in str(exc.value) and str(exc.value).startswith("GET /v7/organization")


def test_errors_carry_method_path_status_and_the_decoded_message_never_the_token(client, sb):
    fleet = client.fleets.get_by_slug("acme/production")
    with pytest.raises(BadRequest) as exc:
        client.variables("fleet_env").create(fleet.id, "BALENA_RESERVED", "x")
    err = exc.value
    assert (err.method, err.path, err.status) == ("POST", "/v7/application_environment_variable", 400)
    assert err.api_message == "Environment variables beginning with RESIN_, BALENA_ are reserved."
    assert str(err) == (
        "POST /v7/application_environment_variable -> 400 Bad Request: "
        "Environment variables beginning with RESIN_, BALENA_ are reserved."
    )
    assert sb.session_token not in str(err) and sb.session_token not in repr(err)


HOSTILE = [
    "it's",
    "a/b",
    "100%",
    "a&b=c",
    "x#y",
    "1+1",
    "why?",
    "two words",
    "ünïcødé ☃",
    "') or (1 eq 1",
    "''",
    "%27",
    "%2F",
    "a;b,c(d)",
]


def test_hostile_values_round_trip_by_key_and_by_filter(client):
    fleet = client.fleets.get_by_slug("acme/production")
    tags, env = client.tags("fleet"), client.variables("fleet_env")
    made = []
    for i, value in enumerate(HOSTILE):
        key = value.replace(" ", "_")  # tag keys cannot hold whitespace
        t = tags.create(fleet.id, key, value)
        made.append(t)
        assert (t.key, t.value) == (key, value)
        assert tags.find(fleet.id, key).id == t.id
        by_filter = tags.list(fleet.id, where=odata.eq("value", value))
        assert [x.id for x in by_filter] == [t.id]
        v = env.create(fleet.id, f"HOSTILE_{i}", value)
        assert env.list(fleet.id, where=odata.eq("value", value))[0].id == v.id
    # The injection attempt matched exactly its own row, never everything.
    assert len(tags.list(fleet.id, where=odata.eq("tag_key", "')_or_(1_eq_1"))) == 1


def test_hostile_values_in_device_names_and_ssh_titles(client):
    for title in HOSTILE:
        k = client.ssh_keys.create(title, f"ssh-ed25519 AAAA{abs(hash(title))}")
        got = client.ssh_keys._list(odata.eq("title", title))
        assert [x.id for x in got] == [k.id]
        client.ssh_keys.delete(k.id)


def test_many_threads_share_one_client(client):
    fleet = client.fleets.get_by_slug("acme/production")
    tags = client.tags("fleet")
    errors = []

    def work(n):
        try:
            for j in range(5):
                t = tags.create(fleet.id, f"t{n}_{j}", str(n))
                assert tags.get(t.id).value == str(n)
                assert client.fleets.get_by_slug("acme/production").id == fleet.id
                tags.update(t.id, value=f"{n}-{j}")
                tags.delete(t.id)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert not [t for t in tags.list(fleet.id) if t.key.startswith("t")]


def test_concurrent_cold_lookups_of_one_key_send_one_request(client, sb):
    sb.clear_requests()
    barrier = threading.Barrier(8)
    found = []

    def work():
        barrier.wait()
        found.append(client.fleets.get_by_slug("acme/production").id)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 1 and len(found) == 8
    assert [r["method"] for r in sb.requests()] == ["GET"]


def test_concurrent_first_writes_that_need_the_user_ask_whoami_once(client, sb):
    # SSH keys are created for the token's user: eight at once, before anyone knew the user, once sent
    # up to eight whoami requests (the engine creates resources in parallel).
    sb.inject_fault("latency", latency_ms=200, count=1, method="GET", path_prefix="/actor/v1/whoami")
    sb.clear_requests()
    barrier = threading.Barrier(8)
    users = []

    def work():
        barrier.wait()
        users.append(client.user_id())

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(users) == 8 and len(set(users)) == 1
    assert [(r["method"], r["path"]) for r in sb.requests()] == [("GET", "/actor/v1/whoami")]
