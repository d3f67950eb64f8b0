"""Sandbox throughput on loopback: seeds a large organization, then prints requests per second.

Not a test: it prints figures and never fails on time. Usage:

    python benchmarks/sandbox_throughput.py [--fleets 50] [--devices 100] [--threads 4] [--seconds 3]
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time

import requests

from balena_pulumi.sandbox import DEFAULT_SEED, Sandbox


def big_seed(fleets: int, devices: int) -> dict:
    doc = {k: v for k, v in DEFAULT_SEED.items() if k != "fleets"}
    doc["fleets"] = [
        {"organization": "acme", "app_name": f"fleet{f:03d}", "device_type": "raspberrypi4-64",
         "services": ["main", "worker"],
         "env": {f"VAR_{i}": str(i) for i in range(10)}, "tags": {f"tag{i}": "v" for i in range(3)},
         "releases": [{"commit": f"{f:08x}{r:032x}", "semver": f"1.{r}.0", "status": "success",
                       "start_timestamp": f"2024-01-{r + 1:02d}T00:00:00.000Z", "composition": {}}
                      for r in range(5)],
         "devices": [{"uuid": f"{f:08x}{d:024x}", "device_name": f"f{f}-d{d}"} for d in range(devices)]}
        for f in range(fleets)]
    return doc


def measure(name, sb, threads, seconds, make_request):
    counter = itertools.count()
    stop = time.monotonic() + seconds
    done = [0] * threads
    errors = [0] * threads

    def worker(i):
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {sb.api_key}"
        while time.monotonic() < stop:
            r = make_request(s, next(counter))
            if r.status_code >= 400:
                errors[i] += 1
            done[i] += 1

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - t0
    print(f"{name:<44} {sum(done) / elapsed:>8.0f} req/s  ({sum(done)} requests, {sum(errors)} errors)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fleets", type=int, default=50)
    ap.add_argument("--devices", type=int, default=100)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    sb = Sandbox(seed=big_seed(args.fleets, args.devices)).start()
    n_dev = args.fleets * args.devices
    print(f"seeded {args.fleets} fleets, {n_dev} devices, {args.fleets * 10} fleet variables, "
          f"{args.fleets * 5} releases in {time.monotonic() - t0:.1f}s; {args.threads} client threads")
    base = sb.url + "/v7"
    uuids = [f"{f:08x}{d:024x}" for f in range(args.fleets) for d in range(args.devices)]
    try:
        measure("keyed GET device(uuid=...)", sb, args.threads, args.seconds,
                lambda s, i: s.get(f"{base}/device(uuid='{uuids[i % n_dev]}')?$select=id,device_name"))
        measure("filtered GET variables + expand", sb, args.threads, args.seconds,
                lambda s, i: s.get(f"{base}/application_environment_variable?$filter=application/any(a:a/slug eq "
                                   f"'acme/fleet{i % args.fleets:03d}') and name eq 'VAR_3'"
                                   "&$expand=application($select=slug)"))
        measure("filtered GET fleet + expand devices", sb, args.threads, args.seconds,
                lambda s, i: s.get(f"{base}/application?$filter=slug eq 'acme/fleet{i % args.fleets:03d}'"
                                   "&$select=id&$expand=owns__device($select=uuid;$top=10)"))
        measure("POST device tag", sb, args.threads, args.seconds,
                lambda s, i: s.post(f"{base}/device_tag", json={"device": 1 + i % n_dev, "tag_key": f"k{i}",
                                                                "value": "v"}))
        measure("PATCH fleet variable by alternate key", sb, args.threads, args.seconds,
                lambda s, i: s.patch(f"{base}/application_environment_variable(application={1 + i % args.fleets},"
                                     "name='VAR_1')", json={"value": str(i)}))
    finally:
        sb.stop()


if __name__ == "__main__":
    main()
