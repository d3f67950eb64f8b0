"""The provider host on the real engine: which plugin the engine runs, what a user sees when a provider
fails, previews that never write, a provider that does not outlive its engine, and the recovery of a
create the engine never heard back about.

The engine takes `pulumi-resource-pulumi-python` from PATH before the copy beside the CLI, so each stack
here runs with a bin directory holding only the CLI and the chosen plugin first on PATH: the console
script this package installs (the host), or a script starting the SDK's server directly (the stock
plugin). Small providers defined in this file stand in where the balena kinds cannot show a behaviour;
the provider process imports them from this module (PYTHONPATH is the repository).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto
from pulumi import dynamic
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult
from pulumi.output import Unknown

from balena_pulumi import resources
from balena_pulumi.client import BalenaClient
from balena_pulumi.errors import BalenaPulumiError
from balena_pulumi.provider_context import UNKNOWN

from .harness import Deployment
from .test_import import CASES, program

PLUGIN = "pulumi-resource-pulumi-python"
FLEET = next(c for c in CASES if c.kind == "Fleet")
REPO = Path(__file__).resolve().parents[2]


class PluginOnPath(Deployment):
    """A stack whose engine finds ``plugin_dir`` first on PATH and can import this test module."""

    def __init__(self, *args, plugin_dir: Path, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plugin_dir = plugin_dir

    def _workspace_options(self) -> auto.LocalWorkspaceOptions:
        options = super()._workspace_options()
        options.env_vars["PATH"] = f"{self.plugin_dir}{os.pathsep}{options.env_vars['PATH']}"
        options.env_vars["PYTHONPATH"] = str(REPO)
        return options

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """Run the CLI on this stack directly (for options the Automation API does not offer)."""
        options = self._workspace_options()
        return subprocess.run(
            [str(self.bin_dir / "pulumi"), *args, "--stack", self.stack_name, "--non-interactive"],
            cwd=options.work_dir,
            env={**os.environ, **options.env_vars},
            capture_output=True,
            text=True,
            timeout=300,
        )


def cli_only(pulumi_bin: Path, tmp_path: Path) -> Path:
    """A bin directory holding only the CLI, so no plugin comes from beside it by accident."""
    bin_dir = tmp_path / "cli" / "bin"  # PulumiCommand runs <root>/bin/pulumi
    if not bin_dir.exists():
        bin_dir.mkdir(parents=True)
        (bin_dir / "pulumi").symlink_to(pulumi_bin / "pulumi")
    return bin_dir


def stock_plugin(tmp_path: Path) -> Path:
    directory = tmp_path / "stock"
    directory.mkdir(exist_ok=True)
    script = directory / PLUGIN
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -u -m pulumi.dynamic "$@"\n')
    script.chmod(0o755)
    return directory


def host_plugin() -> Path:
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / PLUGIN).exists(), "the package's console script is not installed in this environment"
    return venv_bin


def stack(sandbox, pulumi_bin, tmp_path, plugin_dir: Path, name: str = "test", root: str = "stack") -> PluginOnPath:
    return PluginOnPath(sandbox, cli_only(pulumi_bin, tmp_path), tmp_path / root, stack_name=name, plugin_dir=plugin_dir)


def eventually(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g}s")
        time.sleep(0.05)


# -- processes -----------------------------------------------------------------------------------------


def process_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, command line), from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        table[int(entry.name)] = (int(fields[1]), fields[0], cmdline)
    return table


def children(pid: int, needle: str) -> list[int]:
    return [p for p, (ppid, _, cmd) in process_table().items() if ppid == pid and needle in cmd]


def running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


class Background:
    """`pulumi up` of a stack in a thread, so that the test can kill the CLI under it."""

    def __init__(self, deployment: PluginOnPath, prog: Callable[[], None]) -> None:
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(deployment, prog), daemon=True)
        self.thread.start()

    def _run(self, deployment: PluginOnPath, prog: Callable[[], None]) -> None:
        try:
            deployment.up(prog)
        except BaseException as exc:  # noqa: BLE001 - the killed CLI's failure is expected and kept
            self.error = exc

    def cli(self) -> int:
        [pid] = eventually(lambda: children(os.getpid(), " up "), what="the CLI running `up`")
        return pid


# -- small providers -----------------------------------------------------------------------------------


class Probe(dynamic.Resource, module="hosttest", name="Probe"):
    def __init__(self, resource_name: str, provider: ResourceProvider, /, **props: Any) -> None:
        super().__init__(provider, resource_name, props, None)


class RefusingProvider(ResourceProvider):
    def create(self, props):
        raise BalenaPulumiError(
            "FleetTag acme/production:owner: the API refused to create a fleet tag: this client's API key may "
            "not write fleet tags of that fleet, or the fleet does not exist or is not visible to it"
        )


class BuggyProvider(ResourceProvider):
    def create(self, props):
        raise ValueError(f"no fleet called {props['fleet']}")


class NamedProvider(ResourceProvider):
    """An object whose `slug` output follows its `name`, and which can say so in a preview."""

    def create(self, props):
        return CreateResult(props["name"].lower(), {**props, "slug": props["name"].lower()})

    def update(self, id_, olds, news):
        return UpdateResult({**news, "slug": news["name"].lower()})

    def diff(self, id_, olds, news):
        return DiffResult(changes=olds.get("name") != news.get("name"), replaces=[])


class PredictingNamedProvider(NamedProvider):
    def preview_create(self, props):
        return {**props, "slug": props["name"].lower()}

    def preview_update(self, id_, olds, news):
        return {**news, "slug": news["name"].lower()}


class ChildProvider(ResourceProvider):
    """Hangs off a parent's slug: a known new slug is an in-place change, an unknown one could be anything."""

    def create(self, props):
        return CreateResult("child", dict(props))

    def update(self, id_, olds, news):
        return UpdateResult(dict(news))

    def diff(self, id_, olds, news):
        new = news.get("parent_slug")
        if isinstance(new, Unknown) or new == UNKNOWN:
            return DiffResult(changes=True, replaces=["parent_slug"])
        return DiffResult(changes=olds.get("parent_slug") != new, replaces=[])


def diagnostics(output: list[str], resource_line: str) -> list[str]:
    """The lines the engine's Diagnostics section shows under one resource."""
    text = "\n".join(output)
    section = text.split("\nDiagnostics:\n", 1)[1].split("\nResources:\n", 1)[0]
    blocks = section.split("\n\n")
    [block] = [b for b in blocks if b.strip().startswith(resource_line)]
    return [line.strip() for line in block.strip().splitlines()[1:]]


# -- which plugin --------------------------------------------------------------------------------------


def adopt(clean_sandbox, pulumi_bin, tmp_path, plugin_dir: Path) -> PluginOnPath:
    origin = Deployment(clean_sandbox, pulumi_bin, tmp_path / "origin", stack_name="origin")
    origin.up(program(FLEET))
    adopter = stack(clean_sandbox, pulumi_bin, tmp_path, plugin_dir, name="adopter", root="adopter")
    clean_sandbox.clear_requests()
    return adopter


def test_the_console_script_in_the_packages_environment_makes_import_work(clean_sandbox, pulumi_bin, tmp_path):
    adopter = adopt(clean_sandbox, pulumi_bin, tmp_path, host_plugin())
    result = adopter.up(program(FLEET, "acme/imported"))
    assert result.summary.resource_changes.get("import") == 1
    assert adopter.writes() == []


def test_with_the_stock_plugin_import_fails_as_upstream_says(clean_sandbox, pulumi_bin, tmp_path):
    adopter = adopt(clean_sandbox, pulumi_bin, tmp_path, stock_plugin(tmp_path))
    with pytest.raises(auto.errors.CommandError) as failure:
        adopter.up(program(FLEET, "acme/imported"))
    assert "__provider" in str(failure.value)
    assert adopter.writes() == []


# -- errors --------------------------------------------------------------------------------------------


def test_a_provider_error_reaches_the_user_once_as_its_message_with_no_prefix_and_no_traceback(
    clean_sandbox, pulumi_bin, tmp_path
):
    deployment = stack(clean_sandbox, pulumi_bin, tmp_path, host_plugin())
    with pytest.raises(auto.errors.CommandError):
        deployment.up(lambda: Probe("tag", RefusingProvider()))
    message = (
        "FleetTag acme/production:owner: the API refused to create a fleet tag: this client's API key may not "
        "write fleet tags of that fleet, or the fleet does not exist or is not visible to it"
    )
    assert diagnostics(deployment.output, "pulumi-python:dynamic/hosttest:Probe (tag):") == [
        "error: create failed:",
        message,
    ]
    everything = "\n".join(deployment.output)
    assert "Exception calling application" not in everything and "Traceback" not in everything
    # The progress lines (creating, then creating failed) show the error's first line only.
    assert everything.count(message) == 1
    assert "Probe tag **creating failed** error: create failed:" in everything


def test_a_bug_in_a_provider_shows_its_type_and_place_but_no_value(clean_sandbox, pulumi_bin, tmp_path):
    deployment = stack(clean_sandbox, pulumi_bin, tmp_path, host_plugin())
    with pytest.raises(auto.errors.CommandError):
        deployment.up(lambda: Probe("tag", BuggyProvider(), fleet="acme/secret-fleet"))
    line = BuggyProvider.create.__code__.co_firstlineno + 1
    assert diagnostics(deployment.output, "pulumi-python:dynamic/hosttest:Probe (tag):") == [
        "error: create failed:",
        "pulumi-python:dynamic/hosttest:Probe 'tag': unexpected error in Create (ValueError: no fleet called [value of fleet]) at "
        f"e2e/test_provider_host.py:{line} in create; this is a bug in balena-pulumi, please report it with this "
        "message"
    ]
    assert "secret-fleet" not in "\n".join(deployment.output)


# -- previews ------------------------------------------------------------------------------------------


def org_program(fleet_name: str, tag_key: str, with_config: bool, with_ssh_key: bool) -> Callable[[], None]:
    def run() -> None:
        fleet = resources.Fleet("fleet", organization="acme", name=fleet_name, device_type="raspberrypi4-64")
        resources.FleetEnvVar("log-level", fleet=fleet.slug, name="LOG_LEVEL", value="info")
        resources.FleetTag("tag", fleet="acme/production", key=tag_key, value="platform")
        if with_config:
            resources.FleetConfigVar("gpu", fleet="acme/production", name="BALENA_HOST_CONFIG_gpu_mem", value="64")
        if with_ssh_key:
            resources.SshKey("laptop", title="ops laptop", public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPreview")

    return run


def plan_of(deployment: PluginOnPath, prog: Callable[[], None]) -> list[tuple[str, str, tuple[str, ...]]]:
    steps: list[tuple[str, str, tuple[str, ...]]] = []

    def on_event(event: auto.EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre is not None and pre.metadata.type != "pulumi:pulumi:Stack":
            meta = pre.metadata
            steps.append((meta.urn.rsplit("::", 1)[-1], meta.op.value, tuple(sorted(meta.diffs or ()))))

    deployment.preview(prog, on_event=on_event)
    return sorted(steps)


def test_previews_send_no_write_and_plan_what_the_stock_plugin_plans(clean_sandbox, pulumi_bin, tmp_path):
    host = stack(clean_sandbox, pulumi_bin, tmp_path, host_plugin())
    stock = stack(clean_sandbox, pulumi_bin, tmp_path, stock_plugin(tmp_path))  # the same stack
    first = org_program("previewed", "owner", with_config=True, with_ssh_key=False)

    clean_sandbox.clear_requests()
    creates = plan_of(host, first)
    assert host.writes() == []
    assert creates == plan_of(stock, first)
    assert {op for _, op, _ in creates} == {"create"}

    host.up(first)
    # A rename of the fleet (its dependents follow its slug), a new tag key (replace), a new SSH key
    # (create) and a variable dropped (delete).
    second = org_program("previewed-renamed", "team", with_config=False, with_ssh_key=True)
    clean_sandbox.clear_requests()
    changes = plan_of(host, second)
    assert host.writes() == []
    assert changes == plan_of(stock, second)
    assert {op for _, op, _ in changes} >= {"update", "replace", "create", "delete"}


def named_program(provider: ResourceProvider, name: str) -> Callable[[], None]:
    def run() -> None:
        parent = Probe("parent", provider, name=name, slug=None)
        Probe("child", ChildProvider(), parent_slug=parent.slug)

    return run


def child_steps(deployment: PluginOnPath, prog: Callable[[], None]) -> tuple[tuple[str, ...], Any]:
    """The steps the preview plans for the child (a replacement is three) and its new `parent_slug`."""
    found: list[tuple[str, Any]] = []

    def on_event(event: auto.EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre is not None and pre.metadata.urn.endswith("::child"):
            new = pre.metadata.new  # None for the deletion of a replaced object
            found.append((pre.metadata.op.value, (new.inputs or {}).get("parent_slug") if new else None))

    deployment.preview(prog, on_event=on_event)
    return tuple(op for op, _ in found), found[0][1]


def test_a_predicted_output_reaches_a_dependent_in_preview_so_it_is_not_replaced(clean_sandbox, pulumi_bin, tmp_path):
    host = stack(clean_sandbox, pulumi_bin, tmp_path, host_plugin())
    host.up(named_program(PredictingNamedProvider(), "Gateways"))
    assert child_steps(host, named_program(PredictingNamedProvider(), "Edge")) == (("update",), "edge")

    # Without a prediction (the stock plugin, or a provider without preview_update) the new slug is
    # unknown in preview, and the dependent has to be shown as replaced.
    replaced = (("create-replacement", "replace", "delete-replaced"), UNKNOWN)
    stock = stack(clean_sandbox, pulumi_bin, tmp_path, stock_plugin(tmp_path))
    assert child_steps(stock, named_program(PredictingNamedProvider(), "Edge")) == replaced
    assert child_steps(host, named_program(NamedProvider(), "Edge")) == replaced


# -- the engine goes away ------------------------------------------------------------------------------


def test_the_provider_exits_within_seconds_when_the_cli_is_killed(clean_sandbox, pulumi_bin, tmp_path):
    deployment = stack(clean_sandbox, pulumi_bin, tmp_path, host_plugin())
    release = threading.Event()

    def slow_program() -> None:
        resources.FleetTag("owner", fleet="acme/production", key="owner", value="platform")
        # The program is still running when the CLI dies: a stack output that resolves only on release
        # (waited for off the event loop, which must stay free to register the tag).
        waiting = asyncio.get_event_loop().run_in_executor(None, release.wait, 120)
        pulumi.export("released", pulumi.Output.from_input(waiting))

    run = Background(deployment, slow_program)
    try:
        cli = run.cli()
        [provider] = eventually(lambda: children(cli, PLUGIN), what="the provider process")
        eventually(lambda: [r for r in clean_sandbox.requests() if r["method"] == "POST"], what="the tag's create")
        os.kill(cli, signal.SIGKILL)
        killed = time.monotonic()
        eventually(lambda: not running(provider), timeout=10, what="the provider's exit")
        print(f"\n[e2e] provider {provider} exited {time.monotonic() - killed:.2f}s after kill -9 of the CLI")
    finally:
        release.set()
        run.thread.join(60)
    assert isinstance(run.error, auto.errors.CommandError)


def test_a_create_the_killed_cli_never_heard_of_is_adopted_after_the_documented_recovery(
    clean_sandbox, pulumi_bin, tmp_path
):
    deployment = stack(clean_sandbox, pulumi_bin, tmp_path, host_plugin())
    journal = deployment.root / "home" / "balena-pulumi" / "creates"
    clean_sandbox.inject_fault("latency", latency_ms=3000, method="POST", path_prefix="/v7/application_tag")

    def prog() -> None:
        resources.FleetTag("owner", fleet="acme/production", key="owner", value="platform")

    run = Background(deployment, prog)
    cli = run.cli()
    [provider] = eventually(lambda: children(cli, PLUGIN), what="the provider process")
    eventually(lambda: list(journal.glob("*.json")), what="the create on its way")  # written just before the POST
    os.kill(cli, signal.SIGKILL)
    run.thread.join(60)
    # The API stores the tag after its latency; the provider hears the answer, notes it, and exits.
    eventually(lambda: not running(provider), timeout=15, what="the provider's exit")
    client = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    fleet_id = client.fleets.get_by_slug("acme/production").id
    tag = client.tags("fleet").find(fleet_id, "owner")
    [pending] = deployment.state()["checkpoint"]["latest"]["pending_operations"]
    assert pending["type"] == "creating"
    urn = pending["resource"]["urn"]

    clean_sandbox.clear_faults()
    clean_sandbox.clear_requests()
    assert deployment.cli("cancel", "--yes").returncode == 0  # the killed run's lock
    refresh = deployment.cli(
        "refresh", "--yes", "--import-pending-creates", urn, "--import-pending-creates", "acme/production:owner"
    )
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr
    assert not deployment.state()["checkpoint"]["latest"].get("pending_operations")

    result = deployment.up(prog)
    assert deployment.writes() == []
    assert result.summary.resource_changes.get("create") == 1
    [resource] = deployment.resources("FleetTag")
    assert resource["id"] == str(tag.id) and resource["outputs"]["value"] == "platform"
    assert [t.key for t in client.tags("fleet").list(fleet_id)].count("owner") == 1
    clean_sandbox.clear_requests()
    assert set(deployment.preview(prog).change_summary) == {"same"}
    assert clean_sandbox.requests() == []
