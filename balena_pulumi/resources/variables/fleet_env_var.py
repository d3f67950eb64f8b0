"""``FleetEnvVar``: a fleet-wide environment variable for every service of every device (API resource
``application_environment_variable``).

Type token ``pulumi-python:dynamic/balena:FleetEnvVar``. Import id: ``org/fleet:NAME`` or the numeric variable id.
What each input's change does is declared next to it; the rules are the API's (see ``_scope``).
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ..base import Args
from ..refs import FleetSlug
from ._scope import (
    ENV_NAME_DOC,
    EnvVarName,
    FLEET,
    VariableProvider,
    VariableScope,
    VariableValue,
    fleet_field,
    name_field,
    value_field,
    variable_props,
)

SCOPE = VariableScope(kind="FleetEnvVar", api_kind="fleet_env", parent=FLEET, label="fleet environment variable")


class FleetEnvVarArgs(Args):
    fleet: FleetSlug = fleet_field()
    name: EnvVarName = name_field(ENV_NAME_DOC)
    value: VariableValue = value_field()


class FleetEnvVarProvider(VariableProvider):
    scope = SCOPE
    args_model = FleetEnvVarArgs


class FleetEnvVar(dynamic.Resource, module="balena", name="FleetEnvVar"):
    """A fleet-wide environment variable for every service of every device (API resource ``application_environment_variable``). Outputs: every input, ``fleet_id``, ``variable_id``."""

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
        super().__init__(FleetEnvVarProvider(), resource_name, variable_props(SCOPE, resource_name, inputs), opts)
