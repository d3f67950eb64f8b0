"""fleets-require-tags: every Fleet has FleetTags for the required keys with allowed values."""

from balena_guardrails.fleets_require_tags import policy
from policy_harness import StackBuilder
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE


def baseline(*, by_output=True) -> StackBuilder:
    """acme/production tagged through the Fleet's slug output, acme/staging by a literal slug."""
    s = StackBuilder()
    s.add("Organization", "acme", {"name": "Acme", "handle": "acme"})
    s.add("Fleet", "production", {"organization": "acme", "name": "production", "device_type": "raspberrypi4-64",
                                  "slug": "acme/production"})
    s.add("Fleet", "staging", {"organization": "acme", "name": "staging", "device_type": "raspberrypi4-64"})
    for key, value in (("owner", "alice"), ("environment", "production")):
        s.add("FleetTag", f"production-{key}", {"fleet": "acme/production", "key": key, "value": value},
              depends={"fleet": "production"} if by_output else None)
    for key, value in (("owner", "bob"), ("environment", "staging")):
        s.add("FleetTag", f"staging-{key}", {"fleet": "acme/staging", "key": key, "value": value})
    return s


def test_baseline_passes():
    assert baseline().violations(policy) == []


def test_a_missing_required_tag_fails():
    s = baseline()
    s.resources.remove(s.by_name["staging-owner"])
    assert s.violations(policy) == [("staging", "Fleet staging (acme/staging) has no FleetTag with key owner.")]


def test_a_value_outside_the_allowed_list_fails():
    s = baseline()
    s.add("Fleet", "lab", {"organization": "acme", "name": "Lab", "device_type": "raspberrypi4-64"})
    s.add("FleetTag", "lab-owner", {"fleet": "acme/lab", "key": "owner", "value": "carol"})
    s.add("FleetTag", "lab-env", {"fleet": "ACME/lab", "key": "environment", "value": "prod"})
    assert s.violations(policy) == [
        ("lab-env", "FleetTag lab-env sets environment=prod on fleet lab (acme/lab); allowed values: "
                    "production, staging, development.")]


def test_a_tag_for_another_fleet_does_not_count():
    s = baseline()
    s.by_name["staging-owner"].props["fleet"] = "acme/other"
    assert s.violations(policy) == [("staging", "Fleet staging (acme/staging) has no FleetTag with key owner.")]


def test_during_preview_tags_match_their_fleet_through_property_dependencies():
    s = baseline()
    s.by_name["production"].props["slug"] = UNKNOWN_STRING_VALUE
    for key in ("owner", "environment"):
        s.by_name[f"production-{key}"].props["fleet"] = UNKNOWN_STRING_VALUE
    assert s.violations(policy) == []
    s.resources.remove(s.by_name["production-owner"])
    assert s.violations(policy) == [
        ("production", "Fleet production (acme/production) has no FleetTag with key owner.")]


def test_required_keys_and_allowed_values_are_configurable():
    config = {"requiredTagKeys": ["owner", "cost-center"], "allowedTagValues": {"owner": ["alice"]}}
    assert baseline().violations(policy, config) == [
        ("production", "Fleet production (acme/production) has no FleetTag with key cost-center."),
        ("staging", "Fleet staging (acme/staging) has no FleetTag with key cost-center."),
        ("staging-owner", "FleetTag staging-owner sets owner=bob on fleet staging (acme/staging); "
                          "allowed values: alice."),
    ]


def test_the_keys_of_a_fleet_tags_map_count_and_their_values_are_checked():
    s = baseline()
    for key in ("owner", "environment"):
        s.resources.remove(s.by_name[f"staging-{key}"])
    s.add("FleetTags", "staging-tags", {"fleet": "acme/staging", "tags": {"owner": "bob", "environment": "stage"}})
    assert s.violations(policy) == [
        ("staging-tags", "FleetTags staging-tags sets environment=stage on fleet staging (acme/staging); allowed "
                         "values: production, staging, development."),
    ]
    s.by_name["staging-tags"].props["tags"] = {"owner": "bob"}
    assert s.violations(policy) == [("staging", "Fleet staging (acme/staging) has no FleetTag with key environment.")]


def test_a_secret_value_in_a_fleet_tags_map_is_not_shown():
    from pulumi_policy import Secret

    s = baseline()
    s.by_name["staging-environment"].props["fleet"] = "acme/other"
    s.add("FleetTags", "staging-tags", {"fleet": "acme/staging", "tags": {"environment": Secret("hidden-stage")}},)
    found = s.violations(policy)
    assert found == [("staging-tags", "FleetTags staging-tags sets environment=[secret] on fleet staging (acme/staging); "
                                      "allowed values: production, staging, development.")]
