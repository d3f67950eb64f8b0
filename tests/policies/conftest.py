"""Puts policies/ on sys.path (as the pack's __main__.py does) and turns secret detection on."""

import sys
from pathlib import Path

import pytest

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"
if str(POLICIES_DIR) not in sys.path:
    sys.path.insert(0, str(POLICIES_DIR))

from balena_guardrails import _secrets  # noqa: E402


@pytest.fixture(autouse=True)
def secret_detection():
    """The pack enables secret detection at start-up; unit tests run with it on, then restore pulumi-policy."""
    _secrets.enable_secret_detection()
    yield
    _secrets.disable_secret_detection()


@pytest.fixture(autouse=True)
def no_stack(monkeypatch):
    """No stack unless a test names one, so production detection is explicit."""
    monkeypatch.delenv("PULUMI_STACK", raising=False)
