"""DeviceServiceEnvVars on the real engine: its lifecycle is in the bulk contract (test_bulk_contract.py)."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.variables.device_service_env_vars import DeviceServiceEnvVars

from .cases import DEVICE, Case, by_natural_key

INPUTS = {"device": DEVICE, "service": "main", "variables": {"DEBUG": "1", "TRACE": "0"}}
# How an existing map is adopted (tests/e2e/test_import.py runs it): `<uuid>:main:DEBUG,TRACE`.
IMPORT_CASE = Case(
    "DeviceServiceEnvVars", INPUTS, by_natural_key("DeviceServiceEnvVars", INPUTS), same_outputs=("service_install_id",)
)


def test_a_service_not_installed_on_the_device_fails_in_preview_naming_service(deployment):
    client = BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)
    device = client.devices.get_by_uuid(DEVICE)
    service = client.services.find(device.belongs_to__application, "worker")
    client.service_installs.delete(client.service_installs.find(device.id, service.id).id)
    deployment.sandbox.clear_requests()

    def program() -> None:
        DeviceServiceEnvVars("worker", device=DEVICE, service="worker", variables={"DEBUG": "1"})

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(program)
    assert f"service: service 'worker' is not installed on device {DEVICE}" in str(failure.value)
    assert deployment.writes() == []
