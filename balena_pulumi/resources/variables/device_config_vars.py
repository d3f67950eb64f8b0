"""``DeviceConfigVars``: config variables of one device (`BALENA_`/`RESIN_` names), as one map (bulk; API resource ``device_config_variable``).

Type token ``pulumi-python:dynamic/balena:DeviceConfigVars``. The bulk form of ``DeviceConfigVar``: the same parent, rules
and claim family, one engine step for the whole map (``bulk.BulkProvider`` does the work). Import id:
the single kind's parent, then the names it adopts (see ``docs/resources/device_config_vars.md``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi import dynamic

from ..base import Args
from ..bulk import BulkProvider, bulk_props
from ..refs import DeviceUuid
from ._scope import ConfigVariables, bulk_scope, device_field, variables_field
from .device_config_var import SCOPE as SINGLE

SCOPE = bulk_scope("DeviceConfigVars", SINGLE, config=True)


class DeviceConfigVarsArgs(Args):
    device: DeviceUuid = device_field()
    variables: ConfigVariables = variables_field(config=True)


class DeviceConfigVarsProvider(BulkProvider):
    scope = SCOPE
    args_model = DeviceConfigVarsArgs


class DeviceConfigVars(dynamic.Resource, module="balena", name="DeviceConfigVars"):
    """Config variables of one device (`BALENA_`/`RESIN_` names), as one map. Outputs: every input, ``device_id``, ``variable_ids`` (name -> variable id)."""

    device: pulumi.Output[str]
    variables: pulumi.Output[dict[str, str]]
    device_id: pulumi.Output[int]
    variable_ids: pulumi.Output[dict[str, int]]

    def __init__(
        self,
        resource_name: str,
        *,
        device: pulumi.Input[str],
        variables: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"device": device, "variables": variables}
        super().__init__(DeviceConfigVarsProvider(), resource_name, bulk_props(SCOPE, resource_name, inputs), opts)
