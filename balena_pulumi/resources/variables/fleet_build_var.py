"""``FleetBuildVar``: a build-time environment variable of a fleet, passed to every image build (API resource
``build_environment_variable``, balenaCloud).

Type token ``pulumi-python:dynamic/balena:FleetBuildVar``. Import id: ``org/fleet:NAME`` or the numeric variable id.
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

SCOPE = VariableScope(kind="FleetBuildVar", api_kind="fleet_build", parent=FLEET, label="fleet build variable")


class FleetBuildVarArgs(Args):
    fleet: FleetSlug = fleet_field()
    name: EnvVarName = name_field(ENV_NAME_DOC)
    value: VariableValue = value_field()


class FleetBuildVarProvider(VariableProvider):
    scope = SCOPE
    args_model = FleetBuildVarArgs


class FleetBuildVar(dynamic.Resource, module="balena", name="FleetBuildVar"):
    """A build-time environment variable of a fleet, passed to every image build (API resource ``build_environment_variable``, balenaCloud). Outputs: every input, ``fleet_id``, ``variable_id``."""

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
        super().__init__(FleetBuildVarProvider(), resource_name, variable_props(SCOPE, resource_name, inputs), opts)
