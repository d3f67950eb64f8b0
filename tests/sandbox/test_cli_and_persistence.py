"""The ``balena-pulumi sandbox`` command and ``--state`` persistence across restarts."""

import os
import re
import subprocess
import sys

import requests

from balena_pulumi.sandbox import Sandbox


def start_cli(*args):
    proc = subprocess.Popen([sys.executable, "-m", "balena_pulumi.cli", "sandbox", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [proc.stdout.readline().rstrip("\n") for _ in range(4)]
    return proc, lines


def test_cli_prints_the_four_lines_and_serves(tmp_path):
    proc, lines = start_cli()
    try:
        m = re.fullmatch(r"balena sandbox listening on (http://127\.0\.0\.1:(\d+))", lines[0])
        assert m and int(m.group(2)) > 0
        url = m.group(1)
        assert lines[1] == f"BALENA_API_URL={url}"
        assert re.fullmatch(r"BALENA_SESSION_TOKEN=[\w-]+\.[\w-]+\.[\w-]+", lines[2])
        assert re.fullmatch(r"BALENA_API_KEY=\w{32}", lines[3])
        key = lines[3].split("=", 1)[1]
        r = requests.get(url + "/user/v1/whoami", headers={"Authorization": f"Bearer {key}"})
        assert r.json()["username"] == "admin"
    finally:
        proc.terminate()
        proc.wait(10)


def test_state_file_survives_a_restart_with_the_same_tokens(tmp_path):
    state = str(tmp_path / "state.db")
    with Sandbox(state_path=state) as sb:
        token, key = sb.session_token, sb.api_key
        r = requests.post(sb.url + "/v7/application_tag", json={"application": 1, "tag_key": "k", "value": "v"},
                          headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 201
    assert os.path.exists(state)
    with Sandbox(state_path=state, seed="empty") as sb:  # an existing state is not reseeded
        assert (sb.session_token, sb.api_key) == (token, key)
        r = requests.get(sb.url + "/v7/application_tag", headers={"Authorization": f"Bearer {token}"})
        assert [t["tag_key"] for t in r.json()["d"]] == ["k"]


def test_cli_state_flag_persists(tmp_path):
    state = str(tmp_path / "cli.db")
    proc, lines = start_cli("--state", state)
    try:
        url, key = lines[1].split("=", 1)[1], lines[3].split("=", 1)[1]
        requests.post(url + "/v7/device_tag", json={"device": 1, "tag_key": "k", "value": "v"},
                      headers={"Authorization": f"Bearer {key}"}).raise_for_status()
    finally:
        proc.terminate()
        proc.wait(10)
    proc, lines2 = start_cli("--state", state)
    try:
        assert lines2[2:] == lines[2:]
        url = lines2[1].split("=", 1)[1]
        r = requests.get(url + "/v7/device_tag", headers={"Authorization": f"Bearer {key}"})
        assert len(r.json()["d"]) == 1
    finally:
        proc.terminate()
        proc.wait(10)


def test_empty_seed_keeps_device_types_but_has_no_users_or_tokens():
    with Sandbox(seed="empty") as sb:
        assert sb.session_token is None and sb.api_key is None
        assert requests.get(sb.url + "/v7/application").json() == {"d": []}
        assert len(requests.get(sb.url + "/v7/device_type").json()["d"]) == 6


def test_seed_from_a_json_file(tmp_path):
    import json

    from balena_pulumi.sandbox import DEFAULT_SEED

    doc = json.loads(json.dumps(DEFAULT_SEED))
    doc["fleets"] = doc["fleets"][1:]
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(doc))
    with Sandbox(seed=str(path)) as sb:
        r = requests.get(sb.url + "/v7/application?$select=slug", headers={"Authorization": f"Bearer {sb.api_key}"})
        assert r.json() == {"d": [{"slug": "acme/staging"}]}
