"""File-based Pulumi projects driven the way a user drives them: the `pulumi` command in a project directory.

Unlike ``harness.Deployment`` (inline programs through the Automation API), nothing here runs Pulumi in
this process: each step is the real CLI as a subprocess, which starts the Python language host
(tools/pulumi/python-host), which runs the project's ``__main__.py`` with the interpreter its Pulumi.yaml
names. A ``Workspace`` is one user's machine: its own ``PULUMI_HOME`` (where `pulumi login` is kept), a
copy of a project directory (stack config files are written there), a passphrase and a PATH.

The PATH holds the CLI's directory and the system's, but not this interpreter's environment, and a decoy
``python3``/``python`` that fails loudly comes first: a program or plugin that runs at all proves that the
project's ``virtualenv`` option chose its interpreter. Tests that need the venv's ``python3`` (a policy
pack has no virtualenv of its own) put it back with ``venv_on_path=True``, as `eval "$(scripts/bootstrap)"`
does for a user.
"""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
PASSPHRASE = "correct horse battery staple"
DECOY = """#!/bin/sh
echo "decoy $(basename "$0") on PATH was run ($*): the project's virtualenv should have been used" >&2
exit 97
"""


class CommandFailed(AssertionError):
    pass


def copy_project(source: Path, dest: Path) -> Path:
    """Copy a project's own files (not stack state or caches) into ``dest``."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", ".venv", "*.pyc"))
    return dest


def link_venv(directory: Path, name: str = ".venv") -> None:
    """``directory/<name>`` -> this interpreter's environment (the one with balena_pulumi installed)."""
    (directory / name).symlink_to(VENV, target_is_directory=True)


class Workspace:
    """One user's CLI set-up around one project directory."""

    def __init__(self, bin_dir: Path, project: Path, home: Path, *, venv_on_path: bool = False,
                 env: dict[str, str] | None = None) -> None:
        self.bin_dir = bin_dir
        self.project = project
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        decoys = home / "decoy-bin"
        decoys.mkdir(exist_ok=True)
        for name in ("python3", "python"):
            (decoys / name).write_text(DECOY)
            (decoys / name).chmod(0o755)
        venv_bin = str(VENV / "bin")
        system = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
        path = [str(bin_dir)] + ([venv_bin] if venv_on_path else [str(decoys)]) + system
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("PULUMI_", "VIRTUAL_ENV", "BALENA_")) and k not in ("PWD", "OLDPWD")}
        self.env = {
            **base,
            "PATH": os.pathsep.join(path),
            "PULUMI_HOME": str(home / ".pulumi"),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            # No release checks or plugin downloads: this machine cannot reach them and nothing here needs them.
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            **(env or {}),
        }
        self.log: list[str] = []

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        started = time.monotonic()
        proc = subprocess.run(
            ["pulumi", *args, "--non-interactive"], cwd=self.project, env=self.env, capture_output=True, text=True, timeout=timeout,
        )
        self.log.append(
            f"$ pulumi {' '.join(args)}  (exit {proc.returncode}, {time.monotonic() - started:.1f}s)\n"
            f"{proc.stdout}{proc.stderr}"
        )
        if check and proc.returncode != 0:
            raise CommandFailed(f"`pulumi {' '.join(args)}` failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            ["pulumi", *args, "--non-interactive"], cwd=self.project, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    # -- what a user types ---------------------------------------------------------------------------

    def login(self, url: str) -> None:
        self.run("login", url)

    def stack_init(self, name: str) -> None:
        self.run("stack", "init", name)

    def configure_sandbox(self, url: str, token: str) -> None:
        self.run("config", "set", "balena:apiUrl", url)
        self.run("config", "set", "--secret", "balena:apiToken", token)

    def outputs(self) -> dict[str, Any]:
        return json.loads(self.run("stack", "output", "--json", "--show-secrets").stdout)

    def export(self) -> dict[str, Any]:
        return json.loads(self.run("stack", "export").stdout)

    def resources(self) -> dict[str, dict[str, Any]]:
        """The stack's resources by name (without the stack and provider entries)."""
        found = {}
        for res in self.export()["deployment"].get("resources", []):
            if res["type"] == "pulumi:pulumi:Stack" or res["type"].startswith("pulumi:providers:"):
                continue
            found[res["urn"].rsplit("::", 1)[1]] = res
        return found


def summary(output: str) -> dict[str, int]:
    """The last "Resources:" block of a CLI run (`up` prints its preview's first): {"created": 29, ...}."""
    counts: dict[str, int] = {}
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == "Resources:"]
    if not starts:
        return counts
    start = starts[-1]
    for line in lines[start + 1:]:
        words = line.strip().lstrip("+-~=").split()
        if len(words) < 2 or not words[0].isdigit():
            break
        counts[" ".join(words[1:])] = int(words[0])
    return counts


# "- [advisory] [severity: medium]  fleets-require-tags  (pulumi-python:dynamic/balena:Fleet: kiosks)"
_VIOLATION = re.compile(r"^\s*- \[(mandatory|advisory)\]\s+(?:\[severity: \w+\]\s+)?(\S+)\s+\(([^:]+(?::[^:]+)*?): ([^)]+)\)")


def violations(output: str) -> set[tuple[str, str]]:
    """(policy name, resource name) of every violation line the engine printed."""
    found = set()
    for line in output.splitlines():
        match = _VIOLATION.match(line)
        if match:
            found.add((match.group(2), match.group(4).strip()))
    return found
