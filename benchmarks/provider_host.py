"""How many engine calls the dynamic-provider process serves at once, and what it costs per resource.

Not a test: it prints figures. On the real engine against the sandbox with its latency fault (every API
request takes `--latency` ms more), it runs `pulumi up` creating N fleet environment variables with the
engine's `--parallel` P, once with the stock plugin (the SDK's own server: 4 worker threads) and once with
this package's provider host, and prints for each run:

* wall time of the `up`;
* the most API requests the sandbox had in flight at once, and the average over the run;
* CPU seconds of the provider process and of the engine (the CLI), per resource created.

Then, in this process, the host's own cost per call: the SDK servicer's `Create` called directly with a
provider that does nothing, against the same call through the host (request context, error handling,
journal of creates).

    python benchmarks/provider_host.py [--resources 96] [--latency 50] [--parallel 8,32,96]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balena_pulumi import resources  # noqa: E402
from balena_pulumi.engine import find_bin_dir  # noqa: E402
from balena_pulumi.sandbox import Sandbox  # noqa: E402
from tests.e2e.test_provider_host import (  # noqa: E402
    PLUGIN,
    children,
    host_plugin,
    process_table,
    stack,
    stock_plugin,
)

CLOCK = os.sysconf("SC_CLK_TCK")


class InFlight:
    """Counts the API requests the sandbox is handling (latency included), from its request handler."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.busy = 0.0  # request-seconds
        handler = sandbox._server.RequestHandlerClass
        original = handler._dispatch
        meter = self

        def dispatch(self):  # noqa: ANN001 - the handler instance
            if self.path.startswith("/_sandbox/"):
                return original(self)
            started = time.monotonic()
            with meter.lock:
                meter.now += 1
                meter.peak = max(meter.peak, meter.now)
            try:
                return original(self)
            finally:
                with meter.lock:
                    meter.now -= 1
                    meter.busy += time.monotonic() - started

        # The handler's do_GET, do_POST, ... are the same function under several names: replace them all.
        for name in [n for n in dir(handler) if n.startswith("do_") or n == "_dispatch"]:
            if getattr(handler, name) is original:
                setattr(handler, name, dispatch)

    def reset(self) -> None:
        with self.lock:
            self.peak = self.now = 0
            self.busy = 0.0


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK


class CpuSampler(threading.Thread):
    """The last CPU time seen of every CLI this process starts, and of every provider those start."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.engine: dict[int, float] = {}
        self.provider: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        last_scan = 0.0
        while not self.stop.wait(0.05):
            if time.monotonic() - last_scan > 0.5:  # finding processes reads all of /proc: not too often
                last_scan = time.monotonic()
                for cli in children(os.getpid(), " up "):
                    self.engine.setdefault(cli, 0.0)
                    for pid, (ppid, _, cmd) in process_table().items():
                        if ppid == cli and (PLUGIN in cmd or "pulumi.dynamic" in cmd):
                            self.provider.setdefault(pid, 0.0)
            for known in (self.engine, self.provider):
                for pid in known:
                    if (cpu := cpu_seconds(pid)) is not None:
                        known[pid] = cpu


class Unchecked:
    """Mixin: the engine skips its state checkpoints, so that only the provider limits concurrency."""

    def _workspace_options(self):
        options = super()._workspace_options()
        options.env_vars["PULUMI_SKIP_CHECKPOINTS"] = "true"
        return options


def one_run(sandbox, meter, pulumi_bin, plugin_dir, label, resources_n, parallel, skip_checkpoints) -> dict:
    sandbox.reset("default")
    sandbox.clear_requests()
    with tempfile.TemporaryDirectory() as tmp:
        deployment = stack(sandbox, pulumi_bin, Path(tmp), plugin_dir)
        if skip_checkpoints:
            deployment.__class__ = type("UncheckedStack", (Unchecked, type(deployment)), {})

        def program() -> None:
            for i in range(resources_n):
                resources.FleetEnvVar(f"v{i}", fleet="acme/production", name=f"BENCH_{i}", value=str(i))

        deployment._program = program
        stack_ = deployment.stack  # created before the clock starts
        sampler = CpuSampler()
        sampler.start()
        meter.reset()
        started = time.monotonic()
        stack_.up(parallel=parallel, on_output=lambda line: None, color="never")
        wall = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
        posts = [r for r in sandbox.requests() if r["method"] == "POST"]
        assert len(posts) == resources_n, f"{label}: {len(posts)} POSTs for {resources_n} resources"
        return {
            "label": label,
            "parallel": parallel,
            "wall": wall,
            "peak": meter.peak,
            "mean": meter.busy / wall,
            "providers": len(sampler.provider),
            "provider_cpu": sum(sampler.provider.values()),
            "engine_cpu": sum(sampler.engine.values()),
            "n": resources_n,
        }


def host_overhead(calls: int = 2000, rounds: int = 5) -> tuple[float, float]:
    """Microseconds of CPU per Create: the SDK servicer alone, and through the host (best of ``rounds``)."""
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime.proto import provider_pb2

    from balena_pulumi.provider_host import CreateJournal, HostServicer, sdk_servicer
    from tests.resources.test_provider_host import Context, ProbeProvider

    inner = sdk_servicer()
    with tempfile.TemporaryDirectory() as tmp:
        host = HostServicer(inner, journal=CreateJournal(Path(tmp)))
        request = provider_pb2.CreateRequest(urn="urn:pulumi:s::p::pulumi-python:dynamic/balena:Probe::x", name="x")
        request.properties.update(
            {"__provider": serialize_provider(ProbeProvider()), "fleet": "acme/production", "name": "N", "value": "v"}
        )
        best = [float("inf"), float("inf")]
        for _ in range(rounds):
            for i, servicer in enumerate((inner, host)):
                started = time.process_time()
                for _ in range(calls):
                    servicer.Create(request, Context())
                best[i] = min(best[i], (time.process_time() - started) / calls * 1e6)
    return best[0], best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=96)
    parser.add_argument("--latency", type=int, default=50, help="ms added to every API request")
    parser.add_argument("--parallel", default="8,32,96", help="engine --parallel values, comma separated")
    parser.add_argument(
        "--skip-checkpoints",
        action="store_true",
        help="PULUMI_SKIP_CHECKPOINTS=true: the engine stops writing the state after every step (its own "
        "bottleneck on the file backend), so that the provider's concurrency shows",
    )
    args = parser.parse_args()
    pulumi_bin = find_bin_dir()
    rows = []
    with Sandbox(seed="default") as sandbox, tempfile.TemporaryDirectory() as scratch:
        meter = InFlight(sandbox)
        stock = stock_plugin(Path(scratch))
        for parallel in [int(p) for p in args.parallel.split(",")]:
            for label, plugin_dir in (("stock SDK server", stock), ("provider host", host_plugin())):
                sandbox.clear_faults()
                sandbox.inject_fault("latency", latency_ms=args.latency, path_prefix="/v7/")
                rows.append(
                    one_run(
                        sandbox, meter, pulumi_bin, plugin_dir, label, args.resources, parallel, args.skip_checkpoints
                    )
                )
                r = rows[-1]
                print(
                    f"{r['label']:<17} --parallel {r['parallel']:<4} {r['n']} creates: {r['wall']:6.2f} s, "
                    f"API requests in flight peak {r['peak']:3d} mean {r['mean']:5.1f}, CPU per create: "
                    f"provider {r['provider_cpu'] / r['n'] * 1000:5.1f} ms, engine {r['engine_cpu'] / r['n'] * 1000:5.1f} ms "
                    f"({r['providers']} provider process(es), {r['provider_cpu']:.2f} s)",
                    flush=True,
                )
    sdk, host = host_overhead()
    print(f"\nCreate through the SDK servicer alone: {sdk:.0f} us CPU per call; through the host: {host:.0f} us")
    print(
        f"(latency fault {args.latency} ms on every /v7/ request; provider CPU includes its start-up"
        + ("; engine checkpoints skipped)" if args.skip_checkpoints else ")")
    )


if __name__ == "__main__":
    main()
