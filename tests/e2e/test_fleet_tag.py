"""FleetTag beyond the tag contract (tests/e2e/test_tags_contract.py): a fleet rename keeps the tag."""

from __future__ import annotations

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.fleets.fleet import Fleet
from balena_pulumi.resources.tags.fleet_tag import FleetTag

from .cases import Case, natural

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case(
    "FleetTag",
    {"fleet": "acme/production", "key": "owner", "value": "platform"},
    natural("acme/production:owner"),
)


def program(fleet_name: str, value: str = "ops"):
    def run() -> None:
        import pulumi

        fleet = Fleet("gw", organization="acme", name=fleet_name, device_type="raspberrypi4-64")
        tag = FleetTag("owner", fleet=fleet.slug, key="owner", value=value)
        pulumi.export("tag_id", tag.tag_id)
        pulumi.export("fleet_id", fleet.fleet_id)

    return run


def test_a_tag_on_a_fleet_of_the_same_stack_survives_a_fleet_rename_without_replacement(deployment):
    deployment.up(program("edge-gateways"))
    before = deployment.outputs()
    deployment.sandbox.clear_requests()

    result = deployment.up(program("edge-gateways-v2"))

    assert result.summary.resource_changes.get("replace", 0) == 0
    assert deployment.outputs() == before  # same tag id, same fleet id
    # The only write is the fleet's rename: the tag is not touched.
    assert [(w["method"], w["path"]) for w in deployment.writes()] == [("PATCH", f"/v7/application({before['fleet_id']})")]
    client = BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)
    [tag] = client.tags("fleet").list(before["fleet_id"])
    assert (tag.id, tag.tag_key, tag.value) == (before["tag_id"], "owner", "ops")
    [state] = deployment.resources("FleetTag")
    assert state["outputs"]["fleet"] == "acme/edge-gateways-v2"

    deployment.sandbox.clear_requests()
    assert deployment.up(program("edge-gateways-v2")).summary.resource_changes == {"same": 3}
    assert deployment.writes() == []
