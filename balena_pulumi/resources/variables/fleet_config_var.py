"""``FleetConfigVar``: a fleet-wide configuration variable read by the supervisor and host OS (API resource
``application_config_variable``).

Type token ``pulumi-python:dynamic/balena:FleetConfigVar``. Import id: ``org/fleet:NAME`` or the numeric variable id.
What each input's change does is declared next to it; the rules are the API's (see ``_scope``).
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ..base import Args
from ..refs import FleetSlug
from ._scope import (
    CONFIG_NAME_DOC,
    ConfigVarName,
    FLEET,
    VariableProvider,
    VariableScope,
    VariableValue,
    fleet_field,
    name_field,
    value_field,
    variable_props,
)

SCOPE = VariableScope(kind="FleetConfigVar", api_kind="fleet_config", parent=FLEET, label="fleet config variable")


class FleetConfigVarArgs(Args):
    fleet: FleetSlug = fleet_field()
    name: ConfigVarName = name_field(CONFIG_NAME_DOC)
    value: VariableValue = value_field()


class FleetConfigVarProvider(VariableProvider):
    scope = SCOPE
    args_model = FleetConfigVarArgs


class FleetConfigVar(dynamic.Resource, module="balena", name="FleetConfigVar"):
    """A fleet-wide configuration variable read by the supervisor and host OS (API resource ``application_config_variable``). Outputs: every input, ``fleet_id``, ``variable_id``."""

    fleet: pulumi.Output[str]
    name: pulumi.Output[str]
    value: pulumi.Output[str]
    fleet_id: pulumi.Output[int]
    variable_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        name: pulumi.Input[str],
        value: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"fleet": fleet, "name": name, "value": value}
        super().__init__(FleetConfigVarProvider(), resource_name, variable_props(SCOPE, resource_name, inputs), opts)
