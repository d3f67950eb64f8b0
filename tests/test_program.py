"""The root program's config: a whole organization validated before any resource is registered."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from balena_pulumi.program import _KEYS, NAMESPACE, ConfigError, parse_spec

ROOT = Path(__file__).resolve().parent.parent


def demo_config() -> dict:
    config = yaml.safe_load((ROOT / "Pulumi.demo.yaml").read_text())["config"]
    return {_KEYS[k.split(":", 1)[1]]: v for k, v in config.items()}


def test_the_demo_stack_config_is_valid_and_covers_every_kind_family():
    spec = parse_spec(demo_config())
    fleets = {f.name: f for f in spec.fleets}
    assert fleets["edge-gateways"].variables and fleets["edge-gateways"].secret_variables
    assert fleets["edge-gateways"].config_variables and fleets["edge-gateways"].build_variables
    assert fleets["production"].manage is False and fleets["production"].pin is not None
    assert fleets["production"].service_variables and fleets["production"].release_tags
    assert spec.devices[0].pin and spec.devices[0].service_variables and spec.devices[0].tags
    assert spec.members and spec.invites and spec.api_keys and spec.ssh_keys


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, f"{NAMESPACE}:organization is required: the handle of the organization to manage"),
        (
            {"organization": "acme", "fleets": [{"name": "my fleet", "device_type": "raspberrypi4-64"}]},
            f"{NAMESPACE}:fleets[0].name: may only contain letters, digits, '_' and '-' ([a-zA-Z0-9_-]); got 'my fleet'",
        ),
        (
            {"organization": "acme", "fleets": [{"name": "gateways"}]},
            f"{NAMESPACE}:fleets[0]: fleet 'gateways': device_type is required for a fleet this stack creates",
        ),
        (
            {"organization": "acme", "fleets": [{"name": "gateways", "device_type": "x", "pin": {}}]},
            f"{NAMESPACE}:fleets[0].pin: give exactly one of release_version, release_commit, release_id",
        ),
        (
            {"organization": "acme", "fleets": [{"name": "gateways", "device_type": "x", "colour": "red"}]},
            f"{NAMESPACE}:fleets[0].colour: Extra inputs are not permitted (got 'red')",
        ),
        (
            {"organization": "acme", "fleets": [{"name": "Gateways", "device_type": "x"}, {"name": "gateways", "device_type": "x"}]},
            f"{NAMESPACE}:fleets: fleet 'gateways' is listed twice (fleet names are unique, ignoring case)",
        ),
    ],
)
def test_invalid_config_names_the_key_the_item_and_the_rule(raw, message):
    with pytest.raises(ConfigError) as failure:
        parse_spec(raw)
    assert str(failure.value) == f"invalid stack config:\n  {message}"
