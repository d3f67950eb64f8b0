"""Token kind, repr hygiene and retry policy configuration (no network)."""

import base64
import json

from balena_pulumi.client import BalenaClient, get_client, clear_clients, token_kind_of
from balena_pulumi.client.transport import BalenaRetry, USER_AGENT


def _jwt():
    seg = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return f"{seg({'alg': 'HS256', 'typ': 'JWT'})}.{seg({'id': 1})}.c2ln"


def test_token_kind():
    assert token_kind_of(None) is None
    assert token_kind_of(_jwt()) == "session"
    assert token_kind_of("XyZ0123456789") == "api_key"
    assert token_kind_of("a.b.c") == "api_key"  # three segments, but no JSON header


def test_repr_never_shows_the_token():
    c = BalenaClient("http://127.0.0.1:9", "super-secret-key")
    assert "super-secret-key" not in repr(c) and "super-secret-key" not in repr(c.transport)
    assert c.transport._session.headers["Authorization"] == "Bearer super-secret-key"
    assert c.transport._session.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("balena-pulumi/") and "python-requests/" in USER_AGENT


def test_retry_policy_configuration():
    c = BalenaClient("http://127.0.0.1:9", max_retries=3, max_retry_wait=10)
    r = c.transport.retry
    assert isinstance(r, BalenaRetry)
    assert r.total == 3 and r.max_retry_wait == 10
    assert set(r.status_forcelist) == {429, 500, 502, 503, 504}
    assert "POST" not in r.allowed_methods
    assert r.is_retry("POST", 429) and r.is_retry("POST", 503)
    assert not r.is_retry("POST", 500) and not r.is_retry("POST", 502) and not r.is_retry("POST", 504)
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        assert all(r.is_retry(method, status) for status in (429, 500, 502, 503, 504))
    assert not r.is_retry("GET", 400) and not r.is_retry("GET", 401) and not r.is_retry("GET", 409)
    assert c.transport.timeout == (5.0, 30.0)


def test_get_client_caches_per_url_and_token():
    clear_clients()
    a = get_client("http://127.0.0.1:9/", "t1")
    assert get_client("http://127.0.0.1:9", "t1") is a
    assert get_client("http://127.0.0.1:9", "t2") is not a
    clear_clients()
