"""``DeviceTags``: the tags of a device, as one map (bulk; API resource ``device_tag``).

Type token ``pulumi-python:dynamic/balena:DeviceTags``. The bulk form of ``DeviceTag``: the same parent, rules
and claim family, one engine step for the whole map (``bulk.BulkProvider`` does the work). Import id:
``UUID:KEY,KEY,...`` (see ``docs/resources/device_tags.md``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi import dynamic

from ..base import Args
from ..bulk import BulkProvider, bulk_props
from ..fields import Change, field
from ..refs import DEVICE_DOC, DeviceUuid
from ._scope import DEVICE_TAGS, bulk_scope, tags_field, tags_type

SCOPE = bulk_scope("DeviceTags", DEVICE_TAGS)


class DeviceTagsArgs(Args):
    device: DeviceUuid = field(DEVICE_DOC, change=Change.PARENT)
    tags: tags_type(DEVICE_TAGS) = tags_field(DEVICE_TAGS)  # type: ignore[valid-type]


class DeviceTagsProvider(BulkProvider):
    scope = SCOPE
    args_model = DeviceTagsArgs


class DeviceTags(dynamic.Resource, module="balena", name="DeviceTags"):
    """The tags of a device, as one map. Outputs: every input, ``device_id``, ``tag_ids`` (key -> tag id)."""

    device: pulumi.Output[str]
    tags: pulumi.Output[dict[str, str]]
    device_id: pulumi.Output[int]
    tag_ids: pulumi.Output[dict[str, int]]

    def __init__(
        self,
        resource_name: str,
        *,
        device: pulumi.Input[str],
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"device": device, "tags": tags}
        super().__init__(DeviceTagsProvider(), resource_name, bulk_props(SCOPE, resource_name, inputs), opts)
