"""Organizations for the discover tests: the default seed with one object of every kind made by hand,
and generated organizations of any size.

Objects are made the way a dashboard user or a script makes them: through the API (the wire client), or
in a sandbox seed document. Nothing here goes through Pulumi.
"""

from __future__ import annotations

import hashlib
from typing import Any

from balena_pulumi.client import BalenaClient
from balena_pulumi.sandbox import seed

SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ3NTinf2J+6qrj8R0yTV78ySkvJlv0Oexn8kaWYPWYk ops@laptop"
CANARY = seed.PRODUCTION_DEVICE_UUIDS[0]
# Values of credential-looking variables: discover must write them as secrets, never in plaintext.
SECRET_VALUES = {
    "API_TOKEN": "tok-9f8e7d6c5b4a-production",
    "DB_PASSWORD": "hunter2-but-longer-9",
    "SIGNING_BLOB": "Zq8Lr2Vx9Kp4Wt7Ny1Bm6Hc3Jd5Fg0Sa",  # no credential-looking name: judged by its entropy
}


def add_every_kind(client: BalenaClient) -> dict[str, Any]:
    """Give the default seed's organization one object (or more) of every kind the package manages."""
    fleet = client.fleets.get_by_slug(seed.PRODUCTION)
    staging = client.fleets.get_by_slug(seed.STAGING)
    env = client.variables("fleet_env")
    env.create(fleet.id, "LOG_LEVEL", "info")
    env.create(fleet.id, "API_TOKEN", SECRET_VALUES["API_TOKEN"])
    env.create(staging.id, "LOG_LEVEL", "debug")
    client.variables("fleet_config").create(fleet.id, "BALENA_HOST_CONFIG_gpu_mem", "64")
    client.variables("fleet_build").create(fleet.id, "NPM_REGISTRY", "https://npm.acme.example")
    main = client.services.find(fleet.id, "main")
    client.variables("service_env").create(main.id, "PORT", "8080")
    client.variables("service_env").create(main.id, "DB_PASSWORD", SECRET_VALUES["DB_PASSWORD"])
    device = client.devices.get_by_uuid(CANARY)
    client.variables("device_env").create(device.id, "CANARY", "true")
    client.variables("device_env").create(device.id, "SIGNING_BLOB", SECRET_VALUES["SIGNING_BLOB"])
    client.variables("device_config").create(device.id, "BALENA_SUPERVISOR_POLL_INTERVAL", "600000")
    install = client.service_installs.find(device.id, main.id)
    client.variables("device_service_env").create(install.id, "DEBUG", "1")
    client.tags("fleet").create(fleet.id, "owner", "platform-team")
    client.tags("device").create(device.id, "ring", "canary")
    release_110 = client.releases.find_by_version(fleet.id, "1.1.0")
    client.tags("release").create(release_110.id, "qa", "passed")
    client.fleets.pin(fleet.id, release_110.id)
    client.devices.pin(device.id, client.releases.find_by_version(fleet.id, "2.0.0").id)
    client.fleet_members.create(fleet.id, "alice", "developer")
    client.invites("organization").create(fleet.organization, "dave@example.com", "member", "Welcome")
    client.invites("fleet").create(fleet.id, "erin@example.com", "observer")
    client.api_keys.create_provisioning_key(fleet.id, "factory-line-1", "line 1", "2031-06-30T00:00:00Z")
    client.api_keys.create_user_key("ci-deploy", "CI deploys", "2031-12-31T00:00:00Z")
    client.ssh_keys.create("ops laptop", SSH_KEY)
    return {"fleet": fleet, "device": device}


def generated_seed(handle: str, fleets: int, *, env: int, config: int, tags: int, devices: int = 0,
                   members: dict[str, str] | None = None, extra_orgs: list[dict[str, Any]] | None = None) -> dict:
    """A seed document: the default seed's reference data and users, plus organization ``handle`` with
    ``fleets`` fleets of ``env`` + ``config`` variables and ``tags`` tags each (and ``devices`` devices)."""
    doc = {k: seed.DEFAULT_SEED[k] for k in ("token_owner", "cpu_architectures", "device_types",
                                             "application_types", "users")}
    doc["organizations"] = [
        {"handle": handle, "name": f"{handle.capitalize()} Inc", "members": {"admin": "administrator", **(members or {})}},
        *(extra_orgs or []),
    ]
    doc["fleets"] = [
        {
            "organization": handle,
            "app_name": f"fleet-{n:03d}",
            "device_type": "raspberrypi4-64" if n % 2 else "intel-nuc",
            "is_of__class": "fleet",
            "env": {f"SETTING_{i:03d}": f"value-{n}-{i}" for i in range(env)},
            "config": {f"BALENA_HOST_CONFIG_option_{i:03d}": str(i) for i in range(config)},
            "tags": {f"tag-{i:03d}": f"t{n}.{i}" for i in range(tags)},
            "devices": [{"uuid": hashlib.md5(f"{handle}/{n}/{d}".encode()).hexdigest(), "device_name": f"dev-{n}-{d}"}
                        for d in range(devices)],
        }
        for n in range(fleets)
    ]
    return doc
