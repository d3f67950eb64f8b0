"""ReleaseTags on the real engine: its lifecycle is in the bulk contract (test_bulk_contract.py)."""

from __future__ import annotations

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.tags.release_tags import ReleaseTags
from balena_pulumi.sandbox.seed import COMMITS

from .cases import Case, by_natural_key

# Release 1.1.0 is release id 2; 1.1.0+rev1 (id 3) is another release.
INPUTS = {"fleet": "acme/production", "release_commit": COMMITS[2], "tags": {"qa": "passed", "ticket": "OPS-1"}}
# How an existing map is adopted (tests/e2e/test_import.py runs it): the release by commit here,
# `acme/production@<commit>:qa,ticket`.
IMPORT_CASE = Case("ReleaseTags", INPUTS, by_natural_key("ReleaseTags", INPUTS), same_outputs=("release_id", "tag_ids"))


def program(**selector):
    def run() -> None:
        import pulumi

        tags = ReleaseTags("release", fleet="acme/production", tags={"qa": "passed"}, **selector)
        pulumi.export("tag_ids", tags.tag_ids)

    return run


def test_another_selector_of_the_same_release_changes_nothing_and_another_release_replaces(deployment):
    client = BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)
    deployment.up(program(release_version="1.1.0"))
    ids = deployment.outputs()["tag_ids"]

    deployment.sandbox.clear_requests()
    same = deployment.up(program(release_commit=COMMITS[2]))
    assert set(same.summary.resource_changes) == {"same"}
    assert deployment.writes() == [] and deployment.outputs()["tag_ids"] == ids

    deployment.sandbox.clear_requests()
    other = deployment.up(program(release_version="1.1.0+rev1"))
    assert other.summary.resource_changes.get("replace") == 1
    assert [w["method"] for w in deployment.writes()] == ["DELETE", "POST"]
    fleet = client.fleets.get_by_slug("acme/production").id
    assert {t.tag_key for t in client.tags("release").list(client.releases.find_by_version(fleet, "1.1.0").id)} == set()
    assert {t.tag_key for t in client.tags("release").list(client.releases.find_by_version(fleet, "1.1.0+rev1").id)} == {
        "qa"
    }
