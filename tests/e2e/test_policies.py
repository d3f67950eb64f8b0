"""The guardrail pack in review: `pulumi preview --policy-pack` on the real engine against the sandbox.

The stacks are the declarations of tests/policies/stacks.py, built into a program with the real resource
classes. Declarations that the resources themselves refuse before any policy runs (an env var named in
the config namespace, a fleet member outside the organization, the same variable in a bulk and a single
resource) are swapped for ones that pass the resources' own checks but still break a guardrail, so the
preview shows what the policies, not the providers, report.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from balena_pulumi import resources

from .harness import Deployment

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies" / "balena-guardrails"
sys.path.insert(0, str(ROOT / "tests" / "policies"))

import stacks  # noqa: E402  (tests/policies/stacks.py: data shared with the unit tests)

D = stacks.Declaration

# Refused by the resources themselves (their tests cover it), replaced by guardrail-only violations.
REFUSED_BY_RESOURCES = {
    "balena-mode": "env var names may not start with BALENA_: FleetEnvVar refuses it in check",
    "carol-operator": "carol is not an organization member: FleetMember refuses it in check",
    "mode": "MODE is also in the bulk map: the program refuses to manage one variable twice",
}
E2E_NON_COMPLIANT = [d for d in stacks.NON_COMPLIANT if d.name not in REFUSED_BY_RESOURCES] + [
    D("FleetMember", "bob-operator", {"fleet": "acme/staging", "username": "bob", "role": "operator"}, {}),
    # The same tag twice, once through the Fleet's slug output: unknown in this first preview, so the program's
    # own one-owner check (which compares values) cannot see it yet, and the stack policy must.
    D("FleetTag", "staging-environment-again",
      {"fleet": stacks.Ref("fleet-staging", "slug"), "key": "environment", "value": "development"}, {}),
]
E2E_EXPECTED = {v for v in stacks.EXPECTED_VIOLATIONS if v[1] not in set(REFUSED_BY_RESOURCES) | {"production-env"}} | {
    ("credential-variables-must-be-secret", "production-env"),
    ("membership-roles-least-privilege", "bob-operator"),
    ("no-duplicate-management", "staging-environment"),
    ("no-duplicate-management", "staging-environment-again"),
}

# "- [mandatory] [severity: high]  policy-name  (type-token: resource-name)"; the engine prints the severity
# bracket only for packs that declare one, so it is optional here.
VIOLATION = re.compile(
    r"^\s*- \[(mandatory|advisory)\]\s+(?:\[severity: \w+\]\s+)?(\S+)\s+\((pulumi-python:dynamic/balena:\w+): ([^)]+)\)"
)


def _resolve(value: Any, made: dict[str, Any]) -> Any:
    if isinstance(value, stacks.Secret):
        return pulumi.Output.secret(value.value)
    if isinstance(value, stacks.Ref):
        return getattr(made[value.resource], value.output)
    if isinstance(value, dict):
        return {k: _resolve(v, made) for k, v in value.items()}
    return value


def program_for(declarations: list[stacks.Declaration]):
    def program() -> None:
        made: dict[str, Any] = {}
        for decl in declarations:
            cls = getattr(resources, decl.kind)
            props = {k: _resolve(v, made) for k, v in decl.props.items()}
            made[decl.name] = cls(decl.name, **props, opts=pulumi.ResourceOptions(**decl.options))

    return program


def violations(output: str) -> set[tuple[str, str]]:
    found = set()
    for line in output.splitlines():
        match = VIOLATION.match(line)
        if match:
            found.add((match.group(2), match.group(4).strip()))
    return found


@pytest.fixture
def production(clean_sandbox, pulumi_bin, tmp_path) -> Deployment:
    return Deployment(clean_sandbox, pulumi_bin, tmp_path, stack_name=stacks.STACK_NAME)


@pytest.fixture
def pack_config(tmp_path) -> str:
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps(stacks.PACK_CONFIG))
    return str(path)


def test_compliant_stack_previews_with_no_violation(production, pack_config):
    production.preview(program_for(stacks.COMPLIANT), policy_packs=[str(PACK)], policy_pack_configs=[pack_config])
    text = "\n".join(production.output)
    assert "balena-guardrails" in text
    assert violations(text) == set()
    # Not only no parsed violation: no violation line in any format the engine might print.
    assert "[mandatory]" not in text and "[advisory]" not in text
    assert production.writes() == []


def test_non_compliant_stack_reports_exactly_the_expected_violations(production, pack_config):
    with pytest.raises(auto.errors.CommandError):
        production.preview(
            program_for(E2E_NON_COMPLIANT), policy_packs=[str(PACK)], policy_pack_configs=[pack_config]
        )
    text = "\n".join(production.output)
    assert violations(text) == E2E_EXPECTED
    assert production.writes() == []
    # Guardrail messages never echo a secret or credential-looking value.
    assert "plain-api-token" not in text and "hunter2-db" not in text
