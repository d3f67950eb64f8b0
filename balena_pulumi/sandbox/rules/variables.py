"""Rules of the seven variable resources (reference section 5.8): the environment and configuration name
rules, line breaks in values, and the 100000-character value limit.
"""

from __future__ import annotations

import re

from ..errors import ApiError
from ..schema import BY_NAME
from .base import ResourceRules, length_rule

FAMILY = "variables"

ENV_INVALID = re.compile(r"^\d|\W", re.ASCII)
CONFIG_INVALID = re.compile(r"^[\d:]|[^A-Za-z0-9_:]")
RESERVED_NAMES = ("RESIN", "BALENA", "USER")
RESERVED_NAMESPACES = ("RESIN_", "BALENA_")
CONFIG_VARS = ("application_config_variable", "device_config_variable")
ENV_VARS = ("application_environment_variable", "build_environment_variable", "service_environment_variable",
            "device_environment_variable", "device_service_environment_variable")


def check_name(config: bool, name) -> None:
    if name is None:
        return
    if config:
        if CONFIG_INVALID.search(name):
            raise ApiError(400, "Configuration variable names can only contain alphanumeric characters, "
                                "underscores or a colon")
        if name in RESERVED_NAMES:
            raise ApiError(400, "Configuration variables RESIN, BALENA, USER are reserved")
        if not name.startswith(RESERVED_NAMESPACES):
            raise ApiError(400, "Configuration variables must be part of one of the following namespaces: "
                                "RESIN_, BALENA_")
    else:
        if ENV_INVALID.search(name):
            raise ApiError(400, "Environment variable names can only contain alphanumeric characters and "
                                "underscores.")
        if name in RESERVED_NAMES:
            raise ApiError(400, "Environment variables RESIN, BALENA, USER are reserved")
        if name.startswith(RESERVED_NAMESPACES):
            raise ApiError(400, "Environment variables beginning with RESIN_, BALENA_ are reserved.")


def check_value(words: str, value) -> None:
    if value is None:
        return
    if re.search(r"\r|\n", value):
        raise ApiError(400, "Variable values cannot contain line break characters")
    if len(value) > 100000:
        raise ApiError(400, length_rule(words, "value", 100000))


def _rules_for(res_name: str) -> ResourceRules:
    config = res_name in CONFIG_VARS
    words = BY_NAME[res_name].words

    def check(ctx, values, body):
        check_name(config, values.get("name"))
        check_value(words, values.get("value"))

    return ResourceRules(before_post=check, validate_patch=check)


RULES = {name: _rules_for(name) for name in CONFIG_VARS + ENV_VARS}


def config_vars_document() -> dict:
    """What ``GET /config/vars`` publishes: the name rules above, and the supervisor's name lists."""
    prefixes = ("RESIN_", "BALENA_")
    return {
        "reservedNames": list(RESERVED_NAMES),
        "reservedNamespaces": list(RESERVED_NAMESPACES),
        "invalidRegex": "/^\\d|\\W/",
        "configVarInvalidRegex": "/^[\\d:]|[^A-Za-z0-9_:]/",
        "whiteListedNames": [p + n for n in (
            "APP_RESTART_POLICY", "APP_RESTART_RETRIES", "DEPENDENT_DEVICES_HOOK_ADDRESS", "OVERRIDE_LOCK",
            "SUPERVISOR_CONNECTIVITY_CHECK", "SUPERVISOR_DELTA", "SUPERVISOR_DELTA_APPLY_TIMEOUT",
            "SUPERVISOR_DELTA_REQUEST_TIMEOUT", "SUPERVISOR_DELTA_RETRY_COUNT", "SUPERVISOR_DELTA_RETRY_INTERVAL",
            "SUPERVISOR_DELTA_VERSION", "SUPERVISOR_INSTANT_UPDATE_TRIGGER", "SUPERVISOR_LOCAL_MODE",
            "SUPERVISOR_LOG_CONTROL", "SUPERVISOR_POLL_INTERVAL", "SUPERVISOR_VPN_CONTROL",
            "SUPERVISOR_PERSISTENT_LOGGING", "SUPERVISOR_HARDWARE_METRICS") for p in prefixes],
        "whiteListedNamespaces": ["RESIN_HOST_", "BALENA_HOST_", "RESIN_UI_", "BALENA_UI_"],
        "blackListedNames": [p + n for n in ("RESTART", "DEVICE_RESTART", "SUPERVISOR_OVERRIDE_LOCK",
                                             "SUPERVISOR_NATIVE_LOGGER", "HOST_LOG_TO_DISPLAY")
                             for p in prefixes],
        "configVarSchema": {"type": "object", "$schema": "http://json-schema.org/draft-06/schema#",
                            "properties": {}},
    }
