"""Fixtures for the client's HTTP tests: clients on the shared sandbox (a real server over loopback).

The sandbox comes from ``tests/conftest.py`` (``clean_sandbox``: default seed, no faults, empty request
log). Nothing here is optional: if the sandbox or the client cannot be imported, collection fails.
"""

from __future__ import annotations

import pytest

from balena_pulumi.client import BalenaClient


@pytest.fixture
def sb(clean_sandbox):
    """The sandbox, reset to the default seed, with no faults and an empty request log."""
    return clean_sandbox


@pytest.fixture
def client(sb):
    """A client logged in with the sandbox session token, fast retries for tests."""
    c = BalenaClient(sb.url, sb.session_token, max_retries=3, max_retry_wait=10, backoff_factor=0.05, read_timeout=5)
    yield c
    c.close()


@pytest.fixture
def key_client(sb):
    """A client logged in with a user API key."""
    c = BalenaClient(sb.url, sb.api_key, max_retries=1, max_retry_wait=2, backoff_factor=0.05, read_timeout=5)
    yield c
    c.close()


class Requests:
    """Counts requests the sandbox saw since the last ``mark()``."""

    def __init__(self, sb):
        self.sb = sb

    def mark(self):
        self.sb.clear_requests()

    def since(self):
        return list(self.sb.requests())

    def count(self):
        return len(self.since())


@pytest.fixture
def log(sb):
    return Requests(sb)
