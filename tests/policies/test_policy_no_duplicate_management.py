"""no-duplicate-management: one resource per variable (scope, parent, name) and per tag (kind, parent, key)."""

import pytest

from balena_guardrails.no_duplicate_management import policy
from policy_harness import StackBuilder
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

UUID = "a" * 32


def baseline() -> StackBuilder:
    s = StackBuilder()
    s.add("Fleet", "production", {"organization": "acme", "name": "production", "device_type": "raspberrypi4-64",
                                  "slug": "acme/production"})
    s.add("FleetEnvVars", "bulk", {"fleet": "acme/production", "variables": {"MODE": "a", "LEVEL": "b"}})
    s.add("FleetEnvVar", "log-level", {"fleet": "acme/production", "name": "LOG_LEVEL", "value": "info"})
    s.add("FleetConfigVar", "gpu", {"fleet": "acme/production", "name": "BALENA_HOST_CONFIG_gpu_mem", "value": "1"})
    s.add("ServiceEnvVar", "main-mode", {"fleet": "acme/production", "service": "main", "name": "MODE", "value": "c"})
    s.add("DeviceEnvVar", "dev-mode", {"device": UUID, "name": "MODE", "value": "d"})
    s.add("FleetTag", "owner", {"fleet": "acme/production", "key": "owner", "value": "alice"})
    s.add("DeviceTag", "dev-owner", {"device": UUID, "key": "owner", "value": "bob"})
    s.add("ReleaseTag", "rel-owner", {"fleet": "acme/production", "release_version": "1.1.0", "key": "owner"})
    s.add("ReleaseTag", "beta-owner", {"fleet": "acme/production", "release_version": "2.1.0-beta.1", "key": "owner"})
    return s


def test_baseline_passes():
    """The same name in different scopes (fleet, service, device) or on different releases is no duplicate."""
    assert baseline().violations(policy) == []


def test_a_single_variable_and_a_bulk_name_collide():
    s = baseline()
    s.add("FleetEnvVar", "mode", {"fleet": "acme/production", "name": "MODE", "value": "z"})
    assert s.violations(policy) == [
        ("bulk", "FleetEnvVars bulk manages fleet environment variable name MODE of acme/production, "
                 "which FleetEnvVar mode also manages."),
        ("mode", "FleetEnvVar mode manages fleet environment variable name MODE of acme/production, "
                 "which FleetEnvVars bulk also manages."),
    ]


def test_a_parent_given_by_output_matches_the_literal_slug():
    s = baseline()
    s.add("FleetConfigVar", "gpu-again", {"fleet": UNKNOWN_STRING_VALUE, "name": "BALENA_HOST_CONFIG_gpu_mem",
                                          "value": "2"}, depends={"fleet": "production"})
    assert [name for name, _ in s.violations(policy)] == ["gpu", "gpu-again"]


def test_a_duplicate_device_variable_fails():
    s = baseline()
    s.add("DeviceEnvVar", "dev-mode-2", {"device": UUID.upper(), "name": "MODE", "value": "e"})
    assert s.violations(policy)[1] == (
        "dev-mode-2", f"DeviceEnvVar dev-mode-2 manages device environment variable name MODE of {UUID}, "
                      "which DeviceEnvVar dev-mode also manages.")


def test_a_duplicate_tag_fails():
    s = baseline()
    s.add("FleetTag", "owner-2", {"fleet": "acme/production", "key": "owner", "value": "bob"})
    assert s.violations(policy) == [
        ("owner", "FleetTag owner manages fleet tag key owner of acme/production, which FleetTag owner-2 also manages."),
        ("owner-2", "FleetTag owner-2 manages fleet tag key owner of acme/production, which FleetTag owner also manages."),
    ]


def test_a_duplicate_release_tag_fails():
    s = baseline()
    s.add("ReleaseTag", "rel-owner-2", {"fleet": "acme/production", "release_version": "1.1.0", "key": "owner"})
    assert [name for name, _ in s.violations(policy)] == ["rel-owner", "rel-owner-2"]


def test_a_secret_bulk_map_is_still_checked_without_showing_values():
    from pulumi_policy import Secret
    s = baseline()
    s.add("FleetEnvVars", "bulk-2", {"fleet": "acme/production", "variables": Secret({"LEVEL": "hunter2"})})
    found = s.violations(policy)
    assert [name for name, _ in found] == ["bulk", "bulk-2"]
    assert "hunter2" not in repr(found)


@pytest.mark.parametrize(
    ("single", "single_props", "bulk", "bulk_props", "words"),
    [
        ("ServiceEnvVar", {"fleet": "acme/production", "service": "main", "name": "PORT", "value": "1"},
         "ServiceEnvVars", {"fleet": "acme/production", "service": "main", "variables": {"PORT": "2"}},
         "service environment variable name PORT of acme/production:service=main"),
        ("DeviceConfigVar", {"device": UUID, "name": "BALENA_X", "value": "1"},
         "DeviceConfigVars", {"device": UUID, "variables": {"BALENA_X": "2", "BALENA_Y": "3"}},
         f"device config variable name BALENA_X of {UUID}"),
        ("FleetTag", {"fleet": "acme/production", "key": "owner", "value": "a"},
         "FleetTags", {"fleet": "acme/production", "tags": {"owner": "b", "site": "c"}},
         "fleet tag key owner of acme/production"),
        ("DeviceTag", {"device": UUID, "key": "owner", "value": "a"},
         "DeviceTags", {"device": UUID, "tags": {"owner": "b"}},
         f"device tag key owner of {UUID}"),
        ("ReleaseTag", {"fleet": "acme/production", "release_version": "1.1.0", "key": "owner"},
         "ReleaseTags", {"fleet": "acme/production", "release_version": "1.1.0", "tags": {"owner": "b"}},
         "release tag key owner of acme/production:release_version=1.1.0"),
    ],
    ids=["ServiceEnvVars", "DeviceConfigVars", "FleetTags", "DeviceTags", "ReleaseTags"],
)
def test_an_entry_of_a_bulk_map_and_a_single_resource_of_its_scope_collide(single, single_props, bulk, bulk_props, words):
    s = StackBuilder()
    s.add(single, "one", single_props)
    s.add(bulk, "many", bulk_props)
    assert sorted(s.violations(policy)) == [
        ("many", f"{bulk} many manages {words}, which {single} one also manages."),
        ("one", f"{single} one manages {words}, which {bulk} many also manages."),
    ]


def test_every_bulk_kind_is_covered():
    from balena_guardrails.no_duplicate_management import TAG_SCOPES, VARIABLE_SCOPES
    from balena_pulumi.resources.tokens import BULK_TAG_KINDS, BULK_VARIABLE_KINDS

    assert set(BULK_VARIABLE_KINDS) <= set(VARIABLE_SCOPES) and set(BULK_TAG_KINDS) <= set(TAG_SCOPES)
