"""``ReleaseTag``: one tag on a release (API resource ``release_tag``).

Type token ``pulumi-python:dynamic/balena:ReleaseTag``. Import id: ``org/fleet@VERSION:KEY`` (VERSION is
the raw version, e.g. ``1.1.0+rev1``) or the numeric tag id. The release is named by its fleet and
exactly one selector; any status may be tagged. A value change is one PATCH; a key change or another
release replaces the tag (the old one deleted first); another selector of the same release, or a renamed
fleet, changes nothing.
"""

from __future__ import annotations

from typing import Annotated

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator

from ..base import Args
from ..fields import Change, field
from ..refs import FLEET_DOC, RELEASE_DOCS, FleetSlug, ReleaseCommit, ReleaseId, ReleaseVersion
from ._scope import RELEASE_TAGS, TagProvider, tag_props, key_field, key_rule, value_field, value_rule

OUTPUTS = ("tag_id", "fleet_id", "release_selector")


class ReleaseTagArgs(Args):
    fleet: FleetSlug = field("Slug of the fleet that owns the release (pass the Fleet's `slug` output).", change=Change.PARENT)
    release_version: ReleaseVersion = field(RELEASE_DOCS["release_version"], change=Change.RELEASE, default=None)
    release_commit: ReleaseCommit = field(RELEASE_DOCS["release_commit"], change=Change.RELEASE, default=None)
    release_id: ReleaseId = field(RELEASE_DOCS["release_id"], change=Change.RELEASE, default=None)
    key: Annotated[str, AfterValidator(key_rule(RELEASE_TAGS))] = key_field(RELEASE_TAGS)
    value: Annotated[str, AfterValidator(value_rule(RELEASE_TAGS))] = value_field(RELEASE_TAGS)


class ReleaseTagProvider(TagProvider):
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
        inputs = {
            "fleet": fleet,
            "release_version": release_version,
            "release_commit": release_commit,
            "release_id": release_id,
            "key": key,
            "value": value,
        }
        super().__init__(ReleaseTagProvider(), resource_name, tag_props(RELEASE_TAGS, resource_name, inputs, OUTPUTS), opts)
