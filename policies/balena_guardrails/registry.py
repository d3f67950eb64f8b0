"""The registry: every guardrail policy, in the order the pack serves them."""

from __future__ import annotations

from pulumi_policy import Policy

from . import (
    credential_variables_are_secret,
    fleets_require_tags,
    keys_must_expire,
    membership_roles_least_privilege,
    no_duplicate_management,
    production_pins_exact_release,
    production_resources_protected,
    ssh_keys_strong,
    variable_namespaces,
)

POLICY_MODULES = (
    credential_variables_are_secret,
    keys_must_expire,
    production_pins_exact_release,
    membership_roles_least_privilege,
    fleets_require_tags,
    variable_namespaces,
    ssh_keys_strong,
    production_resources_protected,
    no_duplicate_management,
)

ALL_POLICIES: list[Policy] = [module.policy for module in POLICY_MODULES]
