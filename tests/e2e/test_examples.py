"""The examples in examples/ run on the real engine against the sandbox and do what their docs say."""

from __future__ import annotations

import runpy
from pathlib import Path

from balena_pulumi.client import BalenaClient
from balena_pulumi.sandbox import seed

ROOT = Path(__file__).resolve().parents[2]


def example(name: str):
    return runpy.run_path(str(ROOT / "examples" / name / "__main__.py"), run_name="example")["main"]


def snapshot(client: BalenaClient) -> dict:
    """What a person would check in the dashboard: every object the examples can touch."""
    production = client.fleets.get_by_slug(seed.PRODUCTION)
    fleet = client.fleets.get(production.id)
    devices = {d.uuid: d for d in client.devices.list(production.id)}
    return {
        "fleets": sorted(f.slug for f in client.fleets.list()),
        "production": (fleet.should_track_latest_release, fleet.should_be_running__release),
        "pins": {uuid: d.is_pinned_on__release for uuid, d in devices.items()},
        "fleet_vars": sorted(v.name for v in client.variables("fleet_env").list(production.id)),
        "fleet_tags": sorted(t.key for t in client.tags("fleet").list(production.id)),
        "device_tags": sorted(t.key for d in devices.values() for t in client.tags("device").list(d.id)),
        "device_vars": sorted(v.name for d in devices.values() for v in client.variables("device_env").list(d.id)),
        "members": sorted((m.user, m.application_membership_role) for m in client.fleet_members.list(production.id)),
        "org_members": sorted(
            (m.user, m.organization_membership_role) for m in client.organization_members.list(production.organization)
        ),
        "ssh_keys": sorted(k.title for k in client.ssh_keys.list()),
        "invites": len(client.invites("organization").list(production.organization))
        + len(client.invites("fleet").list(production.id)),
    }


def test_organization_example_builds_every_kind_then_destroys_back_to_the_seed(deployment):
    client = BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)
    seeded = snapshot(client)
    program = example("organization")

    result = deployment.up(program)
    assert result.summary.resource_changes.get("create", 0) >= 25
    after = snapshot(client)
    assert {"acme/edge-gateways", "acme/kiosks"} <= set(after["fleets"])
    release_110 = client.releases.find_by_version(client.fleets.get_by_slug(seed.PRODUCTION).id, "1.1.0")
    assert after["production"] == (False, release_110.id)
    assert "ring" in after["device_tags"] and "CANARY" in after["device_vars"]
    assert "ops laptop" in after["ssh_keys"] and after["invites"] == seeded["invites"] + 2
    # The API token value was a secret input and the API key a generated secret: neither in plaintext.
    assert "example-token-not-for-production" not in deployment.state_text()

    deployment.sandbox.clear_requests()
    again = deployment.up(program)
    assert set(again.summary.resource_changes) == {"same"}
    assert deployment.writes() == []

    deployment.destroy()
    final = snapshot(client)
    # Destroying an OrganizationMember removes the member from the organization (docs/resources/
    # organization_member.md): bob (user 3) is gone; everything else is as seeded.
    assert final.pop("org_members") == [m for m in seeded.pop("org_members") if m[0] != 3]
    assert final == seeded


def test_staged_rollout_pins_canaries_ahead_of_the_fleet_and_destroy_releases_them(deployment):
    client = BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)
    seeded = snapshot(client)

    deployment.up(example("staged-rollout"))

    assert deployment.outputs() == {"stable": "1.1.0", "candidate": "2.0.0"}
    fleet_id = client.fleets.get_by_slug(seed.PRODUCTION).id
    stable = client.releases.find_by_version(fleet_id, "1.1.0").id
    candidate = client.releases.find_by_version(fleet_id, "2.0.0").id
    after = snapshot(client)
    assert after["production"] == (False, stable)
    canaries, rest = seed.PRODUCTION_DEVICE_UUIDS[:2], seed.PRODUCTION_DEVICE_UUIDS[2:]
    assert all(after["pins"][uuid] == candidate for uuid in canaries)
    assert all(after["pins"][uuid] is None for uuid in rest)

    deployment.destroy()
    assert snapshot(client) == seeded
