"""``FleetEnvVar``: a fleet-wide environment variable for every service of every device (API resource
``application_environment_variable``).

Type token ``pulumi-python:dynamic/balena:FleetEnvVar``. Import id: ``org/fleet:NAME`` or the numeric
variable id. A new value is updated in place (one PATCH); a new name or parent replaces, deleting first.
Names follow the environment variable rules of ``_variables``.
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ._variables import (
    FLEET,
    EnvVarName,
    FleetSlug,
    VariableValue,
    VariableProvider,
    VariableScope,
    guard,
    resource_props,
)
from .base import Args

SCOPE = VariableScope(
    kind="FleetEnvVar",
    api_kind="fleet_env",
    parent=FLEET,
    label="fleet environment variable",
)
REPLACE_ON = frozenset({"fleet", "name"})


class FleetEnvVarArgs(Args):
    fleet: FleetSlug
    name: EnvVarName
    value: VariableValue


class FleetEnvVarProvider(VariableProvider):
    scope = SCOPE
    args_model = FleetEnvVarArgs
    replace_on = REPLACE_ON


class FleetEnvVar(dynamic.Resource, module="balena", name="FleetEnvVar"):
    """A fleet-wide environment variable for every service of every device. Outputs: every input,
    ``fleet_id``, ``variable_id``."""

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
        props = resource_props(SCOPE, guard(SCOPE, resource_name, inputs))
        super().__init__(FleetEnvVarProvider(), resource_name, props, opts)
