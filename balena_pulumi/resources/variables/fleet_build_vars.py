"""``FleetBuildVars``: build-time environment variables of a fleet (given to the builder, not to devices), as one map (bulk; API resource ``build_environment_variable``).

Type token ``pulumi-python:dynamic/balena:FleetBuildVars``. The bulk form of ``FleetBuildVar``: the same parent, rules
and claim family, one engine step for the whole map (``bulk.BulkProvider`` does the work). Import id:
the single kind's parent, then the names it adopts (see ``docs/resources/fleet_build_vars.md``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi import dynamic

from ..base import Args
from ..bulk import BulkProvider, bulk_props
from ..refs import FleetSlug
from ._scope import EnvVariables, bulk_scope, fleet_field, variables_field
from .fleet_build_var import SCOPE as SINGLE

SCOPE = bulk_scope("FleetBuildVars", SINGLE)


class FleetBuildVarsArgs(Args):
    fleet: FleetSlug = fleet_field()
    variables: EnvVariables = variables_field()


class FleetBuildVarsProvider(BulkProvider):
    scope = SCOPE
    args_model = FleetBuildVarsArgs


class FleetBuildVars(dynamic.Resource, module="balena", name="FleetBuildVars"):
    """Build-time environment variables of a fleet (given to the builder, not to devices), as one map. Outputs: every input, ``fleet_id``, ``variable_ids`` (name -> variable id)."""

    fleet: pulumi.Output[str]
    variables: pulumi.Output[dict[str, str]]
    fleet_id: pulumi.Output[int]
    variable_ids: pulumi.Output[dict[str, int]]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        variables: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"fleet": fleet, "variables": variables}
        super().__init__(FleetBuildVarsProvider(), resource_name, bulk_props(SCOPE, resource_name, inputs), opts)
