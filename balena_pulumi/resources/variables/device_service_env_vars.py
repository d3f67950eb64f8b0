"""``DeviceServiceEnvVars``: environment variables of one service on one device, kept on the device's service install, as one map (bulk; API resource ``device_service_environment_variable``).

Type token ``pulumi-python:dynamic/balena:DeviceServiceEnvVars``. The bulk form of ``DeviceServiceEnvVar``: the same parent, rules
and claim family, one engine step for the whole map (``bulk.BulkProvider`` does the work). Import id:
the single kind's parent, then the names it adopts (see ``docs/resources/device_service_env_vars.md``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi import dynamic

from ..base import Args
from ..bulk import BulkProvider, bulk_props
from ..refs import DeviceUuid, ServiceName
from ._scope import EnvVariables, bulk_scope, device_field, service_field, variables_field
from .device_service_env_var import SCOPE as SINGLE

SCOPE = bulk_scope("DeviceServiceEnvVars", SINGLE)


class DeviceServiceEnvVarsArgs(Args):
    device: DeviceUuid = device_field()
    service: ServiceName = service_field()
    variables: EnvVariables = variables_field()


class DeviceServiceEnvVarsProvider(BulkProvider):
    scope = SCOPE
    args_model = DeviceServiceEnvVarsArgs


class DeviceServiceEnvVars(dynamic.Resource, module="balena", name="DeviceServiceEnvVars"):
    """Environment variables of one service on one device, kept on the device's service install, as one map. Outputs: every input, ``device_id``, ``service_id``, ``service_install_id``, ``variable_ids`` (name -> variable id)."""

    device: pulumi.Output[str]
    service: pulumi.Output[str]
    variables: pulumi.Output[dict[str, str]]
    device_id: pulumi.Output[int]
    service_id: pulumi.Output[int]
    service_install_id: pulumi.Output[int]
    variable_ids: pulumi.Output[dict[str, int]]

    def __init__(
        self,
        resource_name: str,
        *,
        device: pulumi.Input[str],
        service: pulumi.Input[str],
        variables: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"device": device, "service": service, "variables": variables}
        super().__init__(DeviceServiceEnvVarsProvider(), resource_name, bulk_props(SCOPE, resource_name, inputs), opts)
