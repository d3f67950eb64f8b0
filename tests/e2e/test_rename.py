"""A renamed parent is the same parent: renaming a fleet, or an organization's handle, updates in place.

Every kind that can hang off a fleet takes the fleet's `slug` output. Renaming the fleet changes that
slug; each dependent then sees a new `fleet` input, in preview still unknown or predicted. The plan must be
updates only, in preview and in `up`: no replacement, the provisioning key and the invites kept (same ids,
no new secret, no re-sent invite), and exactly one write, the PATCH of the fleet (or of the organization).
"""

from __future__ import annotations

import pulumi
import pytest

from balena_pulumi import resources as r
from balena_pulumi.resources import provider_class
from balena_pulumi.client import BalenaClient
from balena_pulumi.sandbox.seed import PRODUCTION_DEVICE_UUIDS

# Every kind whose input names a fleet: the program below must hang one of each off the fleet.
FLEET_KINDS = {kind for kind in r.REGISTRY if "fleet" in provider_class(kind).args_model.model_fields}


def organization_program(*, fleet_name: str = "production", handle: str = "acme", adopt: bool = False):
    """The seeded organization and its production fleet (adopted), with every kind that hangs off them."""

    def program() -> None:
        org = r.Organization(
            "org", name="Acme Corp", handle=handle, opts=pulumi.ResourceOptions(import_="acme" if adopt else None)
        )
        fleet = r.Fleet(
            "production",
            organization=org.handle,
            name=fleet_name,
            device_type="raspberrypi4-64",
            opts=pulumi.ResourceOptions(import_="acme/production" if adopt else None),
        )
        slug = fleet.slug
        r.FleetEnvVar("env", fleet=slug, name="LOG_LEVEL", value="info")
        r.FleetConfigVar("config", fleet=slug, name="BALENA_HOST_CONFIG_gpu_mem", value="64")
        r.FleetBuildVar("build", fleet=slug, name="NPM_REGISTRY", value="https://npm.example")
        r.ServiceEnvVar("service-env", fleet=slug, service="main", name="PORT", value="8080")
        r.FleetEnvVars("bulk", fleet=slug, variables={"MQTT_HOST": "mqtt.example"})
        r.FleetConfigVars("bulk-config", fleet=slug, variables={"BALENA_HOST_CONFIG_hdmi_force_hotplug": "1"})
        r.FleetBuildVars("bulk-build", fleet=slug, variables={"PIP_INDEX": "https://pypi.example"})
        r.ServiceEnvVars("bulk-service-env", fleet=slug, service="main", variables={"WORKERS": "2"})
        r.FleetTags("bulk-tags", fleet=slug, tags={"cost-center": "ops"})
        r.ReleaseTags("bulk-release-tags", fleet=slug, release_version="1.1.0", tags={"ticket": "OPS-1"})
        r.FleetTag("tag", fleet=slug, key="owner", value="platform")
        r.ReleaseTag("release-tag", fleet=slug, release_version="1.1.0", key="qa", value="passed")
        r.FleetPin("pin", fleet=slug, release_version="1.1.0")
        r.FleetMember("member", fleet=slug, username="alice", role="developer")
        r.FleetInvite("fleet-invite", fleet=slug, invitee="erin@example.com", role="observer")
        key = r.ProvisioningKey("provisioning", fleet=slug, name="factory")
        pulumi.export("provisioning_key", key.key)
        r.OrganizationMember("org-member", organization=org.handle, username="bob", role="member")
        r.OrganizationInvite("org-invite", organization=org.handle, invitee="dave@example.com", role="member")
        r.DeviceTag("device-tag", device=PRODUCTION_DEVICE_UUIDS[0], key="ring", value="canary")

    return program


def ids_by_name(deployment) -> dict[str, str]:
    return {res["urn"].rsplit("::", 1)[-1]: res["id"] for res in deployment.resources()}


def kept_secrets(deployment) -> str:
    return deployment.outputs()["provisioning_key"]


@pytest.fixture
def organization(deployment):
    deployment.up(organization_program(adopt=True))
    deployment.sandbox.clear_requests()
    return deployment


def assert_updates_only(summary: dict[str, int]) -> None:
    assert not {op for op in summary if "replace" in op or op in ("create", "delete")}, summary
    assert summary.get("update", 0) >= 1, summary


def test_renaming_a_fleet_previews_and_applies_as_updates_only(organization):
    deployment = organization
    assert FLEET_KINDS <= {res["type"].rsplit(":", 1)[-1] for res in deployment.resources()}
    before, secrets = ids_by_name(deployment), kept_secrets(deployment)

    preview = deployment.preview(organization_program(fleet_name="production-eu"))
    assert_updates_only(preview.change_summary)
    assert deployment.writes() == []

    result = deployment.up(organization_program(fleet_name="production-eu"))
    assert_updates_only(result.summary.resource_changes)
    assert ids_by_name(deployment) == before
    assert kept_secrets(deployment) == secrets
    assert [(w["method"], w["path"].split("?")[0]) for w in deployment.writes()] == [
        ("PATCH", f"/v7/application({before['production']})")
    ]
    client = BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)
    assert client.fleets.get(int(before["production"])).slug == "acme/production-eu"
    # Every dependent now names the fleet by its new slug, so the next plan is empty.
    again = deployment.preview(organization_program(fleet_name="production-eu"))
    assert set(again.change_summary) == {"same"}


def test_a_new_organization_handle_previews_and_applies_as_updates_only(organization):
    deployment = organization
    before = ids_by_name(deployment)

    preview = deployment.preview(organization_program(handle="acme_corp"))
    assert_updates_only(preview.change_summary)

    result = deployment.up(organization_program(handle="acme_corp"))
    assert_updates_only(result.summary.resource_changes)
    assert ids_by_name(deployment) == before
    assert [(w["method"], w["path"].split("?")[0]) for w in deployment.writes()] == [
        ("PATCH", f"/v7/organization({before['org']})")
    ]
    again = deployment.preview(organization_program(handle="acme_corp"))
    assert set(again.change_summary) == {"same"}


def test_moving_a_dependent_to_another_fleet_still_replaces_it(organization):
    """The identity rule cuts both ways: another fleet is another parent."""
    deployment = organization

    def moved() -> None:
        organization_program()()
        r.FleetTag("tag-staging", fleet="acme/staging", key="tier", value="gold")

    deployment.up(moved)

    def moved_again() -> None:
        organization_program()()
        r.FleetTag("tag-staging", fleet="acme/production", key="tier", value="gold")

    preview = deployment.preview(moved_again)
    assert preview.change_summary.get("replace") == 1
