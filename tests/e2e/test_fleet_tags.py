"""FleetTags on the real engine: its lifecycle is in the bulk contract (test_bulk_contract.py)."""

from __future__ import annotations

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.tags.fleet_tags import FleetTags

from .cases import Case, by_natural_key

INPUTS = {"fleet": "acme/production", "tags": {"owner": "platform", "cost,centre": "42%"}}
# How an existing map is adopted (tests/e2e/test_import.py runs it): `acme/production:cost%2Ccentre,owner`,
# a key's ',' percent-encoded.
IMPORT_CASE = Case("FleetTags", INPUTS, by_natural_key("FleetTags", INPUTS), same_outputs=("tag_ids",))


def program(fleet: str):
    def run() -> None:
        import pulumi

        tags = FleetTags("tags", fleet=fleet, tags={"owner": "platform"})
        pulumi.export("tag_ids", tags.tag_ids)

    return run


def test_a_renamed_fleet_keeps_its_tags_with_no_write_and_another_fleet_replaces_them(deployment):
    client = BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)
    deployment.up(program("acme/production"))
    ids = deployment.outputs()["tag_ids"]
    client.fleets.update(client.fleets.get_by_slug("acme/production").id, name="production-eu")
    deployment.sandbox.clear_requests()

    renamed = deployment.up(program("acme/production-eu"))
    assert "replace" not in renamed.summary.resource_changes
    assert deployment.writes() == [] and deployment.outputs()["tag_ids"] == ids

    deployment.sandbox.clear_requests()
    moved = deployment.up(program("acme/staging"))
    assert moved.summary.resource_changes.get("replace") == 1
    assert [w["method"] for w in deployment.writes()] == ["DELETE", "POST"]  # the old fleet's tag first
    staging = client.fleets.get_by_slug("acme/staging").id
    assert {t.tag_key: t.value for t in client.tags("fleet").list(staging)}["owner"] == "platform"
