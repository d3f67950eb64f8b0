"""``FleetTag``: one tag on a fleet (API resource ``application_tag``).

Type token ``pulumi-python:dynamic/balena:FleetTag``. Import id: the numeric tag id or
``org/fleet:KEY``. A value change is one PATCH; a key change or a move to another fleet replaces the
tag (old one deleted first); a rename of the fleet (new slug, same fleet) changes nothing remotely.
"""

from __future__ import annotations

from typing import Annotated

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator, Field

from . import _refs
from ._tags import FLEET_TAGS, TagProvider, key_rule, value_rule
from .base import Args


class FleetTagArgs(Args):
    fleet: Annotated[str, AfterValidator(_refs.check_fleet_slug)] = Field(
        description="Slug of the fleet (`org_handle/app_name`, the Fleet's `slug` output). Another fleet replaces."
    )
    key: Annotated[str, AfterValidator(key_rule(FLEET_TAGS))] = Field(
        description="Tag key: no whitespace, not `io.resin.`/`io.balena.`, 1 to 100 characters. Changing it replaces."
    )
    value: Annotated[str, AfterValidator(value_rule(FLEET_TAGS))] = Field(
        default="", description="Tag value, at most 1000 characters (may be empty). Updated in place."
    )


class FleetTagProvider(TagProvider):
    kind = "FleetTag"
    scope = FLEET_TAGS
    args_model = FleetTagArgs


class FleetTag(dynamic.Resource, module="balena", name="FleetTag"):
    """A tag on a fleet. Outputs: every input, ``tag_id``, ``fleet_id``."""

    fleet: pulumi.Output[str]
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
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            FleetTagProvider(),
            resource_name,
            {"fleet": fleet, "key": key, "value": value, "tag_id": None, "fleet_id": None},
            opts,
        )
