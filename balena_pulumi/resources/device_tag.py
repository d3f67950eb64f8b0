"""``DeviceTag``: one tag on a device (API resource ``device_tag``).

Type token ``pulumi-python:dynamic/balena:DeviceTag``. Import id: the numeric tag id or ``UUID:KEY``.
A value change is one PATCH; a key change or another device replaces the tag (old one deleted first).
"""

from __future__ import annotations

from typing import Annotated

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator, Field

from . import _refs
from ._tags import DEVICE_TAGS, TagProvider, key_rule, value_rule
from .base import Args


class DeviceTagArgs(Args):
    device: Annotated[str, AfterValidator(_refs.check_device_uuid)] = Field(
        description="Full uuid of the device (32 or 62 hex characters). Another device replaces."
    )
    key: Annotated[str, AfterValidator(key_rule(DEVICE_TAGS))] = Field(
        description="Tag key: no whitespace, not `io.resin.`/`io.balena.`, 1 to 100 characters. Changing it replaces."
    )
    value: Annotated[str, AfterValidator(value_rule(DEVICE_TAGS))] = Field(
        default="", description="Tag value, at most 10000 characters (may be empty). Updated in place."
    )


class DeviceTagProvider(TagProvider):
    kind = "DeviceTag"
    scope = DEVICE_TAGS
    args_model = DeviceTagArgs


class DeviceTag(dynamic.Resource, module="balena", name="DeviceTag"):
    """A tag on a device. Outputs: every input, ``tag_id``, ``device_id``."""

    device: pulumi.Output[str]
    key: pulumi.Output[str]
    value: pulumi.Output[str]
    tag_id: pulumi.Output[int]
    device_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        device: pulumi.Input[str],
        key: pulumi.Input[str],
        value: pulumi.Input[str] = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            DeviceTagProvider(),
            resource_name,
            {"device": device, "key": key, "value": value, "tag_id": None, "device_id": None},
            opts,
        )
