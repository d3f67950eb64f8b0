"""End-to-end harness: the real Pulumi CLI, a file backend and the sandbox, driven by the Automation API.

Each ``Deployment`` owns a temporary ``PULUMI_HOME``, a ``file://`` backend, passphrase secrets, no
update check and no plugin downloads. Programs are inline Python functions (the Automation API serves
them from this process, so no language host is involved). Tests assert on three things a user would
look at: the engine's result, the stack's state file, and the sandbox's request log.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from balena_pulumi.engine import offline_env, pulumi_command

PROJECT = "balena-e2e"

WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


def problem(kind: str, name: str, *lines: str) -> str:
    """What the engine prints under Diagnostics for a resource whose inputs fail the provider's check.

    The provider reports one failure per resource: a headline (the only line the progress display shows)
    and one line per problem, each naming the field and the rule; so each problem is printed once.
    """
    head = f"{len(lines)} invalid inputs" if len(lines) > 1 else "invalid input"
    body = "".join(f"\n    {line}" for line in lines)
    return f"error: pulumi-python:dynamic/balena:{kind} resource '{name}' has a problem: {head}:{body}"


def failed(step: str, message: str) -> str:
    """What the engine prints under Diagnostics when a provider call fails (``create``, ``update``,
    ``delete``, ``refresh``): the provider host's one-line headline, then the message, printed once."""
    return f"error: {step} failed:\n    {message}"


class Deployment:
    """One stack of the e2e project against one sandbox."""

    def __init__(
        self,
        sandbox: Any,
        bin_dir: Path,
        root: Path,
        *,
        token: str | None = None,
        stack_name: str = "test",
    ) -> None:
        self.sandbox = sandbox
        self.bin_dir = bin_dir
        self.root = root
        self.backend = root / "backend"
        self.stack_name = stack_name
        self.token = token if token is not None else sandbox.session_token
        self.output: list[str] = []
        self._stack: auto.Stack | None = None
        self._program: Callable[[], None] = lambda: None

    # -- setup -------------------------------------------------------------------------------------

    def _workspace_options(self) -> auto.LocalWorkspaceOptions:
        work_dir = self.root / "project"
        work_dir.mkdir(parents=True, exist_ok=True)
        return auto.LocalWorkspaceOptions(
            work_dir=str(work_dir),
            pulumi_home=str(self.root / "home"),
            env_vars=offline_env(self.bin_dir, self.root / "home", self.backend),
            project_settings=auto.ProjectSettings(
                name=PROJECT,
                runtime="python",
                backend=auto.ProjectBackend(url=self.backend.resolve().as_uri()),
            ),
            secrets_provider="passphrase",
            pulumi_command=pulumi_command(self.bin_dir),
        )

    @property
    def stack(self) -> auto.Stack:
        if self._stack is None:
            self._stack = auto.create_or_select_stack(
                stack_name=self.stack_name,
                project_name=PROJECT,
                program=self._run_program,
                opts=self._workspace_options(),
            )
            self._stack.set_config("balena:apiUrl", auto.ConfigValue(self.sandbox.url))
            self._stack.set_config("balena:apiToken", auto.ConfigValue(self.token, secret=True))
        return self._stack

    def _run_program(self) -> None:
        self._program()

    def _log(self, line: str) -> None:
        self.output.append(line)

    # -- operations --------------------------------------------------------------------------------

    def up(self, program: Callable[[], None]) -> auto.UpResult:
        self._program = program
        return self.stack.up(on_output=self._log, color="never")

    def preview(self, program: Callable[[], None], **kwargs: Any) -> auto.PreviewResult:
        self._program = program
        return self.stack.preview(on_output=self._log, color="never", **kwargs)

    def refresh(self) -> auto.RefreshResult:
        return self.stack.refresh(on_output=self._log, color="never")

    def destroy(self) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self._log, color="never")

    def outputs(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.stack.outputs().items()}

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """A `pulumi` command on this stack, as a user types it (e.g. `state delete URN --yes`)."""
        work_dir = Path(self.stack.workspace.work_dir)
        env = {**os.environ, **offline_env(self.bin_dir, self.root / "home", self.backend)}
        return subprocess.run(
            [str(self.bin_dir / "pulumi"), *args, "--stack", self.stack_name, "--non-interactive"],
            cwd=work_dir, env=env, capture_output=True, text=True, check=True,
        )

    # -- what the user can inspect -----------------------------------------------------------------

    def state_files(self) -> list[Path]:
        return sorted((self.backend / ".pulumi").rglob("*.json"))

    def state_text(self) -> str:
        """Every byte the backend stored (current state, history, backups), as text."""
        return "\n".join(path.read_text(errors="replace") for path in self.state_files())

    def state(self) -> dict[str, Any]:
        path = self.backend / ".pulumi" / "stacks" / PROJECT / f"{self.stack_name}.json"
        return json.loads(path.read_text())

    def resources(self, type_suffix: str | None = None) -> list[dict[str, Any]]:
        """Resources in the current state, without the stack and provider entries."""
        found = []
        for res in self.state()["checkpoint"]["latest"].get("resources", []):
            rtype = res["type"]
            if rtype == "pulumi:pulumi:Stack" or rtype.startswith("pulumi:providers:"):
                continue
            if type_suffix and not rtype.endswith(":" + type_suffix):
                continue
            found.append(res)
        return found

    def writes(self) -> list[dict[str, Any]]:
        """Write requests the sandbox received since the log was last cleared."""
        return [r for r in self.sandbox.requests() if r["method"] in WRITE_METHODS]
