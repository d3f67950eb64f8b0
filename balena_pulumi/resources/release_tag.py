"""``ReleaseTag``: one tag on a release (API resource ``release_tag``).

Type token ``pulumi-python:dynamic/balena:ReleaseTag``. Import id: the numeric tag id or
``org/fleet@VERSION:KEY`` (VERSION is the raw version, e.g. ``1.1.0+rev1``). The release is named by
its fleet and exactly one selector; any status may be tagged. A value change is one PATCH; a key change
or another release replaces the tag (old one deleted first); another selector of the same release, or a
renamed fleet, changes nothing remotely.
"""

from __future__ import annotations

from typing import Annotated, Optional

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator, Field

from . import _refs
from ._tags import RELEASE_TAGS, TagProvider, key_rule, value_rule
from .base import Args


class ReleaseTagArgs(Args):
    fleet: Annotated[str, AfterValidator(_refs.check_fleet_slug)] = Field(
        description="Slug of the fleet that owns the release (`org_handle/app_name`)."
    )
    release_version: Annotated[Optional[str], AfterValidator(_refs.check_release_version)] = Field(
        default=None, description="Raw version of the release: `1.2.3` and `1.2.3+rev1` are different releases."
    )
    release_commit: Annotated[Optional[str], AfterValidator(_refs.check_release_commit)] = Field(
        default=None, description="Full commit hash of the release (32 or 40 hex characters)."
    )
    release_id: Annotated[Optional[int], AfterValidator(_refs.check_release_id)] = Field(
        default=None, description="Numeric id of the release."
    )
    key: Annotated[str, AfterValidator(key_rule(RELEASE_TAGS))] = Field(
        description="Tag key: no whitespace, not `io.resin.`/`io.balena.`, 1 to 164 characters. Changing it replaces."
    )
    value: Annotated[str, AfterValidator(value_rule(RELEASE_TAGS))] = Field(
        default="", description="Tag value, at most 1000 characters (may be empty). Updated in place."
    )


class ReleaseTagProvider(TagProvider):
    kind = "ReleaseTag"
    scope = RELEASE_TAGS
    args_model = ReleaseTagArgs


class ReleaseTag(dynamic.Resource, module="balena", name="ReleaseTag"):
    """A tag on a release. Outputs: every input, ``tag_id``, ``fleet_id`` and the resolved
    ``release_id``, ``release_version``, ``release_commit``."""

    fleet: pulumi.Output[str]
    release_version: pulumi.Output[str]
    release_commit: pulumi.Output[str]
    release_id: pulumi.Output[int]
    key: pulumi.Output[str]
    value: pulumi.Output[str]
    tag_id: pulumi.Output[int]
    fleet_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        key: pulumi.Input[str],
        value: pulumi.Input[str] = "",
        release_version: pulumi.Input[str] | None = None,
        release_commit: pulumi.Input[str] | None = None,
        release_id: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            ReleaseTagProvider(),
            resource_name,
            {
                "fleet": fleet,
                "release_version": release_version,
                "release_commit": release_commit,
                "release_id": release_id,
                "key": key,
                "value": value,
                "tag_id": None,
                "fleet_id": None,
                "release_selector": None,
            },
            opts,
        )
