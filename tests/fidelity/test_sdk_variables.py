"""Variables at every scope the SDK offers: set (POST, then PATCH on 409 "unique"), get, get_all, remove,
and the name/value rejections of reference 5.8 as the SDK surfaces them (RequestError 400 + the message).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest

from .conftest import DEVICE_ID, DEVICE_UUID, PRODUCTION_ID, raises_api_error

ENV_CHARS = "Environment variable names can only contain alphanumeric characters and underscores."
ENV_RESERVED = "Environment variables RESIN, BALENA, USER are reserved"
ENV_NAMESPACE = "Environment variables beginning with RESIN_, BALENA_ are reserved."
CONFIG_CHARS = "Configuration variable names can only contain alphanumeric characters, underscores or a colon"
CONFIG_RESERVED = "Configuration variables RESIN, BALENA, USER are reserved"
CONFIG_NAMESPACE = "Configuration variables must be part of one of the following namespaces: RESIN_, BALENA_"
LINE_BREAK = "Variable values cannot contain line break characters"

ENV_REJECTIONS = [("1ABC", ENV_CHARS), ("MY-VAR", ENV_CHARS), ("MY.VAR", ENV_CHARS), ("A:B", ENV_CHARS),
                  ("USER", ENV_RESERVED), ("BALENA", ENV_RESERVED), ("RESIN", ENV_RESERVED),
                  ("BALENA_X", ENV_NAMESPACE), ("RESIN_X", ENV_NAMESPACE)]
CONFIG_REJECTIONS = [(":BALENA_X", CONFIG_CHARS), ("1BALENA", CONFIG_CHARS), ("BALENA-X", CONFIG_CHARS),
                     ("USER", CONFIG_RESERVED), ("BALENA", CONFIG_RESERVED),
                     ("MY_VAR", CONFIG_NAMESPACE), ("balena_x", CONFIG_NAMESPACE)]


@dataclass
class Scope:
    id: str
    model: Callable[[Any], Any]  # sdk.models -> the variable model
    parent: Any  # what the SDK call takes
    list_all: Callable[[Any, Any], list]  # (model, parent) -> rows
    fk: tuple[str, int]  # the parent FK field and id the rows carry
    good_name: str
    rejections: list


SCOPES = [
    Scope("application env", lambda m: m.application.env_var, "acme/production",
          lambda v, p: v.get_all_by_application(p), ("application", PRODUCTION_ID), "MY_VAR", ENV_REJECTIONS),
    Scope("application config", lambda m: m.application.config_var, "acme/production",
          lambda v, p: v.get_all_by_application(p), ("application", PRODUCTION_ID), "BALENA_HOST_CONFIG_gpu_mem",
          CONFIG_REJECTIONS),
    Scope("application build", lambda m: m.application.build_var, PRODUCTION_ID,
          lambda v, p: v.get_all_by_application(p), ("application", PRODUCTION_ID), "NPM_TOKEN", ENV_REJECTIONS),
    Scope("service env (natural key)", lambda m: m.service.var, {"application": "acme/production", "service_name": "main"},
          lambda v, p: v.get_all_by_service(p), ("service", 1), "PORT", ENV_REJECTIONS),
    Scope("service env (id)", lambda m: m.service.var, 2,
          lambda v, p: v.get_all_by_service(p), ("service", 2), "PORT", ENV_REJECTIONS),
    Scope("device env", lambda m: m.device.env_var, DEVICE_UUID,
          lambda v, p: v.get_all_by_device(p), ("device", DEVICE_ID), "MY_VAR", ENV_REJECTIONS),
    Scope("device config", lambda m: m.device.config_var, DEVICE_ID,
          lambda v, p: v.get_all_by_device(p), ("device", DEVICE_ID), "RESIN_SUPERVISOR_DELTA", CONFIG_REJECTIONS),
]


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.id)
def test_set_get_upsert_get_all_and_remove(sdk, scope):
    var = scope.model(sdk.models)
    assert var.get(scope.parent, scope.good_name) is None
    var.set(scope.parent, scope.good_name, "one")
    assert var.get(scope.parent, scope.good_name) == "one"
    var.set(scope.parent, scope.good_name, "")  # second set: POST 409 "unique" -> PATCH; empty values are fine
    assert var.get(scope.parent, scope.good_name) == ""
    rows = [r for r in scope.list_all(var, scope.parent) if r["name"] == scope.good_name]
    assert len(rows) == 1
    assert rows[0][scope.fk[0]] == {"__id": scope.fk[1]} and rows[0]["value"] == ""
    var.remove(scope.parent, scope.good_name)
    assert var.get(scope.parent, scope.good_name) is None
    var.remove(scope.parent, scope.good_name)  # a filtered DELETE matching nothing is still 200


def test_the_second_set_is_a_post_answered_409_then_a_filtered_patch(sdk, requests_log, clean_sandbox):
    sdk.models.application.env_var.set(PRODUCTION_ID, "UPSERTED", "1")
    requests_log()
    sdk.models.application.env_var.set(PRODUCTION_ID, "UPSERTED", "2")
    got = [(r["method"], r["path"], r["status"]) for r in clean_sandbox.requests()]
    assert got == [("POST", "/v7/application_environment_variable", 409),
                   ("PATCH", "/v7/application_environment_variable", 200)]


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.id)
def test_reserved_and_invalid_names_are_rejected_with_the_reference_messages(sdk, scope):
    var = scope.model(sdk.models)
    for name, message in scope.rejections:
        raises_api_error(lambda: var.set(scope.parent, name, "v"), 400, message)
    assert [r for r in scope.list_all(var, scope.parent) if r["name"] in {n for n, _ in scope.rejections}] == []


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.id)
def test_values_with_line_breaks_are_rejected(sdk, scope):
    var = scope.model(sdk.models)
    for value in ("a\nb", "a\r\nb"):
        raises_api_error(lambda: var.set(scope.parent, scope.good_name, value), 400, LINE_BREAK)


def test_env_names_are_case_sensitive_so_lower_case_balena_prefix_is_an_env_var(sdk):
    sdk.models.application.env_var.set(PRODUCTION_ID, "balena_x", "ok")
    assert sdk.models.application.env_var.get(PRODUCTION_ID, "balena_x") == "ok"


# device service variables: the SDK resolves the service install, then upserts on (service_install, name)

@pytest.mark.parametrize("device,service", [(DEVICE_UUID, "main"), (DEVICE_ID, 2)], ids=["uuid+name", "id+id"])
def test_device_service_var_set_get_upsert_get_all_and_remove(sdk, device, service):
    sv = sdk.models.device.service_var
    assert sv.get(device, service, "OVERRIDE") is None
    sv.set(device, service, "OVERRIDE", "a")
    sv.set(device, service, "OVERRIDE", "b")
    assert sv.get(device, service, "OVERRIDE") == "b"
    install_id = 1 if service == "main" else 2  # device 1 installs main (1) and worker (2)
    rows = sv.get_all_by_device(device)
    assert [(r["service_install"], r["name"], r["value"]) for r in rows] == [({"__id": install_id}, "OVERRIDE", "b")]
    assert "device" not in rows[0] and "service" not in rows[0]  # v7 shape: only service_install
    assert [r["id"] for r in sv.get_all_by_application("acme/production")] == [rows[0]["id"]]
    sv.remove(device, service, "OVERRIDE")
    assert sv.get(device, service, "OVERRIDE") is None


def test_device_service_var_for_a_service_the_device_does_not_install_is_service_not_found(sdk, requests_log):
    from balena import exceptions

    with pytest.raises(exceptions.ServiceNotFound):
        sdk.models.device.service_var.set(DEVICE_UUID, "no-such-service", "X", "1")
    assert requests_log() == [("GET", "/v7/service_install")]


def test_device_service_var_rejections(sdk):
    sv = sdk.models.device.service_var
    for name, message in ENV_REJECTIONS:
        raises_api_error(lambda: sv.set(DEVICE_UUID, "main", name, "v"), 400, message)
    raises_api_error(lambda: sv.set(DEVICE_UUID, "main", "OK_NAME", "x\ny"), 400, LINE_BREAK)


def test_service_lookup_by_fleet_selects_and_expands_the_service_navigation(sdk, requests_log):
    services = sdk.models.service.get_all_by_application("acme/production", {"$select": ["id", "service_name"]})
    assert requests_log() == [("GET", "/v7/application")]  # $select=service&$expand=service(...)
    assert sorted((s["id"], s["service_name"]) for s in services) == [(1, "main"), (2, "worker")]
