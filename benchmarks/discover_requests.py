"""Requests and time `balena-pulumi discover` takes, as an organization grows.

Not a test: it prints figures. For organizations of growing size (generated in the sandbox: fleets with
environment and config variables, tags, build variables, members, invites, provisioning keys, devices
with variables and tags), it measures:

* discovery's reads (``read_organization``): requests and time;
* turning them into config (``snapshot``) and running the program under mocks to learn its resources and
  import ids (``plan`` + ``adopt``): time;
* the whole command as a user runs it (a child process, including the Pulumi CLI that encrypts the
  secret values): time;
* for comparison, reading the same objects parent by parent with the client's per-fleet and per-device
  list calls (what a script built on the SDK's per-parent helpers does): requests and time.

    python benchmarks/discover_requests.py [FLEETS ...]     (default: 2 10 40)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balena_pulumi.client import BalenaClient  # noqa: E402
from balena_pulumi.client.services.inventory import read_organization  # noqa: E402
from balena_pulumi.discover.adopt import adopt  # noqa: E402
from balena_pulumi.discover.plan import plan  # noqa: E402
from balena_pulumi.discover.snapshot import snapshot  # noqa: E402
from balena_pulumi.engine import find_bin_dir  # noqa: E402
from balena_pulumi.sandbox import Sandbox  # noqa: E402
from tests.discover.orgs import generated_seed  # noqa: E402

HANDLE = "bench"


def populate(sb: Sandbox, fleets: int) -> None:
    sb.reset(generated_seed(HANDLE, fleets, env=16, config=11, tags=11, devices=2,
                            members={"alice": "member", "bob": "member"}))
    client = BalenaClient(sb.url, sb.session_token)
    for n, fleet in enumerate(client.fleets.list()):
        for i in range(3):
            client.variables("fleet_build").create(fleet.id, f"BUILD_{i}", f"b{n}.{i}")
        client.fleet_members.create(fleet.id, "alice", "observer")
        client.invites("fleet").create(fleet.id, f"ops{n}@example.com", "developer")
        client.api_keys.create_provisioning_key(fleet.id, f"line-{n}")
        for device in client.devices.list(fleet.id):
            client.variables("device_env").create(device.id, "ROLE", "edge")
            client.variables("device_env").create(device.id, "DEVICE_TOKEN", f"dt-{device.uuid[:12]}")
            client.tags("device").create(device.id, "site", f"site-{n}")


def per_parent(client: BalenaClient) -> int:
    """Read the same objects parent by parent with the client's own list calls; returns objects seen."""
    seen = 0
    org = client.organizations.get_by_handle(HANDLE)
    seen += len(client.organization_members.list(org.id)) + len(client.invites("organization").list(org.id))
    seen += len(client.api_keys.list()) + len(client.ssh_keys.list())
    for fleet in client.fleets.list(org.id):
        for kind in ("fleet_env", "fleet_config", "fleet_build"):
            seen += len(client.variables(kind).list(fleet.id))
        seen += len(client.tags("fleet").list(fleet.id)) + len(client.fleet_members.list(fleet.id))
        seen += len(client.invites("fleet").list(fleet.id)) + len(client.api_keys.list(fleet.actor))
        for service in client.services.list(fleet.id):
            seen += len(client.variables("service_env").list(service.id))
        for release in client.releases.list(fleet.id):
            seen += len(client.tags("release").list(release.id))
        for device in client.devices.list(fleet.id):
            for kind in ("device_env", "device_config"):
                seen += len(client.variables(kind).list(device.id))
            seen += len(client.tags("device").list(device.id))
            for install in client.service_installs.list(device.id):
                seen += len(client.variables("device_service_env").list(install.id))
    return seen


def main(sizes: list[int]) -> None:
    bin_dir = find_bin_dir()
    print(f"{'fleets':>6} {'objects':>8} {'resources':>9} | {'discover reqs':>13} {'read s':>7} {'plan s':>7} "
          f"{'command s':>9} | {'per-parent reqs':>15} {'per-parent s':>12}")
    with Sandbox(seed="default") as sb:
        for fleets in sizes:
            populate(sb, fleets)

            sb.clear_requests()
            start = time.perf_counter()
            inventory = read_organization(BalenaClient(sb.url, sb.session_token), HANDLE)
            read_s = time.perf_counter() - start
            discover_requests = len(sb.requests())

            start = time.perf_counter()
            snap = snapshot(inventory)
            records, _ = plan(snap.config, snap.secrets)
            adoption = adopt(records, snap.objects, {})
            plan_s = time.perf_counter() - start

            work = Path(tempfile.mkdtemp(prefix="discover-bench-"))
            try:
                (work / "project").mkdir()
                shutil.copyfile(ROOT / "Pulumi.yaml", work / "project" / "Pulumi.yaml")
                env = {**os.environ, "BALENA_API_URL": sb.url, "BALENA_API_KEY": sb.session_token,
                       "BALENA_PULUMI_BIN": str(bin_dir), "PULUMI_CONFIG_PASSPHRASE": ""}
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "balena_pulumi.cli", "discover", "--organization", HANDLE,
                                "--stack", "bench", "--project-dir", str(work / "project"),
                                "--state-dir", str(work / "state")], env=env, check=True, capture_output=True)
                command_s = time.perf_counter() - start
            finally:
                shutil.rmtree(work, ignore_errors=True)

            sb.clear_requests()
            start = time.perf_counter()
            seen = per_parent(BalenaClient(sb.url, sb.session_token))
            naive_s = time.perf_counter() - start
            naive_requests = len(sb.requests())

            print(f"{fleets:>6} {len(snap.objects):>8} {adoption.count:>9} | {discover_requests:>13} {read_s:>7.2f} "
                  f"{plan_s:>7.2f} {command_s:>9.2f} | {naive_requests:>15} {naive_s:>12.2f}"
                  f"   (per-parent read saw {seen} objects)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2, 10, 40])
