"""Which dynamic-provider plugin the engine runs decides whether `import_` works.

The engine takes `pulumi-resource-pulumi-python` from PATH before the copy beside the CLI. With a plugin
that starts the SDK's server directly (what the stock script does) an import fails upstream's way; with
the console script this package installs in its environment, the same import adopts the fleet.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from pulumi import automation as auto

from .harness import Deployment
from .test_import import CASES, program

PLUGIN = "pulumi-resource-pulumi-python"
FLEET = next(c for c in CASES if c.kind == "Fleet")


class PluginOnPath(Deployment):
    """A stack whose engine finds ``plugin_dir`` first on PATH."""

    def __init__(self, *args, plugin_dir: Path, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plugin_dir = plugin_dir

    def _workspace_options(self) -> auto.LocalWorkspaceOptions:
        options = super()._workspace_options()
        options.env_vars["PATH"] = f"{self.plugin_dir}{os.pathsep}{options.env_vars['PATH']}"
        return options


def cli_only(pulumi_bin: Path, tmp_path: Path) -> Path:
    """A bin directory holding only the CLI, so no plugin comes from beside it by accident."""
    bin_dir = tmp_path / "cli" / "bin"  # PulumiCommand runs <root>/bin/pulumi
    bin_dir.mkdir(parents=True)
    (bin_dir / "pulumi").symlink_to(pulumi_bin / "pulumi")
    return bin_dir


def stock_plugin(tmp_path: Path) -> Path:
    directory = tmp_path / "stock"
    directory.mkdir()
    script = directory / PLUGIN
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -u -m pulumi.dynamic "$@"\n')
    script.chmod(0o755)
    return directory


def adopt(clean_sandbox, pulumi_bin, tmp_path, plugin_dir: Path) -> PluginOnPath:
    origin = Deployment(clean_sandbox, pulumi_bin, tmp_path / "origin", stack_name="origin")
    origin.up(program(FLEET))
    adopter = PluginOnPath(
        clean_sandbox, cli_only(pulumi_bin, tmp_path), tmp_path / "adopter", stack_name="adopter",
        plugin_dir=plugin_dir,
    )
    clean_sandbox.clear_requests()
    return adopter


def test_the_console_script_in_the_packages_environment_makes_import_work(clean_sandbox, pulumi_bin, tmp_path):
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / PLUGIN).exists(), "the package's console script is not installed in this environment"
    adopter = adopt(clean_sandbox, pulumi_bin, tmp_path, venv_bin)
    result = adopter.up(program(FLEET, "acme/imported"))
    assert result.summary.resource_changes.get("import") == 1
    assert adopter.writes() == []


def test_with_the_stock_plugin_import_fails_as_upstream_says(clean_sandbox, pulumi_bin, tmp_path):
    adopter = adopt(clean_sandbox, pulumi_bin, tmp_path, stock_plugin(tmp_path))
    with pytest.raises(auto.errors.CommandError) as failure:
        adopter.up(program(FLEET, "acme/imported"))
    assert "__provider" in str(failure.value)
    assert adopter.writes() == []
