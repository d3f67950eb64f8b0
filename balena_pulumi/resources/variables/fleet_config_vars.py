"""``FleetConfigVars``: config variables of a fleet (`BALENA_`/`RESIN_` names, read by the supervisor and the host OS), as one map (bulk; API resource ``application_config_variable``).

Type token ``pulumi-python:dynamic/balena:FleetConfigVars``. The bulk form of ``FleetConfigVar``: the same parent, rules
and claim family, one engine step for the whole map (``bulk.BulkProvider`` does the work). Import id:
the single kind's parent, then the names it adopts (see ``docs/resources/fleet_config_vars.md``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi import dynamic

from ..base import Args
from ..bulk import BulkProvider, bulk_props
from ..refs import FleetSlug
from ._scope import ConfigVariables, bulk_scope, fleet_field, variables_field
from .fleet_config_var import SCOPE as SINGLE

SCOPE = bulk_scope("FleetConfigVars", SINGLE, config=True)


class FleetConfigVarsArgs(Args):
    fleet: FleetSlug = fleet_field()
    variables: ConfigVariables = variables_field(config=True)


class FleetConfigVarsProvider(BulkProvider):
    scope = SCOPE
    args_model = FleetConfigVarsArgs


class FleetConfigVars(dynamic.Resource, module="balena", name="FleetConfigVars"):
    """Config variables of a fleet (`BALENA_`/`RESIN_` names, read by the supervisor and the host OS), as one map. Outputs: every input, ``fleet_id``, ``variable_ids`` (name -> variable id)."""

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
        super().__init__(FleetConfigVarsProvider(), resource_name, bulk_props(SCOPE, resource_name, inputs), opts)
