"""DeviceServiceEnvVar on the real engine: the variable contract (``variable_contract.py``) run for this scope."""

from __future__ import annotations

import pytest

from . import cases
from .variable_contract import *  # noqa: F401,F403  (the shared contract tests, collected here)
from .variable_contract import CASES, Case

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = cases.Case(
    "DeviceServiceEnvVar",
    {"device": cases.DEVICE, "service": "main", "name": "DEBUG", "value": "1"},
    cases.natural(f"{cases.DEVICE}:main:DEBUG"),
)


@pytest.fixture
def case() -> Case:
    return CASES["DeviceServiceEnvVar"]


def test_a_service_not_installed_on_the_device_fails_in_preview_naming_service(deployment):
    from pulumi import automation as auto

    from .harness import problem
    from .variable_contract import DEVICE, api

    client = api(deployment)
    device = client.devices.get_by_uuid(DEVICE)
    service = client.services.find(device.belongs_to__application, "worker")
    client.service_installs.delete(client.service_installs.find(device.id, service.id).id)
    deployment.sandbox.clear_requests()

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(CASES["DeviceServiceEnvVar"].program(service="worker"))

    line = (
        f"service: service 'worker' is not installed on device {DEVICE} (a device gets the services of the release "
        "it runs)"
    )
    assert problem("DeviceServiceEnvVar", "var", line) in str(failure.value), str(failure.value)
    assert deployment.writes() == []
