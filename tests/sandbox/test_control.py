"""The control API: reset, seed, request log and counts, each fault kind; and the Python API."""

import time

import pytest
import requests

from balena_pulumi.sandbox import seed

from .helpers import session


def test_reset_restores_the_default_seed_and_keeps_tokens(clean_sandbox):
    api = session(clean_sandbox)
    token = clean_sandbox.session_token
    api.delete("/v7/device(1)")
    r = requests.post(clean_sandbox.url + "/_sandbox/reset", json={})
    assert r.status_code == 200
    assert clean_sandbox.session_token == token
    assert api.d(f"/v7/device(uuid='{seed.PRODUCTION_DEVICE_UUIDS[0]}')?$select=id") == [{"id": 1}]


def test_seed_endpoint_loads_a_custom_document(clean_sandbox):
    doc = {
        "token_owner": "zed",
        "cpu_architectures": ["amd64"],
        "device_types": [{"slug": "generic-amd64", "arch": "amd64"}],
        "users": [{"username": "zed", "email": "zed@example.com"}],
        "organizations": [{"handle": "zorg", "name": "Z", "members": {"zed": "administrator"}}],
        "fleets": [{"organization": "zorg", "app_name": "zfleet", "device_type": "generic-amd64",
                    "env": {"A": "1"}, "tags": {"t": "v"}}],
    }
    r = requests.post(clean_sandbox.url + "/_sandbox/seed", json=doc)
    assert r.status_code == 200
    api = session(clean_sandbox)
    assert api.get("/user/v1/whoami").json()["username"] == "zed"
    assert [a["slug"] for a in api.d("/v7/application")] == ["zorg/zfleet"]
    assert [v["name"] for v in api.d("/v7/application_environment_variable")] == ["A"]


def test_request_log_and_counts_cover_only_the_balena_api(clean_sandbox):
    api = session(clean_sandbox)
    api.get("/v7/application(1)?$select=id")
    api.get("/v7/application(2)")
    api.get("/v7/device")
    api.patch("/v7/device(1)", {"note": "n"})
    requests.get(clean_sandbox.url + "/_sandbox/requests")
    log = clean_sandbox.requests()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", "/v7/application(1)", 200), ("GET", "/v7/application(2)", 200), ("GET", "/v7/device", 200),
        ("PATCH", "/v7/device(1)", 200)]
    assert log[0]["query"] == "$select=id"
    counts = clean_sandbox.request_counts()
    assert counts["GET /v7/application(...)"] == 2 and counts["GET"] == 3 and counts["PATCH"] == 1
    assert requests.get(clean_sandbox.url + "/_sandbox/requests/counts").json() == counts
    assert requests.delete(clean_sandbox.url + "/_sandbox/requests").status_code == 200
    assert clean_sandbox.requests() == []


def test_rate_limit_fault_for_next_n_requests(clean_sandbox):
    clean_sandbox.inject_fault("status", status=429, retry_after=7, count=2, path_prefix="/v7/device")
    api = session(clean_sandbox)
    for _ in range(2):
        r = api.get("/v7/device")
        assert r.status_code == 429 and r.headers["Retry-After"] == "7" and r.json() == "Too Many Requests"
    assert api.get("/v7/application").status_code == 200
    assert api.get("/v7/device").status_code == 200
    assert [e["status"] for e in clean_sandbox.requests()] == [429, 429, 200, 200]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_faults(clean_sandbox, status):
    clean_sandbox.inject_fault("status", status=status, count=1, method="PATCH")
    api = session(clean_sandbox)
    assert api.get("/v7/device").status_code == 200
    assert api.patch("/v7/device(1)", {"note": "x"}).status_code == status
    assert api.patch("/v7/device(1)", {"note": "x"}).status_code == 200


def test_latency_fault(clean_sandbox):
    clean_sandbox.inject_fault("latency", latency_ms=300, count=1)
    api = session(clean_sandbox)
    t = time.monotonic()
    api.get("/v7/device_type")
    assert time.monotonic() - t >= 0.3
    t = time.monotonic()
    api.get("/v7/device_type")
    assert time.monotonic() - t < 0.3


def test_dropped_connection_fault(clean_sandbox):
    clean_sandbox.inject_fault("drop", count=1)
    with pytest.raises(requests.ConnectionError):
        requests.get(clean_sandbox.url + "/v7/device_type")
    assert requests.get(clean_sandbox.url + "/v7/device_type").status_code == 200
    assert clean_sandbox.requests()[0]["status"] is None


def test_rate_faults_are_reproducible_with_a_seed(clean_sandbox):
    def run():
        clean_sandbox.clear_faults()
        clean_sandbox.inject_fault("status", status=503, rate=0.5, seed=42)
        return [requests.get(clean_sandbox.url + "/v7/device_type").status_code for _ in range(20)]

    a, b = run(), run()
    assert a == b and 503 in a and 200 in a


def test_faults_over_http_and_control_is_never_faulted(clean_sandbox):
    r = requests.post(clean_sandbox.url + "/_sandbox/faults", json={"kind": "rate_limit", "retry_after": 3})
    assert r.status_code == 201
    assert requests.get(clean_sandbox.url + "/v7/device_type").status_code == 429
    assert requests.get(clean_sandbox.url + "/_sandbox/requests").status_code == 200
    assert requests.delete(clean_sandbox.url + "/_sandbox/faults").status_code == 200
    assert requests.get(clean_sandbox.url + "/v7/device_type").status_code == 200
    r = requests.post(clean_sandbox.url + "/_sandbox/faults", json={"kind": "explode"})
    assert r.status_code == 400


def test_keep_alive_connections_are_reused(sandbox):
    s = requests.Session()
    for _ in range(3):
        r = s.get(sandbox.url + "/v7/device_type", headers={"Authorization": f"Bearer {sandbox.api_key}"})
        assert r.status_code == 200
    assert r.raw.version == 11 and r.headers.get("Connection", "").lower() != "close"


def test_a_bad_seed_document_leaves_the_current_state_intact(clean_sandbox):
    r = requests.post(clean_sandbox.url + "/_sandbox/seed", json={"users": [{"no_username": 1}]})
    assert r.status_code == 400
    assert session(clean_sandbox).d("/v7/organization?$select=handle") == [{"handle": "acme"}]
