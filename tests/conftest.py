"""Shared fixtures: one default-seeded sandbox per test session, reset on demand.

``sandbox`` is started once (session scope); tests that only read may use it. Tests that write take
``clean_sandbox``: it resets the sandbox to the default seed and clears the request log and faults before
the test, and resets again afterwards. The admin's session
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
    # reset again so that read-only tests on the shared ``sandbox`` always see the default seed
    sandbox.clear_faults()
    sandbox.reset("default")
    sandbox.clear_requests()
