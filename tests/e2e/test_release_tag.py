"""ReleaseTag beyond the tag contract (tests/e2e/test_tags_contract.py): the release selectors."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from balena_pulumi.resources.tags.release_tag import ReleaseTag
from balena_pulumi.sandbox.seed import COMMITS, STAGING_RELEASE_COMMIT

from .cases import Case, natural

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case(
    "ReleaseTag",
    {"fleet": "acme/production", "release_version": "1.1.0", "key": "qa", "value": "passed"},
    natural("acme/production@1.1.0:qa"),
)


def program(key: str = "qa", **selector):
    def run() -> None:
        import pulumi

        tag = ReleaseTag("qa", fleet="acme/production", key=key, value="passed", **selector)
        pulumi.export("tag_id", tag.tag_id)
        pulumi.export("release", [tag.release_id, tag.release_version, tag.release_commit])

    return run


@pytest.mark.parametrize(
    "selector", [{"release_version": "1.1.0+rev1"}, {"release_commit": COMMITS[3]}, {"release_id": 3}], ids=str
)
def test_each_selector_finds_the_release_and_outputs_all_three(deployment, selector):
    deployment.up(program(**selector))
    assert deployment.outputs()["release"] == [3, "1.1.0+rev1", COMMITS[3]]
    deployment.sandbox.clear_requests()
    assert deployment.up(program(**selector)).summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []


def test_another_selector_of_the_same_release_is_no_change(deployment):
    deployment.up(program(release_version="1.1.0"))
    tag_id = deployment.outputs()["tag_id"]
    deployment.sandbox.clear_requests()

    result = deployment.up(program(release_commit=COMMITS[2]))

    # One release, however it is named: nothing to show, nothing to write (check reads which release the
    # new selector names).
    assert result.summary.resource_changes == {"same": 2}
    assert deployment.writes() == []
    assert deployment.outputs()["tag_id"] == tag_id
    deployment.sandbox.clear_requests()
    assert deployment.up(program(release_commit=COMMITS[2])).summary.resource_changes == {"same": 2}


def test_a_failed_release_may_be_tagged(deployment):
    deployment.up(program(release_version="2.1.0"))
    assert deployment.outputs()["release"][0] == 6


def test_a_release_key_may_be_164_characters_where_fleet_tags_stop_at_100(deployment):
    deployment.up(program(key="k" * 164, release_id=2))
    assert deployment.outputs()["tag_id"]


@pytest.mark.parametrize(
    ("selector", "rule"),
    [
        ({"release_commit": STAGING_RELEASE_COMMIT}, f"release_commit: fleet acme/production has no release with commit {STAGING_RELEASE_COMMIT}"),
        ({"release_id": 8}, "release_id: fleet acme/production has no release with id 8"),
        ({"release_commit": COMMITS[2][:7]}, "release_commit: must be a full commit hash"),
        ({"release_version": "1.1"}, "release_version: must be a release version as balena writes it"),
        ({"release_version": "1.1.0", "release_id": 2}, "exactly one of release_version, release_commit, release_id must be set (got release_version and release_id)"),
    ],
    ids=str,
)
def test_a_bad_release_selector_fails_in_preview_naming_it(deployment, selector, rule):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(program(**selector))
    assert rule in str(failure.value)
    assert deployment.writes() == []
