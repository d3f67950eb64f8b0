"""Faults that act after the write is committed (the answer is lost, or the connection reset), fault
filters by methods and path prefix, reproducible rates, the request log's fault marker, and correctness
under concurrent requests."""

from __future__ import annotations

import threading

import pytest
import requests

from .helpers import session


def tag_body(n: int) -> dict:
    return {"application": 1, "tag_key": f"k{n}", "value": f"v{n}"}


def tag_keys(api) -> list[str]:
    return [t["tag_key"] for t in api.d("/v7/application_tag?$select=tag_key&$orderby=id asc")]


def test_answer_lost_stores_the_write_and_closes_without_any_response(clean_sandbox):
    clean_sandbox.inject_fault("answer_lost", count=1, methods=["POST"])
    api = session(clean_sandbox)
    with pytest.raises(requests.ConnectionError) as info:
        api.post("/v7/application_tag", tag_body(1))
    assert "RemoteDisconnected" in repr(info.value) or "without response" in repr(info.value)
    assert tag_keys(api) == ["k1"]  # the write is there although the client got no answer
    entry = clean_sandbox.requests()[0]
    assert (entry["method"], entry["path"], entry["status"], entry["fault"]) == (
        "POST", "/v7/application_tag", 201, "answer_lost")
    assert api.post("/v7/application_tag", tag_body(1)).status_code == 409  # a blind retry duplicates nothing


def test_reset_after_write_stores_the_write_and_resets_the_connection(clean_sandbox):
    clean_sandbox.inject_fault("reset_after_write", count=1, method="PATCH", path_prefix="/v7/device")
    api = session(clean_sandbox)
    with pytest.raises(requests.ConnectionError) as info:
        api.patch("/v7/device(1)", {"note": "after the reset"})
    assert "ConnectionResetError" in repr(info.value)
    assert api.d("/v7/device(1)?$select=note") == [{"note": "after the reset"}]
    log = clean_sandbox.requests()
    assert [(e["method"], e["status"], e["fault"]) for e in log] == [("PATCH", 200, "reset_after_write"),
                                                                    ("GET", 200, None)]


def test_reset_before_processing_stores_nothing(clean_sandbox):
    clean_sandbox.inject_fault("reset", count=1)
    api = session(clean_sandbox)
    with pytest.raises(requests.ConnectionError) as info:
        api.post("/v7/application_tag", tag_body(1))
    assert "ConnectionResetError" in repr(info.value)
    assert tag_keys(api) == []
    assert [(e["status"], e["fault"]) for e in clean_sandbox.requests()][0] == (None, "reset")


def test_a_failed_write_under_answer_lost_is_not_stored_either(clean_sandbox):
    clean_sandbox.inject_fault("answer_lost", count=1)
    api = session(clean_sandbox)
    with pytest.raises(requests.ConnectionError):
        api.post("/v7/application_tag", {"application": 1, "tag_key": "has space", "value": "v"})
    assert tag_keys(api) == []
    assert [(e["status"], e["fault"]) for e in clean_sandbox.requests()][0] == (400, "answer_lost")


def test_faults_are_limited_to_their_methods_and_path_prefix(clean_sandbox):
    requests.post(clean_sandbox.url + "/_sandbox/faults",
                  json={"kind": "answer_lost", "methods": ["POST", "DELETE"], "path_prefix": "/v7/application_tag"}
                  ).raise_for_status()
    api = session(clean_sandbox)
    assert api.get("/v7/application_tag").status_code == 200
    assert api.post("/v7/device_tag", {"device": 1, "tag_key": "k", "value": "v"}).status_code == 201
    with pytest.raises(requests.ConnectionError):
        api.post("/v7/application_tag", tag_body(1))
    assert api.patch("/v7/application_tag?$filter=tag_key eq 'k1'", {"value": "w"}).status_code == 200
    with pytest.raises(requests.ConnectionError):
        api.delete("/v7/application_tag?$filter=tag_key eq 'k1'")
    assert tag_keys(api) == []
    faults = requests.get(clean_sandbox.url + "/_sandbox/faults").json()
    assert faults == [{"kind": "answer_lost", "status": None, "retry_after": None, "latency_ms": None, "rate": None,
                       "count": None, "methods": ["DELETE", "POST"], "path_prefix": "/v7/application_tag",
                       "seed": None}]


def lost_pattern(sb, n=30) -> list[int]:
    sb.reset()
    sb.clear_requests()
    sb.clear_faults()
    sb.inject_fault("answer_lost", rate=0.25, seed=11, methods=["POST"])
    api = session(sb)
    lost = []
    for i in range(n):
        try:
            assert api.post("/v7/application_tag", tag_body(i)).status_code == 201
        except requests.ConnectionError:
            lost.append(i)
        assert api.get(f"/v7/application_tag?$filter=tag_key eq 'k{i}'").status_code == 200  # GETs untouched
    assert tag_keys(api) == [f"k{i}" for i in range(n)]  # every write stored, answered or not
    marked = [e for e in sb.requests() if e["fault"] == "answer_lost"]
    assert [e["status"] for e in marked] == [201] * len(lost)
    return lost


def test_a_rate_of_lost_answers_is_reproducible_with_a_seed(clean_sandbox):
    first = lost_pattern(clean_sandbox)
    assert 0 < len(first) < 30
    assert lost_pattern(clean_sandbox) == first


def test_fault_input_is_checked(clean_sandbox):
    url = clean_sandbox.url + "/_sandbox/faults"
    for body, error in [
        ({"kind": "answer_lost", "methods": "POST"}, "methods must be a list of HTTP methods"),
        ({"kind": "answer_lost", "methods": ["FETCH"]}, "unknown HTTP method 'FETCH'"),
        ({"kind": "answer_lost", "status": 500}, "status applies only to status faults, not answer_lost"),
        ({"kind": "reset_after_write", "rate": 2}, "rate must be between 0 and 1"),
    ]:
        r = requests.post(url, json=body)
        assert (r.status_code, r.json()) == (400, {"error": error}), body
    assert requests.get(url).json() == []


def test_the_request_log_marks_every_fault_and_reads_incrementally(clean_sandbox):
    sb = clean_sandbox
    sb.inject_fault("latency", latency_ms=20, count=1)
    sb.inject_fault("status", status=503, count=1, path_prefix="/v7/device")
    sb.inject_fault("drop", count=1, path_prefix="/v7/release")
    api = session(sb)
    assert api.get("/v7/application?$select=id").status_code == 200
    assert api.get("/v7/device?$top=1").status_code == 503
    with pytest.raises(requests.ConnectionError):
        api.get("/v7/release")
    assert api.get("/v7/release?$select=id").status_code == 200
    log = requests.get(sb.url + "/_sandbox/requests").json()
    assert [(e["path"], e["query"], e["status"], e["fault"], e["latency_ms"]) for e in log] == [
        ("/v7/application", "$select=id", 200, "latency", 20), ("/v7/device", "$top=1", 503, "status", 0),
        ("/v7/release", "", None, "drop", 0), ("/v7/release", "$select=id", 200, None, 0)]
    seqs = [e["seq"] for e in log]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    newer = requests.get(sb.url + f"/_sandbox/requests?since={seqs[1]}").json()
    assert [e["seq"] for e in newer] == seqs[2:]
    assert sb.requests(since=seqs[-1]) == []


def test_concurrent_writers_and_readers_lose_nothing(clean_sandbox):
    threads, per_thread = 16, 25
    errors: list[str] = []
    seen: dict[int, int] = {}

    def worker(t: int):
        api = session(clean_sandbox)
        try:
            for j in range(per_thread):
                r = api.post("/v7/application_environment_variable",
                             {"application": 1 + (j % 2), "name": f"T{t}_{j}", "value": f"{t}:{j}"})
                if r.status_code != 201:
                    errors.append(f"POST {t}/{j}: {r.status_code} {r.text}")
                got = api.get(f"/v7/application_environment_variable?$select=value&$filter=name eq 'T{t}_{j}'")
                if got.status_code != 200 or got.json()["d"] != [{"value": f"{t}:{j}"}]:
                    errors.append(f"GET {t}/{j}: {got.status_code} {got.text}")
                listing = api.get("/v7/application_environment_variable/$count")
                if listing.status_code != 200:
                    errors.append(f"COUNT {t}/{j}: {listing.status_code}")
            seen[t] = len(api.d(f"/v7/application_environment_variable?$select=id&$filter=startswith(name,'T{t}_')"))
        except requests.RequestException as e:  # a transport failure is an error too
            errors.append(f"thread {t}: {e!r}")

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join(timeout=120)
    assert not any(th.is_alive() for th in pool)
    assert errors == []
    assert seen == {t: per_thread for t in range(threads)}
    api = session(clean_sandbox)
    assert api.get("/v7/application_environment_variable/$count").json() == {"d": threads * per_thread}
    rows = api.d("/v7/application_environment_variable?$select=name,value")
    assert sorted((r["name"], r["value"]) for r in rows) == sorted(
        (f"T{t}_{j}", f"{t}:{j}") for t in range(threads) for j in range(per_thread))
    log = clean_sandbox.requests()
    assert len(log) == threads * per_thread * 3 + threads + 2
    assert all(e["status"] == 200 or (e["method"] == "POST" and e["status"] == 201) for e in log)
