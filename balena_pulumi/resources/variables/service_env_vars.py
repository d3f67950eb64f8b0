"""``ServiceEnvVars``: environment variables of one service of a fleet, as one map (bulk; API resource ``service_environment_variable``).

Type token ``pulumi-python:dynamic/balena:ServiceEnvVars``. The bulk form of ``ServiceEnvVar``: the same parent, rules
and claim family, one engine step for the whole map (``bulk.BulkProvider`` does the work). Import id:
the single kind's parent, then the names it adopts (see ``docs/resources/service_env_vars.md``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi import dynamic

from ..base import Args
from ..bulk import BulkProvider, bulk_props
from ..refs import FleetSlug, ServiceName
from ._scope import EnvVariables, bulk_scope, fleet_field, service_field, variables_field
from .service_env_var import SCOPE as SINGLE

SCOPE = bulk_scope("ServiceEnvVars", SINGLE)


class ServiceEnvVarsArgs(Args):
    fleet: FleetSlug = fleet_field()
    service: ServiceName = service_field()
    variables: EnvVariables = variables_field()


class ServiceEnvVarsProvider(BulkProvider):
    scope = SCOPE
    args_model = ServiceEnvVarsArgs


class ServiceEnvVars(dynamic.Resource, module="balena", name="ServiceEnvVars"):
    """Environment variables of one service of a fleet, as one map. Outputs: every input, ``fleet_id``, ``service_id``, ``variable_ids`` (name -> variable id)."""

    fleet: pulumi.Output[str]
    service: pulumi.Output[str]
    variables: pulumi.Output[dict[str, str]]
    fleet_id: pulumi.Output[int]
    service_id: pulumi.Output[int]
    variable_ids: pulumi.Output[dict[str, int]]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        service: pulumi.Input[str],
        variables: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"fleet": fleet, "service": service, "variables": variables}
        super().__init__(ServiceEnvVarsProvider(), resource_name, bulk_props(SCOPE, resource_name, inputs), opts)
