"""``FleetTags``: the tags of a fleet, as one map (bulk; API resource ``application_tag``).

Type token ``pulumi-python:dynamic/balena:FleetTags``. The bulk form of ``FleetTag``: the same parent, rules
and claim family, one engine step for the whole map (``bulk.BulkProvider`` does the work). Import id:
``org/fleet:KEY,KEY,...`` (see ``docs/resources/fleet_tags.md``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi import dynamic

from ..base import Args
from ..bulk import BulkProvider, bulk_props
from ..fields import Change, field
from ..refs import FLEET_DOC, FleetSlug
from ._scope import FLEET_TAGS, bulk_scope, tags_field, tags_type

SCOPE = bulk_scope("FleetTags", FLEET_TAGS)


class FleetTagsArgs(Args):
    fleet: FleetSlug = field(FLEET_DOC, change=Change.PARENT)
    tags: tags_type(FLEET_TAGS) = tags_field(FLEET_TAGS)  # type: ignore[valid-type]


class FleetTagsProvider(BulkProvider):
    scope = SCOPE
    args_model = FleetTagsArgs


class FleetTags(dynamic.Resource, module="balena", name="FleetTags"):
    """The tags of a fleet, as one map. Outputs: every input, ``fleet_id``, ``tag_ids`` (key -> tag id)."""

    fleet: pulumi.Output[str]
    tags: pulumi.Output[dict[str, str]]
    fleet_id: pulumi.Output[int]
    tag_ids: pulumi.Output[dict[str, int]]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"fleet": fleet, "tags": tags}
        super().__init__(FleetTagsProvider(), resource_name, bulk_props(SCOPE, resource_name, inputs), opts)
