"""A team's shared state backend: the root project on `pulumi login s3://...`, two people, one stack lock.

The S3-compatible server is moto's, on loopback, in this process. Between the providers and the sandbox
sits a gate (a loopback HTTP proxy) that holds the first `pulumi up`'s writes until the test lets them
through, so that up is certainly running, lock taken, while the second person's `pulumi up` starts: the
lock must refuse it, the first must then finish, and the second person must see the first one's state.
See docs/team-backend.md for the set-up this follows.
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import boto3
import pytest
from moto.server import ThreadedMotoServer

from .projects import Workspace, link_venv, summary
from .test_file_projects import SECRET, root_project

BUCKET = "acme-pulumi-state"
AWS = {"AWS_ACCESS_KEY_ID": "moto-key", "AWS_SECRET_ACCESS_KEY": "moto-secret", "AWS_REGION": "us-east-1"}


class Gate:
    """A loopback proxy to ``upstream`` that forwards reads at once and holds writes until ``release()``."""

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        self.opened = threading.Event()
        self.holding = threading.Event()
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                if self.command != "GET":
                    gate.holding.set()
                    gate.opened.wait(timeout=600)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    answer = conn.getresponse()
                    data = answer.read()
                finally:
                    conn.close()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def release(self) -> None:
        self.opened.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def s3_backend():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=AWS["AWS_REGION"],
                      aws_access_key_id=AWS["AWS_ACCESS_KEY_ID"], aws_secret_access_key=AWS["AWS_SECRET_ACCESS_KEY"])
    s3.create_bucket(Bucket=BUCKET)
    try:
        yield s3, f"s3://{BUCKET}?endpoint={host}:{port}&disable_https=true&use_path_style=true&region=us-east-1"
    finally:
        server.stop()


@pytest.fixture
def gate(clean_sandbox):
    g = Gate(clean_sandbox.url)
    try:
        yield g
    finally:
        g.close()


def stored_objects(s3) -> dict[str, str]:
    listed = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read().decode(errors="replace") for o in listed}


def test_two_people_share_the_s3_backend_and_the_lock_refuses_a_second_up_while_one_runs(
    clean_sandbox, pulumi_bin, language_host, tmp_path, s3_backend, gate
):
    s3, backend_url = s3_backend
    alice = Workspace(pulumi_bin, root_project(tmp_path / "alice"), tmp_path / "alice-home", env=AWS)
    alice.login(backend_url)
    alice.stack_init("demo")
    # The providers reach the sandbox through the gate; the config (Pulumi.demo.yaml) is what the team
    # commits, so Bob's checkout is a copy of Alice's after she configured the stack.
    alice.configure_sandbox(gate.url, clean_sandbox.session_token)
    alice.run("config", "set", "--secret", "--path", "balena-org:secretVariables.edge-gateways.API_TOKEN", SECRET)
    bob_project = tmp_path / "bob" / "balena-org"
    bob_project.mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.demo.yaml"):
        (bob_project / name).write_bytes((alice.project / name).read_bytes())
    link_venv(bob_project)
    bob = Workspace(pulumi_bin, bob_project, tmp_path / "bob-home", env=AWS)
    bob.login(backend_url)
    bob.run("stack", "select", "demo")

    first = alice.popen("up", "--yes")
    try:
        deadline = time.monotonic() + 300
        while not gate.holding.wait(timeout=0.2):
            assert first.poll() is None, f"Alice's up ended before its first write:\n{first.stdout.read()}"
            assert time.monotonic() < deadline, "Alice's up sent no write within 300 s"
        locks = [k for k in stored_objects(s3) if k.startswith(".pulumi/locks/")]
        assert len(locks) == 1, locks

        # Were the lock not honoured, Bob's up would reach the gate and wait there: bounded, not hung.
        second = bob.run("up", "--yes", check=False, timeout=180)

        assert first.poll() is None  # Alice's up was still running (held at the gate) the whole time
        refused = second.stdout + second.stderr
        assert second.returncode != 0
        assert "the stack is currently locked by 1 lock(s)" in refused, refused
        assert locks[0].split("/")[-1] in refused  # names the lock object, for `pulumi cancel`
    finally:
        gate.release()
        out, _ = first.communicate(timeout=600)
    assert first.returncode == 0, out
    assert summary(out)["created"] >= 25, out

    # The lock is gone and Bob works on the state Alice left: nothing to change.
    assert not [k for k in stored_objects(s3) if k.startswith(".pulumi/locks/")]
    bob.run("preview", "--expect-no-changes")
    objects = stored_objects(s3)
    assert any(k.startswith(".pulumi/stacks/balena-org/demo.json") for k in objects), sorted(objects)
    assert not any(SECRET in text or clean_sandbox.session_token in text for text in objects.values())
