"""Print how many HTTP requests each client operation costs, cold and warm, next to the official SDK.

Starts a local sandbox (``balena_pulumi.sandbox``), runs each operation against it and reads the
sandbox's request log. A script, not a test: it prints figures and never fails on them.

    .venv/bin/python benchmarks/client_requests.py
"""

from __future__ import annotations

import sys

from balena_pulumi.client import BalenaClient

# Requests the balena Python SDK needs for the same outcome (read from its model helpers: lookups before writes).
SDK = {
    "fleet create": "3 (device type GET, org GET, POST)",
    "fleet env var set": "1-3 (fleet GET by slug, POST, PATCH on 409)",
    "device service var set": "2-4 (service install GET, upsert)",
    "tag set": "1-3 (parent GET, POST, PATCH on 409)",
    "fleet pin to release": "2-3 (fleet GET, release GET, PATCH)",
    "fleet track latest": "2 (fleet GET with release expand, PATCH)",
    "device pin to release": "3 (device GET, release GET, PATCH)",
    "fleet member create": "3 (fleet GET, role GET, POST)",
    "ssh key create": "2 (whoami, POST; whoami cached per Auth)",
    "user api key create": "1 (POST; status not checked)",
}


def main() -> int:
    from balena_pulumi.sandbox import Sandbox

    sb = Sandbox(port=0, seed="default").start()
    try:
        rows = []

        def measure(label, fn):
            sb.clear_requests()
            result = fn()
            rows.append((label, len(list(sb.requests()))))
            return result

        for phase in ("cold", "warm"):
            c = BalenaClient(sb.url, sb.session_token) if phase == "cold" else warm
            org = measure(f"{phase}: org by handle", lambda: c.organizations.get_by_handle("acme"))
            prod = measure(f"{phase}: fleet by slug", lambda: c.fleets.get_by_slug("acme/production"))
            if phase == "cold":
                dt_slug = BalenaClient(sb.url, sb.session_token).device_types.get(prod.is_for__device_type).slug
            measure(f"{phase}: device type by slug", lambda: c.device_types.get_by_slug(dt_slug))
            fleet = measure(f"{phase}: fleet create (org, device type by name)", lambda: c.fleets.create(
                c.organizations.get_by_handle("acme").id, f"bench-{phase}", c.device_types.get_by_slug(dt_slug).id))
            var = measure(f"{phase}: fleet env var create (fleet by slug)", lambda: c.variables("fleet_env").create(
                c.fleets.get_by_slug("acme/production").id, f"BENCH_{phase.upper()}", "1"))
            measure(f"{phase}: fleet env var update", lambda: c.variables("fleet_env").update(var.id, value="2"))
            measure(f"{phase}: fleet env var delete", lambda: c.variables("fleet_env").delete(var.id))
            tag = measure(f"{phase}: fleet tag create", lambda: c.tags("fleet").create(prod.id, f"bench_{phase}", "x"))
            measure(f"{phase}: fleet tag delete", lambda: c.tags("fleet").delete(tag.id))
            measure(f"{phase}: release by version", lambda: c.releases.find_by_version(prod.id, "1.0.0"))
            measure(f"{phase}: fleet pin (release by version)", lambda: c.fleets.pin(
                prod.id, c.releases.find_by_version(prod.id, "1.0.0").id))
            measure(f"{phase}: fleet track latest", lambda: c.fleets.track_latest(prod.id))
            dev = c.devices.list(prod.id)[0]
            measure(f"{phase}: device pin (device by uuid, release by version)", lambda: c.devices.pin(
                c.devices.get_by_uuid(dev.uuid).id, c.releases.find_by_version(prod.id, "1.0.0").id))
            measure(f"{phase}: device unpin", lambda: c.devices.pin(dev.id, None))
            staging = c.fleets.get_by_slug("acme/staging")
            m = measure(f"{phase}: fleet member create (role by name)", lambda: c.fleet_members.create(
                staging.id, "alice", "developer"))
            measure(f"{phase}: fleet member delete", lambda: c.fleet_members.delete(m.id))
            k = measure(f"{phase}: ssh key create (whoami)", lambda: c.ssh_keys.create(f"bench {phase}", f"ssh-ed25519 B{phase}"))
            measure(f"{phase}: ssh key delete", lambda: c.ssh_keys.delete(k.id))
            key = measure(f"{phase}: user api key create (+ id lookup)", lambda: c.api_keys.create_user_key(f"bench-{phase}"))
            measure(f"{phase}: api key delete", lambda: c.api_keys.delete(key.id))
            measure(f"{phase}: fleet delete", lambda: c.fleets.delete(fleet.id))
            warm = c
        width = max(len(r[0]) for r in rows)
        print(f"{'operation':<{width}}  requests")
        for label, n in rows:
            print(f"{label:<{width}}  {n}")
        print("\nOfficial balena Python SDK, same outcome (reference section 8):")
        for label, n in SDK.items():
            print(f"  {label}: {n}")
    finally:
        sb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
