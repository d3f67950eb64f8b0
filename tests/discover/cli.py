"""Runs `balena-pulumi discover|up|preview` as a user does (a child process), against the sandbox.

Each ``Project`` is a fresh project directory holding a copy of the repository's ``Pulumi.yaml`` and its
own state directory (the file backend and CLI home that `balena-pulumi up` uses). What the tests look at is
what a user would: the command's output and exit status, the written files, the stack's state file and the
sandbox's request log.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


class Project:
    def __init__(self, sandbox: Any, pulumi_bin: Path, root: Path, *, stack: str = "adopted") -> None:
        self.sandbox = sandbox
        self.dir = root / "project"
        self.state_dir = root / "state"
        self.stack = stack
        self.dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "Pulumi.yaml", self.dir / "Pulumi.yaml")
        self.env = {
            **os.environ,
            "BALENA_API_URL": sandbox.url,
            "BALENA_API_KEY": sandbox.session_token,
            "BALENA_PULUMI_BIN": str(pulumi_bin),
            "PULUMI_CONFIG_PASSPHRASE": "",
        }
        self.env.pop("BALENA_PULUMI_BACKEND_DIR", None)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "balena_pulumi.cli", *args]
        if args and args[0] in ("discover", "up", "preview", "refresh", "destroy"):
            cmd += ["--stack", self.stack, "--project-dir", str(self.dir), "--state-dir", str(self.state_dir)]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=1200)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def discover(self, organization: str, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("discover", "--organization", organization, *extra, check=check)

    # -- files --------------------------------------------------------------------------------------

    @property
    def stack_path(self) -> Path:
        return self.dir / f"Pulumi.{self.stack}.yaml"

    def stack_file(self) -> dict[str, Any]:
        return yaml.safe_load(self.stack_path.read_text())

    def config(self) -> dict[str, Any]:
        return {k.split(":", 1)[1]: v for k, v in self.stack_file()["config"].items()}

    def edit_config(self, change) -> None:
        document = self.stack_file()
        change(document["config"])
        self.stack_path.write_text(yaml.safe_dump(document, sort_keys=False))

    # -- state --------------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        path = self.state_dir / "backend" / ".pulumi" / "stacks" / "balena-org" / f"{self.stack}.json"
        return json.loads(path.read_text())

    def state_text(self) -> str:
        """Every byte the backend stored (state, history, backups)."""
        return "\n".join(p.read_text(errors="replace") for p in sorted((self.state_dir / "backend").rglob("*.json")))

    def resources(self) -> list[dict[str, Any]]:
        return [r for r in self.state()["checkpoint"]["latest"].get("resources", [])
                if r["type"].startswith("pulumi-python:dynamic/balena:")]

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in self.sandbox.requests() if r["method"] in WRITE_METHODS]


def engine_summary(output: str) -> dict[str, int]:
    """The engine's ``Resources:`` block (``= 27 imported``, ``28 unchanged``, ``~ 1 updated``) as counts."""
    counts: dict[str, int] = {}
    lines = output.splitlines()
    if "Resources:" not in [line.strip() for line in lines]:
        return counts
    start = [line.strip() for line in lines].index("Resources:")
    for line in lines[start + 1:]:
        words = line.replace("+-", "").split()
        if not words or not any(w.isdigit() for w in words):
            break
        number = next(int(w) for w in words if w.isdigit())
        label = " ".join(w for w in words[words.index(str(number)) + 1:])
        counts[label] = number
    return counts
