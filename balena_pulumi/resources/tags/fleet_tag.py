"""``FleetTag``: one tag on a fleet (API resource ``application_tag``).

Type token ``pulumi-python:dynamic/balena:FleetTag``. Import id: ``org/fleet:KEY`` or the numeric tag id.
A value change is one PATCH; a key change or another fleet replaces the tag (the old one deleted first);
a renamed fleet (new slug, same fleet) changes nothing remotely.
"""

from __future__ import annotations

from typing import Annotated

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator

from ..base import Args
from ..fields import Change, field
from ..refs import FLEET_DOC, FleetSlug
from ._scope import FLEET_TAGS, TagProvider, tag_props, key_field, key_rule, value_field, value_rule

OUTPUTS = ("tag_id", "fleet_id")


class FleetTagArgs(Args):
    fleet: FleetSlug = field(FLEET_DOC, change=Change.PARENT)
    key: Annotated[str, AfterValidator(key_rule(FLEET_TAGS))] = key_field(FLEET_TAGS)
    value: Annotated[str, AfterValidator(value_rule(FLEET_TAGS))] = value_field(FLEET_TAGS)


class FleetTagProvider(TagProvider):
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
        inputs = {"fleet": fleet, "key": key, "value": value}
        super().__init__(FleetTagProvider(), resource_name, tag_props(FLEET_TAGS, resource_name, inputs, OUTPUTS), opts)
