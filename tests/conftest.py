"""Shared fixtures: one default-seeded sandbox per test session, reset on demand.

``sandbox`` is started once (session scope). Tests that write should take ``clean_sandbox`` instead: it
resets the sandbox to the default seed and clears the request log and faults first. The admin's session
token and API key do not change across resets.
"""

from __future__ import annotations

import pytest

from balena_pulumi.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox():
    sb = Sandbox(seed="default").start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture
def clean_sandbox(sandbox):
    sandbox.reset("default")
    sandbox.clear_requests()
    sandbox.clear_faults()
    yield sandbox
    sandbox.clear_faults()
