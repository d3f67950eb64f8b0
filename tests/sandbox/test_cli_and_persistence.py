"""The ``balena-pulumi sandbox`` command and ``--state`` persistence across restarts."""

import os
import re
import subprocess
import sys

import pytest
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


def test_a_state_file_from_another_table_layout_is_refused_with_a_message(tmp_path):
    import sqlite3

    from balena_pulumi.errors import BalenaPulumiError
    from balena_pulumi.sandbox import StateFileError

    state = tmp_path / "old.db"
    conn = sqlite3.connect(state)
    conn.execute('CREATE TABLE "_sandbox_meta" ("k" TEXT PRIMARY KEY, "v" TEXT)')
    conn.execute("INSERT INTO \"_sandbox_meta\" VALUES ('seeded', '1')")
    conn.commit()
    conn.close()
    with pytest.raises(StateFileError) as info:
        Sandbox(state_path=str(state)).start()
    assert isinstance(info.value, BalenaPulumiError)
    assert str(info.value).startswith(f"the sandbox state file {state} was written by a sandbox with a different "
                                      "table layout (unversioned, this one is ")
    proc = subprocess.run([sys.executable, "-m", "balena_pulumi.cli", "sandbox", "--state", str(state)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("balena sandbox: the sandbox state file ") and "Traceback" not in proc.stderr


def test_python_api_errors_are_sandbox_errors_with_plain_messages(sandbox):
    from balena_pulumi.sandbox import InputError, SandboxError

    with pytest.raises(SandboxError, match=r"^no user 'nobody'$"):
        sandbox.tokens_for("nobody")
    with pytest.raises(InputError, match=r"^age_seconds must be a number >= 0$"):
        sandbox.session_token_aged(-5)
    with pytest.raises(InputError, match=r"^unknown fault kind 'explode'; expected one of latency, status, "):
        sandbox.inject_fault("explode")
    with pytest.raises(InputError, match=r"^count must be a number$"):
        sandbox.inject_fault("drop", count="many")
    with pytest.raises(SandboxError, match=r"^the seed could not be loaded: KeyError: 'username'$"):
        sandbox.reset({"users": [{"no_username": 1}]})
    assert sandbox.tokens_for("carol")["user_id"] == 4  # the failed reset left the default seed in place
    with pytest.raises(SandboxError, match=r"^the sandbox is not started; call start\(\) first$"):
        Sandbox().tokens_for("carol")
