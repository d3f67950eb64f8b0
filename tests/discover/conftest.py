"""Fixtures for the discover tests: the real Pulumi CLI (shared with tests/e2e) and fresh project directories."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import pulumi_bin  # noqa: F401  (the session fixture, reused)

from .cli import Project


@pytest.fixture
def project(clean_sandbox, pulumi_bin: Path, tmp_path: Path) -> Project:  # noqa: F811
    """A fresh project directory (a copy of Pulumi.yaml) with its own state, against a clean sandbox."""
    return Project(clean_sandbox, pulumi_bin, tmp_path / "a")
