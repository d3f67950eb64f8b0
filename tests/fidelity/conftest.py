"""The official balena Python SDK (balena-sdk 17.x) pointed at the sandbox, over real HTTP.

Each test runs an SDK call and asserts what the real API (as documented, and as open-balena-api implements
it) would answer. A failure surfaces as the SDK's own exception: for an HTTP error that is
``balena.exceptions.RequestError`` with ``status_code`` and the raw ``body`` (a JSON string for OData errors,
empty for 401s), so ``api_error`` decodes it for comparison with the API's quoted texts.

How the SDK is pointed at the sandbox: it derives ``api_endpoint`` from ``balena_host`` and reads it when the
pine client is built, so a first ``Balena`` writes ``api_endpoint``/``builder_url`` into a per-test settings
directory and a second one (the one used) reads them back. ``balena_host`` is ``sandbox.invalid`` (never
resolves), and ``no_real_network`` fails the test if any request leaves for another host.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import balena
import pytest
import requests
from balena import exceptions

from balena_pulumi.sandbox import seed

SANDBOX_HOST = "sandbox.invalid"


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch, sandbox):
    """Every HTTP request the SDK makes must go to the sandbox; anything else is refused and fails the test."""
    allowed = urlsplit(sandbox.url).netloc
    strays: list[str] = []
    real_send = requests.Session.send

    def guarded_send(self, request, **kwargs):
        if urlsplit(request.url).netloc != allowed:
            strays.append(f"{request.method} {request.url}")
            raise requests.ConnectionError(f"fidelity tests may only talk to the sandbox, not {request.url}")
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", guarded_send)
    yield
    assert strays == [], f"the SDK tried to reach hosts other than the sandbox: {strays}"


@pytest.fixture
def make_sdk(sandbox, tmp_path):
    """``make_sdk(token)`` -> a ``balena.Balena`` whose API is the sandbox, logged in with ``token``."""
    count = 0

    def factory(token: str) -> balena.Balena:
        nonlocal count
        count += 1
        cfg = {"balena_host": SANDBOX_HOST, "data_directory": str(tmp_path / f"balena-{count}")}
        writer = balena.Balena(cfg)
        writer.settings.set("api_endpoint", sandbox.url + "/")
        writer.settings.set("builder_url", sandbox.url + "/")
        b = balena.Balena(cfg)  # the pine client reads api_endpoint at construction
        assert b.pine.api_prefix == sandbox.url + "/v7/"
        b.auth.login_with_token(token)
        return b

    return factory


@pytest.fixture
def sdk(clean_sandbox, make_sdk) -> balena.Balena:
    """The SDK logged in with the admin's session token (a JWT), on a freshly reset default seed."""
    return make_sdk(clean_sandbox.session_token)


@pytest.fixture
def key_sdk(clean_sandbox, make_sdk) -> balena.Balena:
    """The SDK logged in with the admin's user API key."""
    return make_sdk(clean_sandbox.api_key)


def api_error(exc: exceptions.RequestError) -> tuple[int, str]:
    """(status, message) of an SDK RequestError: the JSON-string body decoded, or the raw text."""
    body = exc.body
    try:
        decoded = json.loads(body)
    except ValueError:
        return exc.status_code, body
    return exc.status_code, decoded if isinstance(decoded, str) else body


def raises_api_error(fn, status: int, message: str) -> None:
    with pytest.raises(exceptions.RequestError) as info:
        fn()
    assert api_error(info.value) == (status, message)


@pytest.fixture
def requests_log(clean_sandbox):
    """``requests_log()`` -> ``[(method, path), ...]`` the sandbox received since the last call."""

    def take():
        out = [(r["method"], r["path"]) for r in clean_sandbox.requests()]
        clean_sandbox.clear_requests()
        return out

    clean_sandbox.clear_requests()
    return take


PRODUCTION_ID, STAGING_ID = 1, 2
DEVICE_UUID = seed.PRODUCTION_DEVICE_UUIDS[0]  # device 1, in production
DEVICE_ID = 1
FLEET_TARGET_ID = 5  # production's target release (newest trackable)
FAILED_RELEASE_ID = 6
