"""``ReleaseTags``: the tags of a release, as one map (bulk; API resource ``release_tag``).

Type token ``pulumi-python:dynamic/balena:ReleaseTags``. The bulk form of ``ReleaseTag``: the release named by
its fleet and exactly one selector, the same rules and claim family, one engine step for the whole map
(``bulk.BulkProvider`` does the work). Another selector of the same release changes nothing; another
release replaces the resource (its tags are deleted from the old release first). Import id:
``org/fleet@RELEASE:KEY,KEY,...`` (see ``docs/resources/release_tags.md``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi import dynamic

from ..base import Args
from ..bulk import BulkProvider, bulk_props
from ..fields import Change, field
from ..refs import RELEASE_DOCS, FleetSlug, ReleaseCommit, ReleaseId, ReleaseVersion
from ._scope import RELEASE_TAGS, bulk_scope, tags_field, tags_type

SCOPE = bulk_scope("ReleaseTags", RELEASE_TAGS)


class ReleaseTagsArgs(Args):
    fleet: FleetSlug = field("Slug of the fleet that owns the release (pass the Fleet's `slug` output).", change=Change.PARENT)
    release_version: ReleaseVersion = field(RELEASE_DOCS["release_version"], change=Change.RELEASE, default=None)
    release_commit: ReleaseCommit = field(RELEASE_DOCS["release_commit"], change=Change.RELEASE, default=None)
    release_id: ReleaseId = field(RELEASE_DOCS["release_id"], change=Change.RELEASE, default=None)
    tags: tags_type(RELEASE_TAGS) = tags_field(RELEASE_TAGS)  # type: ignore[valid-type]


class ReleaseTagsProvider(BulkProvider):
    scope = SCOPE
    args_model = ReleaseTagsArgs


class ReleaseTags(dynamic.Resource, module="balena", name="ReleaseTags"):
    """The tags of a release, as one map. Outputs: every input, ``fleet_id``, ``tag_ids`` (key -> tag id) and
    the resolved ``release_id``, ``release_version``, ``release_commit``."""

    fleet: pulumi.Output[str]
    release_version: pulumi.Output[str]
    release_commit: pulumi.Output[str]
    release_id: pulumi.Output[int]
    tags: pulumi.Output[dict[str, str]]
    fleet_id: pulumi.Output[int]
    tag_ids: pulumi.Output[dict[str, int]]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        release_version: pulumi.Input[str] | None = None,
        release_commit: pulumi.Input[str] | None = None,
        release_id: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "fleet": fleet,
            "release_version": release_version,
            "release_commit": release_commit,
            "release_id": release_id,
            "tags": tags,
        }
        super().__init__(ReleaseTagsProvider(), resource_name, bulk_props(SCOPE, resource_name, inputs), opts)
