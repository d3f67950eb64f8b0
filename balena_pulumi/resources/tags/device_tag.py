"""``DeviceTag``: one tag on a device (API resource ``device_tag``).

Type token ``pulumi-python:dynamic/balena:DeviceTag``. Import id: ``UUID:KEY`` or the numeric tag id.
A value change is one PATCH; a key change or another device replaces the tag (the old one deleted first).
"""

from __future__ import annotations

from typing import Annotated

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator

from ..base import Args
from ..fields import Change, field
from ..refs import DEVICE_DOC, DeviceUuid
from ._scope import DEVICE_TAGS, TagProvider, tag_props, key_field, key_rule, value_field, value_rule

OUTPUTS = ("tag_id", "device_id")


class DeviceTagArgs(Args):
    device: DeviceUuid = field(DEVICE_DOC, change=Change.PARENT)
    key: Annotated[str, AfterValidator(key_rule(DEVICE_TAGS))] = key_field(DEVICE_TAGS)
    value: Annotated[str, AfterValidator(value_rule(DEVICE_TAGS))] = value_field(DEVICE_TAGS)


class DeviceTagProvider(TagProvider):
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
        inputs = {"device": device, "key": key, "value": value}
        super().__init__(DeviceTagProvider(), resource_name, tag_props(DEVICE_TAGS, resource_name, inputs, OUTPUTS), opts)
