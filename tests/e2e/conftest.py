"""Fixtures for end-to-end tests: the real Pulumi CLI and a fresh stack against a clean sandbox."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from balena_pulumi.engine import find_bin_dir

from .harness import Deployment


@pytest.fixture(scope="session")
def pulumi_bin() -> Path:
    bin_dir = find_bin_dir()
    version = subprocess.run([str(bin_dir / "pulumi"), "version"], capture_output=True, text=True, check=True)
    print(f"\n[e2e] real Pulumi CLI {version.stdout.strip()} at {bin_dir}")
    return bin_dir


@pytest.fixture
def deployment(clean_sandbox, pulumi_bin: Path, tmp_path: Path) -> Deployment:
    """A new stack whose provider talks to the sandbox with the admin's session token."""
    return Deployment(clean_sandbox, pulumi_bin, tmp_path)


@pytest.fixture(scope="session")
def language_host(pulumi_bin: Path) -> Path:
    """The Python language host beside the CLI, which file-based projects and policy packs need."""
    launcher = pulumi_bin / "pulumi-language-python"
    if not launcher.exists():
        pytest.fail(
            f"no pulumi-language-python beside the CLI in {pulumi_bin}: file-based projects cannot run; "
            "run tools/pulumi/build.sh (scripts/bootstrap installs it)"
        )
    return launcher
