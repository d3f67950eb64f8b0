"""Requests each resource kind sends per lifecycle step, on the real Pulumi engine against the sandbox.

Not a test: it prints figures. For every kind it runs, on a fresh sandbox and stack, with N = 1 and
N = 3 resources of that kind: create (`up`), a no-op `preview`, a no-op `up`, an update (`up` with a
changed value), `refresh` and `destroy`, and counts the HTTP requests the sandbox received (GET and
writes separately). Each `up` starts a new provider process, so N = 1 pays the cold lookups (fleet by
slug, user by username, ...); the marginal cost of one more resource, (N3 - N1) / 2, is the figure
"once lookups are warm".

    python benchmarks/resource_requests.py [Kind ...]
"""

from __future__ import annotations

import base64
import hashlib
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pulumi  # noqa: E402

from balena_pulumi import resources  # noqa: E402
from balena_pulumi.engine import find_bin_dir  # noqa: E402
from balena_pulumi.sandbox import Sandbox  # noqa: E402
from balena_pulumi.sandbox import seed  # noqa: E402
from tests.e2e.harness import WRITE_METHODS, Deployment  # noqa: E402

FLEET = seed.PRODUCTION
DEVICES = seed.PRODUCTION_DEVICE_UUIDS
EXPIRY = (date.today() + timedelta(days=30)).isoformat()


def ssh_key(i: int) -> str:
    blob = b"".join(struct.pack(">I", len(p)) + p for p in (b"ssh-ed25519", hashlib.sha256(str(i).encode()).digest()))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} bench{i}"


# kind -> (max N, factory(i, variant) -> kwargs). variant "b" is the update.
def _var(name_prefix: str, extra: dict | None = None, parent: dict | None = None):
    def make(i: int, v: str) -> dict:
        return {**(parent or {"fleet": FLEET}), **(extra or {}), "name": f"{name_prefix}{i}", "value": f"{v}{i}"}

    return make


CASES: dict[str, tuple[int, Callable[[int, str], dict]]] = {
    "Fleet": (3, lambda i, v: {"organization": "acme", "name": f"bench-{i}-{v}", "device_type": "raspberrypi4-64"}),
    "FleetEnvVar": (3, _var("BENCH_")),
    "FleetConfigVar": (3, _var("BALENA_BENCH_")),
    "FleetBuildVar": (3, _var("BUILD_")),
    "ServiceEnvVar": (3, _var("SVC_", {"service": "main"})),
    "DeviceEnvVar": (3, _var("DEV_", parent={"device": DEVICES[0]})),
    "DeviceConfigVar": (3, _var("BALENA_DEV_", parent={"device": DEVICES[0]})),
    "DeviceServiceEnvVar": (3, _var("DSVC_", {"service": "main"}, {"device": DEVICES[0]})),
    "FleetEnvVars": (3, lambda i, v: {"fleet": FLEET, "variables": {f"BULK{i}_A": v, f"BULK{i}_B": "x"}}),
    "FleetTag": (3, lambda i, v: {"fleet": FLEET, "key": f"bench{i}", "value": v}),
    "DeviceTag": (3, lambda i, v: {"device": DEVICES[0], "key": f"bench{i}", "value": v}),
    "ReleaseTag": (3, lambda i, v: {"fleet": FLEET, "release_version": "1.0.0", "key": f"bench{i}", "value": v}),
    "DevicePin": (3, lambda i, v: {"device": DEVICES[i], "release_version": "1.0.0" if v == "a" else "2.0.0"}),
    "FleetPin": (1, lambda i, v: {"fleet": FLEET, "release_version": "1.0.0" if v == "a" else "2.0.0"}),
    "FleetMember": (1, lambda i, v: {"fleet": FLEET, "username": "alice", "role": "developer" if v == "a" else "observer"}),
    "OrganizationMember": (1, lambda i, v: {"organization": "acme", "username": "bob", "role": "member" if v == "a" else "administrator"}),
    "OrganizationInvite": (3, lambda i, v: {"organization": "acme", "invitee": f"guest{i}{v}@example.com", "role": "member"}),
    "FleetInvite": (3, lambda i, v: {"fleet": FLEET, "invitee": f"guest{i}{v}@example.com", "role": "observer"}),
    "ApiKey": (3, lambda i, v: {"name": f"bench{i}", "description": f"desc {v}", "expiry_date": EXPIRY}),
    "ProvisioningKey": (3, lambda i, v: {"fleet": FLEET, "name": f"bench{i}{v}", "expiry_date": EXPIRY}),
    "SshKey": (3, lambda i, v: {"title": f"bench {i}", "public_key": ssh_key(i * 10 + (v == "b"))}),
    "Organization": (1, lambda i, v: {"name": f"Bench {v}", "handle": "bench_org"}),
}


def program(kind: str, n: int, variant: str):
    def run() -> None:
        cls = getattr(resources, kind)
        make = CASES[kind][1]
        for i in range(n):
            cls(f"r{i}", **make(i, variant))

    return run


def counts(sandbox) -> tuple[int, int]:
    reqs = sandbox.requests()
    writes = sum(1 for r in reqs if r["method"] in WRITE_METHODS)
    return len(reqs) - writes, writes


def measure(kind: str, n: int, bin_dir: Path) -> dict[str, tuple[int, int]]:
    with Sandbox(port=0).start() as sandbox, tempfile.TemporaryDirectory() as tmp:
        d = Deployment(sandbox, bin_dir, Path(tmp))
        d.stack  # noqa: B018 (create the stack before counting)
        steps = {}
        for step, action in (
            ("create", lambda: d.up(program(kind, n, "a"))),
            ("no-op preview", lambda: d.preview(program(kind, n, "a"))),
            ("no-op up", lambda: d.up(program(kind, n, "a"))),
            ("update", lambda: d.up(program(kind, n, "b"))),
            ("refresh", lambda: d.refresh()),
            ("destroy", lambda: d.destroy()),
        ):
            sandbox.clear_requests()
            action()
            steps[step] = counts(sandbox)
        return steps


def main(argv: list[str]) -> int:
    kinds = argv or [k for k in CASES if k in resources.REGISTRY]
    missing = [k for k in CASES if k not in resources.REGISTRY]
    if missing and not argv:
        print(f"NOT MEASURED (kind not implemented yet): {', '.join(missing)}")
    bin_dir = find_bin_dir()
    steps = ("create", "no-op preview", "no-op up", "update", "refresh", "destroy")
    print(f"requests per step as GET+writes; N=1 | marginal per extra resource (N={{max}})")
    print(f"{'kind':22} " + " ".join(f"{s:>22}" for s in steps))
    started = time.time()
    for kind in kinds:
        n_max = CASES[kind][0]
        one = measure(kind, 1, bin_dir)
        cells = []
        if n_max > 1:
            many = measure(kind, n_max, bin_dir)
        for s in steps:
            g1, w1 = one[s]
            cell = f"{g1}+{w1}"
            if n_max > 1:
                gm, wm = many[s]
                cell += f" | {(gm - g1) / (n_max - 1):.1f}+{(wm - w1) / (n_max - 1):.1f}"
            cells.append(f"{cell:>22}")
        print(f"{kind:22} " + " ".join(cells), flush=True)
    print(f"({time.time() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
