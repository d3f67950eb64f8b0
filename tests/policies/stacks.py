"""Two example stacks as data, for the end-to-end policy test that drives the real engine.

Each declaration is ``(kind, name, props, options)``: ``kind`` is a balena resource kind
(``balena_pulumi.resources.tokens.KINDS``), ``props`` uses only the inputs of
docs/resource-contract.md, and ``options`` holds resource options (``{"protect": True}``).
Two markers stand for what a program builds with Pulumi:

- ``Secret(v)``: declare the input as ``pulumi.Output.secret(v)`` (inside a ``variables`` map, per entry).
- ``Ref(name, output)``: the output ``output`` of the declared resource ``name`` (e.g. a Fleet's ``slug``).

Both sets use the sandbox's seed names (org ``acme``, fleets ``acme/production`` and ``acme/staging``,
users alice/bob/carol, releases 1.1.0 and 2.1.0-beta.1) and are meant for the stack ``STACK_NAME`` with
``--policy-pack-config`` written from ``PACK_CONFIG``. ``COMPLIANT`` must preview with no policy
violation; ``NON_COMPLIANT`` with exactly ``EXPECTED_VIOLATIONS`` (policy name, resource name).
Expiry dates are relative to the day the module is imported. tests/policies/test_policy_example_stacks.py
checks both sets against the policies without the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple


@dataclass(frozen=True)
class Secret:
    value: Any


@dataclass(frozen=True)
class Ref:
    resource: str
    output: str


class Declaration(NamedTuple):
    kind: str
    name: str
    props: dict
    options: dict


STACK_NAME = "production"
PACK_CONFIG = {"membership-roles-least-privilege": {"administratorAllowList": ["alice"]}}

_SOON = (date.today() + timedelta(days=30)).isoformat()
_NEXT_YEAR = (date.today() + timedelta(days=365)).isoformat()
ED25519_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ8jcwA+4mLNEq5L0AvkFohA/Fuvm5w9YlOQDkvW7Lnf alice@laptop"
RSA_2048_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDR4l59+yAauIqSfLjWhuaTwrAubiS5JCulFXX6W0Bo0hyePZyg9A6vtBOTZ0id+czqC1Bnt"
    "D0waflpxcDIDL9BqR1ff2mcnreOh1ML95FAsXwPua/ET03UYKcSPuD21A0OuCLmdFoaT/bxMyojKAc8Ozw9QGC1P/jYaoil2mPFBq/AfMPpo"
    "nRDAj2eZpWhFI8CT78sg0SQb/tma2B1bDdRvhbv1SzorNu0VNwxdXvO00VKXcftQU2lcCwvMV1/iNoLbzbqqSTeuReXsZbVScoAkfxAqo89"
    "LRIjW61q6PkOi15AW+Ljw1BVwskorgUh3GPTPLxvMtGsuTerj2i4cQxn bob@old-laptop"
)
PROTECT = {"protect": True}
D = Declaration

_ORG_AND_FLEETS = [
    D("Organization", "org-acme", {"name": "acme", "handle": "acme"}, PROTECT),
    D("Fleet", "fleet-production", {"organization": "acme", "name": "production", "device_type": "raspberrypi4-64"},
      PROTECT),
]

COMPLIANT: list[Declaration] = _ORG_AND_FLEETS + [
    D("Fleet", "fleet-staging", {"organization": "acme", "name": "staging", "device_type": "raspberrypi4-64"},
      PROTECT),
    D("FleetTag", "production-owner", {"fleet": Ref("fleet-production", "slug"), "key": "owner", "value": "alice"}, {}),
    D("FleetTag", "production-environment",
      {"fleet": Ref("fleet-production", "slug"), "key": "environment", "value": "production"}, {}),
    D("FleetTag", "staging-owner", {"fleet": "acme/staging", "key": "owner", "value": "bob"}, {}),
    D("FleetTag", "staging-environment", {"fleet": "acme/staging", "key": "environment", "value": "staging"}, {}),
    D("FleetPin", "production-pin", {"fleet": Ref("fleet-production", "slug"), "release_version": "1.1.0"}, {}),
    D("FleetEnvVar", "log-level", {"fleet": "acme/production", "name": "LOG_LEVEL", "value": "info"}, {}),
    D("FleetEnvVar", "api-token", {"fleet": "acme/production", "name": "API_TOKEN",
                                   "value": Secret("s3cr3t-api-token-value")}, {}),
    D("FleetEnvVars", "production-env", {"fleet": "acme/production",
                                         "variables": {"MODE": "fast", "DB_PASSWORD": Secret("hunter2-db")}}, {}),
    D("FleetConfigVar", "gpu-mem", {"fleet": "acme/production", "name": "BALENA_HOST_CONFIG_gpu_mem",
                                    "value": "128"}, {}),
    D("OrganizationMember", "alice-admin", {"organization": "acme", "username": "alice", "role": "administrator"}, {}),
    D("FleetMember", "bob-developer", {"fleet": "acme/production", "username": "bob", "role": "developer"}, {}),
    D("FleetInvite", "carol-observer", {"fleet": "acme/staging", "invitee": "carol", "role": "observer"}, {}),
    D("ApiKey", "ci-key", {"name": "ci", "description": "CI deploys", "expiry_date": _SOON}, {}),
    D("ProvisioningKey", "production-provisioning", {"fleet": "acme/production", "name": "factory",
                                                     "expiry_date": _SOON}, {}),
    D("SshKey", "alice-laptop", {"title": "alice laptop", "public_key": ED25519_KEY}, {}),
]

NON_COMPLIANT: list[Declaration] = _ORG_AND_FLEETS + [
    # not protected in a production stack; no owner tag
    D("Fleet", "fleet-staging", {"organization": "acme", "name": "staging", "device_type": "raspberrypi4-64"}, {}),
    D("FleetTag", "production-owner", {"fleet": Ref("fleet-production", "slug"), "key": "owner", "value": "alice"}, {}),
    D("FleetTag", "production-environment",
      {"fleet": Ref("fleet-production", "slug"), "key": "environment", "value": "production"}, {}),
    D("FleetTag", "staging-environment", {"fleet": "acme/staging", "key": "environment", "value": "staging"}, {}),
    # a prerelease pinned in production
    D("FleetPin", "production-pin", {"fleet": Ref("fleet-production", "slug"), "release_version": "2.1.0-beta.1"}, {}),
    # a credential in plain text, alone and in a bulk map; MODE managed twice
    D("FleetEnvVar", "api-token", {"fleet": "acme/production", "name": "API_TOKEN", "value": "plain-api-token"}, {}),
    D("FleetEnvVars", "production-env", {"fleet": "acme/production",
                                         "variables": {"MODE": "fast", "DB_PASSWORD": "hunter2-db"}}, {}),
    D("FleetEnvVar", "mode", {"fleet": "acme/production", "name": "MODE", "value": "slow"}, {}),
    # namespaces: a supervisor-refused config var, an env var in the config namespace
    D("FleetConfigVar", "restart", {"fleet": "acme/production", "name": "BALENA_RESTART", "value": "1"}, {}),
    D("FleetEnvVar", "balena-mode", {"fleet": "acme/production", "name": "BALENA_MODE", "value": "on"}, {}),
    # roles
    D("OrganizationMember", "bob-admin", {"organization": "acme", "username": "bob", "role": "administrator"}, {}),
    D("FleetMember", "carol-operator", {"fleet": "acme/staging", "username": "carol", "role": "operator"}, {}),
    # keys
    D("ApiKey", "ci-key", {"name": "ci", "description": "CI deploys"}, {}),
    D("ProvisioningKey", "production-provisioning", {"fleet": "acme/production", "name": "factory",
                                                     "expiry_date": _NEXT_YEAR}, {}),
    D("SshKey", "bob-old-laptop", {"title": "bob old laptop", "public_key": RSA_2048_KEY}, {}),
]

EXPECTED_VIOLATIONS: set[tuple[str, str]] = {
    ("production-resources-protected", "fleet-staging"),
    ("fleets-require-tags", "fleet-staging"),
    ("production-pins-exact-release", "production-pin"),
    ("credential-variables-must-be-secret", "api-token"),
    ("credential-variables-must-be-secret", "production-env"),
    ("no-duplicate-management", "production-env"),
    ("no-duplicate-management", "mode"),
    ("variable-namespaces", "restart"),
    ("variable-namespaces", "balena-mode"),
    ("membership-roles-least-privilege", "bob-admin"),
    ("membership-roles-least-privilege", "carol-operator"),
    ("keys-must-expire", "ci-key"),
    ("keys-must-expire", "production-provisioning"),
    ("ssh-keys-strong", "bob-old-laptop"),
}
