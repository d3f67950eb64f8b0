"""``DeviceEnvVars``: environment variables of one device, for every service on it, as one map (bulk; API resource ``device_environment_variable``).

Type token ``pulumi-python:dynamic/balena:DeviceEnvVars``. The bulk form of ``DeviceEnvVar``: the same parent, rules
and claim family, one engine step for the whole map (``bulk.BulkProvider`` does the work). Import id:
the single kind's parent, then the names it adopts (see ``docs/resources/device_env_vars.md``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi import dynamic

from ..base import Args
from ..bulk import BulkProvider, bulk_props
from ..refs import DeviceUuid
from ._scope import EnvVariables, bulk_scope, device_field, variables_field
from .device_env_var import SCOPE as SINGLE

SCOPE = bulk_scope("DeviceEnvVars", SINGLE)


class DeviceEnvVarsArgs(Args):
    device: DeviceUuid = device_field()
    variables: EnvVariables = variables_field()


class DeviceEnvVarsProvider(BulkProvider):
    scope = SCOPE
    args_model = DeviceEnvVarsArgs


class DeviceEnvVars(dynamic.Resource, module="balena", name="DeviceEnvVars"):
    """Environment variables of one device, for every service on it, as one map. Outputs: every input, ``device_id``, ``variable_ids`` (name -> variable id)."""

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
        super().__init__(DeviceEnvVarsProvider(), resource_name, bulk_props(SCOPE, resource_name, inputs), opts)
