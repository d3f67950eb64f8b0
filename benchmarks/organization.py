"""A whole organization in one `pulumi up`: one resource per object against bulk resources, side by side
with a serial script on the official balena SDK making the same objects, on the sandbox.

Not a test: it prints figures (issue 13's targets are printed next to them, met or not). The organization
has F fleets, each with 30 environment variables, 10 config variables and 9 tags: 50 objects per fleet, so
500 objects for 10 fleets and 2,000 for 40. For each size and each sandbox latency (the sandbox's own
`latency` fault on every `/v7/` request), from a fresh sandbox each time:

* **sdk**: the serial script (balena-sdk, the official Python SDK): create each fleet, then set each
  variable and tag, one call after another, in this process;
* **objects**: `pulumi up` of a project whose program registers one resource per object (`Fleet`,
  `FleetEnvVar`, `FleetConfigVar`, `FleetTag`);
* **bulk**: `pulumi up` of the repository's root project (`balena_pulumi/program.py`) with the same
  organization as stack config, so one `Fleet`, `FleetEnvVars`, `FleetConfigVars` and `FleetTags` per
  fleet;

then, for both Pulumi layouts, a no-op `preview`, `refresh` and `destroy`. Each Pulumi step is the real
CLI (`pulumi up --yes --skip-preview` in the project directory, a file backend, the package's Python
language host and provider host), timed from start to exit, as a user would see it. The sandbox runs in
its own process (`balena-pulumi sandbox`), so every request costs what it costs over loopback.

Columns: wall seconds; `x sdk`, how many times faster than the SDK script (above 1: faster); API
requests (writes in brackets); CPU seconds of the engine (the `pulumi` process), of the provider
process(es) and of the language host with the program; the provider's peak resident memory.

    python benchmarks/organization.py [--sizes 500,2000] [--latencies 0,50] [--layouts objects,bulk]
                                      [--parallel N] [--no-lifecycle]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balena_pulumi.engine import find_bin_dir  # noqa: E402

CLOCK = os.sysconf("SC_CLK_TCK")
PASSPHRASE = "benchmark"
ENV_VARS, CONFIG_VARS, TAGS = 30, 10, 9
OBJECTS_PER_FLEET = 1 + ENV_VARS + CONFIG_VARS + TAGS


def organization(objects: int) -> dict[str, Any]:
    """The root program's stack config for an organization of ``objects`` objects (50 per fleet)."""
    fleets = []
    for f in range(objects // OBJECTS_PER_FLEET):
        fleets.append({
            "name": f"bench-{f:03d}",
            "device_type": "raspberrypi4-64",
            "variables": {f"VAR_{i:02d}": f"value-{f}-{i}" for i in range(ENV_VARS)},
            "config_variables": {f"BALENA_CFG_{i:02d}": str(i) for i in range(CONFIG_VARS)},
            "tags": {f"tag{i:02d}": f"v{i}" for i in range(TAGS)},
        })
    return {"organization": "acme", "fleets": fleets}


# The per-object program: the same organization, one resource per object. The project's __main__.py runs
# it when BENCH_LAYOUT=objects, otherwise the root program.
PER_OBJECT_MAIN = '''
import os

if os.environ.get("BENCH_LAYOUT") == "objects":
    from balena_pulumi import resources as r
    from balena_pulumi.program import load_spec

    for f in load_spec().fleets:
        fleet = r.Fleet(f.name, organization="acme", name=f.name, device_type=f.device_type)
        for name, value in f.variables.items():
            r.FleetEnvVar(f"{f.name}-env-{name}", fleet=fleet.slug, name=name, value=value)
        for name, value in f.config_variables.items():
            r.FleetConfigVar(f"{f.name}-config-{name}", fleet=fleet.slug, name=name, value=value)
        for key, value in f.tags.items():
            r.FleetTag(f"{f.name}-tag-{key}", fleet=fleet.slug, key=key, value=value)
else:
    from balena_pulumi.program import main

    main()
'''


# -- the sandbox, in its own process ---------------------------------------------------------------------


class RemoteSandbox:
    """`balena-pulumi sandbox` as a subprocess, driven through its control API."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "balena_pulumi.cli", "sandbox", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        lines = [self.proc.stdout.readline().strip() for _ in range(4)]  # type: ignore[union-attr]
        values = dict(line.split("=", 1) for line in lines[1:])
        self.url = values["BALENA_API_URL"]
        self.session = requests.Session()
        self.token = values["BALENA_SESSION_TOKEN"]

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.session.request(method, f"{self.url}/_sandbox/{path}", json=body)
        response.raise_for_status()
        return response.json()

    def fresh(self, latency_ms: int) -> None:
        tokens = self.control("POST", "reset", {})
        self.token = tokens["session_token"]
        if latency_ms:
            self.control("POST", "faults", {"kind": "latency", "latency_ms": latency_ms, "path_prefix": "/v7/"})

    def clear_requests(self) -> None:
        self.control("DELETE", "requests")

    def counts(self) -> tuple[int, int]:
        """(requests, writes) since the log was last cleared."""
        counts = self.control("GET", "requests/counts")
        total = sum(v for k, v in counts.items() if " " not in k)
        reads = counts.get("GET", 0)
        return total, total - reads

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


# -- measuring processes -------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK


def _peak_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Sampler(threading.Thread):
    """The last CPU time and peak memory seen of a CLI and of every process under it, every 50 ms."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.cpu: dict[int, float] = {}
        self.peak: dict[int, int] = {}
        self.role: dict[int, str] = {}
        self.stop = threading.Event()

    def _scan(self) -> None:
        family = {self.root}
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                found = _stat(int(entry.name))
                if found:
                    parents[int(entry.name)] = found[0]
        grew = True
        while grew:
            grew = False
            for pid, ppid in parents.items():
                if ppid in family and pid not in family:
                    family.add(pid)
                    grew = True
        for pid in family:
            if pid not in self.role:
                cmd = _cmdline(pid)
                self.role[pid] = (
                    "engine" if pid == self.root
                    else "provider" if ("provider_host" in cmd or "pulumi.dynamic" in cmd or "resource-pulumi-python" in cmd)
                    else "program"
                )

    def run(self) -> None:
        ticks = 0
        while not self.stop.wait(0.05):
            if ticks % 4 == 0:
                self._scan()
            ticks += 1
            for pid in list(self.role):
                found = _stat(pid)
                if found:
                    self.cpu[pid] = found[1]
                peak = _peak_kb(pid)
                if peak:
                    self.peak[pid] = max(self.peak.get(pid, 0), peak)

    def totals(self) -> dict[str, float]:
        out = {"engine": 0.0, "provider": 0.0, "program": 0.0, "provider_peak_mb": 0.0}
        for pid, cpu in self.cpu.items():
            out[self.role[pid]] += cpu
        peaks = [self.peak.get(pid, 0) for pid, role in self.role.items() if role == "provider"]
        out["provider_peak_mb"] = max(peaks, default=0) / 1024
        return out


# -- a Pulumi project on this machine -------------------------------------------------------------------------


@dataclass
class Row:
    size: int
    latency: int
    who: str
    step: str
    wall: float
    requests: int
    writes: int
    cpu: dict[str, float] = field(default_factory=dict)
    ratio: float | None = None


class Project:
    """A copy of the root project (its Pulumi.yaml, the venv, a __main__.py choosing the layout) and one stack."""

    def __init__(self, home: Path, bin_dir: Path, sandbox: RemoteSandbox, layout: str, parallel: int | None) -> None:
        self.dir = home / f"project-{layout}"
        self.dir.mkdir(parents=True)
        shutil.copy(ROOT / "Pulumi.yaml", self.dir / "Pulumi.yaml")
        (self.dir / "__main__.py").write_text(PER_OBJECT_MAIN)
        (self.dir / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
        backend = home / f"state-{layout}"
        backend.mkdir()
        venv_bin = str(Path(sys.prefix) / "bin")
        self.sandbox = sandbox
        self.parallel = parallel
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "BALENA_"))},
            "PATH": os.pathsep.join([str(bin_dir), venv_bin, os.environ.get("PATH", "")]),
            "PULUMI_HOME": str(home / f"pulumi-home-{layout}"),
            "PULUMI_BACKEND_URL": backend.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "BENCH_LAYOUT": layout,
            "BALENA_API_URL": sandbox.url,
        }

    def init(self, spec: dict[str, Any]) -> None:
        self.run("stack", "init", "bench")
        stack_file = self.dir / "Pulumi.bench.yaml"
        salt = [line for line in stack_file.read_text().splitlines() if line.startswith("encryptionsalt")]
        config = {f"balena-org:{k}": v for k, v in spec.items()}
        stack_file.write_text("\n".join(salt) + "\nconfig: " + json.dumps(config) + "\n")

    def run(self, *args: str) -> subprocess.CompletedProcess:
        # The provider reads the token from the environment: the sandbox's token changes at every reset.
        env = {**self.env, "BALENA_API_KEY": self.sandbox.token}
        proc = subprocess.run(
            ["pulumi", *args, "--non-interactive"], cwd=self.dir, env=env, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise RuntimeError(f"`pulumi {' '.join(args)}` failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc

    def measured(self, *args: str) -> tuple[float, dict[str, float]]:
        """Wall time and CPU of one CLI command, from its start to its exit."""
        env = {**self.env, "BALENA_API_KEY": self.sandbox.token}
        extra = ["--parallel", str(self.parallel)] if self.parallel and args[0] in ("up", "refresh", "destroy", "preview") else []
        started = time.monotonic()
        proc = subprocess.Popen(
            ["pulumi", *args, *extra, "--non-interactive"], cwd=self.dir, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        sampler = Sampler(proc.pid)
        sampler.start()
        output, _ = proc.communicate()
        wall = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
        if proc.returncode != 0:
            raise RuntimeError(f"`pulumi {' '.join(args)}` failed:\n{output[-4000:]}")
        return wall, sampler.totals()


# -- the SDK script -------------------------------------------------------------------------------------------------


def sdk_script(sandbox: RemoteSandbox, spec: dict[str, Any], scratch: Path) -> tuple[float, float]:
    """The serial script on the official SDK: wall seconds and this process's CPU seconds."""
    import balena

    cfg = {"balena_host": "sandbox.invalid", "data_directory": str(scratch / f"sdk-{time.monotonic_ns()}")}
    writer = balena.Balena(cfg)
    writer.settings.set("api_endpoint", sandbox.url + "/")
    writer.settings.set("builder_url", sandbox.url + "/")
    sdk = balena.Balena(cfg)
    sdk.auth.login_with_token(sandbox.token)
    started, cpu = time.monotonic(), time.process_time()
    for f in spec["fleets"]:
        fleet_id = sdk.models.application.create(f["name"], f["device_type"], spec["organization"])["id"]
        for name, value in f["variables"].items():
            sdk.models.application.env_var.set(fleet_id, name, value)
        for name, value in f["config_variables"].items():
            sdk.models.application.config_var.set(fleet_id, name, value)
        for key, value in f["tags"].items():
            sdk.models.application.tags.set(fleet_id, key, value)
    return time.monotonic() - started, time.process_time() - cpu


# -- the run --------------------------------------------------------------------------------------------------------


def bench(args: argparse.Namespace) -> list[Row]:
    bin_dir = find_bin_dir()
    rows: list[Row] = []
    sandbox = RemoteSandbox()
    try:
        with tempfile.TemporaryDirectory(prefix="balena-bench-") as tmp:
            scratch = Path(tmp)
            for size in args.sizes:
                spec = organization(size)
                for latency in args.latencies:
                    sandbox.fresh(latency)
                    sandbox.clear_requests()
                    wall, cpu = sdk_script(sandbox, spec, scratch)
                    total, writes = sandbox.counts()
                    sdk_row = Row(size, latency, "sdk", "create", wall, total, writes, {"program": cpu})
                    rows.append(sdk_row)
                    report(rows[-1])
                    for layout in args.layouts:
                        sandbox.fresh(latency)
                        home = scratch / f"{size}-{latency}-{layout}"
                        project = Project(home, bin_dir, sandbox, layout, args.parallel)
                        project.init(spec)
                        steps = [("up", ("up", "--yes", "--skip-preview"))]
                        if args.lifecycle:
                            steps += [
                                ("no-op preview", ("preview",)),
                                ("refresh", ("refresh", "--yes", "--skip-preview")),
                                ("destroy", ("destroy", "--yes", "--skip-preview")),
                            ]
                        for step, command in steps:
                            sandbox.clear_requests()
                            wall, cpu = project.measured(*command)
                            total, writes = sandbox.counts()
                            row = Row(size, latency, layout, step, wall, total, writes, cpu)
                            if step == "up":
                                row.ratio = sdk_row.wall / wall
                            rows.append(row)
                            report(row)
    finally:
        sandbox.stop()
    return rows


HEADER = (
    f"{'objects':>7} {'latency':>7} {'who':<8} {'step':<14} {'wall s':>8} {'x sdk':>6} {'requests':>15} "
    f"{'engine':>7} {'provider':>8} {'program':>8} {'prov. peak':>10}"
)


def report(row: Row) -> None:
    if not getattr(report, "printed", False):
        print(HEADER, flush=True)
        report.printed = True  # type: ignore[attr-defined]
    ratio = f"{row.ratio:6.2f}" if row.ratio is not None else " " * 6
    cpu = row.cpu
    peak = f"{cpu['provider_peak_mb']:7.0f} MB" if cpu.get("provider_peak_mb") else " " * 10
    engine = f"{cpu['engine']:7.1f}" if "engine" in cpu else " " * 7
    provider = f"{cpu['provider']:8.1f}" if "provider" in cpu else " " * 8
    print(
        f"{row.size:>7} {row.latency:>5}ms {row.who:<8} {row.step:<14} {row.wall:8.2f} {ratio} "
        f"{row.requests:>7} ({row.writes:>5}) {engine} {provider} {cpu.get('program', 0):8.1f} {peak}",
        flush=True,
    )


def targets(rows: list[Row]) -> None:
    """Issue 13's targets, from the figures above."""

    def find(size, latency, who, step="create"):
        for r in rows:
            if (r.size, r.latency, r.who) == (size, latency, who) and (r.step == step or (who == "sdk")):
                return r
        return None

    print("\nTargets (issue 13):")
    lines = []
    b50, b0 = find(500, 50, "bulk", "up"), find(500, 0, "bulk", "up")
    if b50 and b50.ratio is not None:
        lines.append((f"500 objects at 50 ms: bulk up {b50.ratio:.2f}x faster than the SDK script (>= 5)", b50.ratio >= 5))
    if b0 and b0.ratio is not None:
        lines.append((f"500 objects at 0 ms: bulk up {b0.ratio:.2f}x the SDK script's speed (>= 1: not slower)", b0.ratio >= 1))
    for latency in (50, 0):
        small, big = find(500, latency, "bulk", "up"), find(2000, latency, "bulk", "up")
        if small and big:
            growth = big.wall / small.wall
            lines.append((f"2,000 objects at {latency} ms: bulk up takes {growth:.2f}x the time of 500 (<= 4.5)", growth <= 4.5))
    big = [r for r in rows if r.size == 2000 and r.who == "bulk" and r.cpu.get("provider_peak_mb")]
    if big:
        peak = max(r.cpu["provider_peak_mb"] for r in big)
        lines.append((f"2,000 objects: provider peak memory {peak:.0f} MB (< 200)", peak < 200))
    for r in rows:
        if r.step == "no-op preview":
            lines.append((f"{r.size} objects, {r.who}: no-op preview sent {r.requests} requests (0)", r.requests == 0))
    resources_per_fleet = {"objects": OBJECTS_PER_FLEET, "bulk": 4}
    for r in rows:
        if r.step == "refresh":
            count = r.size // OBJECTS_PER_FLEET * resources_per_fleet[r.who]
            lines.append((f"{r.size} objects, {r.who}: refresh sent {r.requests} requests for {count} resources "
                          f"(<= 1 per resource)", r.requests <= count))
    for text, met in lines:
        print(f"  [{'met' if met else 'NOT MET'}] {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,2000", help="organization sizes in objects (multiples of 50)")
    parser.add_argument("--latencies", default="0,50", help="sandbox latency in ms, comma separated")
    parser.add_argument("--layouts", default="objects,bulk", help="objects (one resource per object), bulk")
    parser.add_argument("--parallel", type=int, default=None, help="the engine's --parallel (default: its own)")
    parser.add_argument("--no-lifecycle", dest="lifecycle", action="store_false",
                        help="only `up`: no preview, refresh or destroy")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.latencies = [int(s) for s in args.latencies.split(",")]
    args.layouts = [s for s in args.layouts.split(",") if s]
    print(f"organization: fleets of {OBJECTS_PER_FLEET} objects ({ENV_VARS} env vars, {CONFIG_VARS} config vars, "
          f"{TAGS} tags); {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}", flush=True)
    rows = bench(args)
    targets(rows)


if __name__ == "__main__":
    main()
