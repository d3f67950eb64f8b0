"""``FleetConfigVar``: a fleet-wide configuration variable (`RESIN_`/`BALENA_` namespace, read by the
supervisor and host OS) (API resource ``application_config_variable``).

Type token ``pulumi-python:dynamic/balena:FleetConfigVar``. Import id: ``org/fleet:NAME`` or the numeric
variable id. A new value is updated in place (one PATCH); a new name or parent replaces, deleting first.
Names follow the config variable rules of ``_variables``.
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ._variables import (
    FLEET,
    ConfigVarName,
    FleetSlug,
    VariableValue,
    VariableProvider,
    VariableScope,
    guard,
    resource_props,
)
from .base import Args

SCOPE = VariableScope(
    kind="FleetConfigVar",
    api_kind="fleet_config",
    parent=FLEET,
    label="fleet config variable",
)
REPLACE_ON = frozenset({"fleet", "name"})


class FleetConfigVarArgs(Args):
    fleet: FleetSlug
    name: ConfigVarName
    value: VariableValue


class FleetConfigVarProvider(VariableProvider):
    scope = SCOPE
    args_model = FleetConfigVarArgs
    replace_on = REPLACE_ON


class FleetConfigVar(dynamic.Resource, module="balena", name="FleetConfigVar"):
    """A fleet-wide configuration variable (`RESIN_`/`BALENA_` namespace, read by the supervisor and host
    OS). Outputs: every input, ``fleet_id``, ``variable_id``."""

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
        super().__init__(FleetConfigVarProvider(), resource_name, props, opts)
