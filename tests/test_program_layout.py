"""What the root program registers for the demo stack: one bulk resource per map of variables or tags.

Runs the program's ``build()`` under the Pulumi SDK's mocks (no engine, no API), so it checks the choice of
kinds and their inputs; the demo stack runs on the real engine in tests/e2e/test_file_projects.py.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pulumi
import pytest
import yaml

from balena_pulumi.program import _KEYS, NAMESPACE, build, parse_spec
from balena_pulumi.resources.tokens import BULK_TAG_KINDS, BULK_VARIABLE_KINDS, TAG_KINDS, VARIABLE_KINDS

ROOT = Path(__file__).resolve().parent.parent


class Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[tuple[str, str, dict]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        kind = args.typ.rsplit(":", 1)[-1]
        self.registered.append((kind, args.name, dict(args.inputs)))
        outputs = dict(args.inputs)
        if kind == "Fleet":
            outputs["slug"] = f"acme/{args.inputs['name']}"
        return [f"{args.name}-id", outputs]

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


@pytest.fixture
def recorder():
    mocks = Recorder()
    pulumi.runtime.set_mocks(mocks, preview=False)
    pulumi.runtime.set_all_config({f"{NAMESPACE}:secretVariables": json.dumps({"edge-gateways": {"API_TOKEN": "t0k3n"}})},
                                  [f"{NAMESPACE}:secretVariables"])
    yield mocks


def demo_spec():
    config = yaml.safe_load((ROOT / "Pulumi.demo.yaml").read_text())["config"]
    return parse_spec({_KEYS[k.split(":", 1)[1]]: v for k, v in config.items()})


@pulumi.runtime.test
def test_every_map_of_the_demo_is_one_bulk_resource_and_no_variable_or_tag_is_a_single_resource(recorder):
    made = build(demo_spec())

    def check(_):
        kinds = Counter(kind for kind, _, _ in recorder.registered)
        assert not set(kinds) & (set(VARIABLE_KINDS) | set(TAG_KINDS))
        bulk = {kind: count for kind, count in kinds.items() if kind in (*BULK_VARIABLE_KINDS, *BULK_TAG_KINDS)}
        assert bulk == {
            "FleetEnvVars": 1, "FleetConfigVars": 1, "FleetBuildVars": 1, "ServiceEnvVars": 1, "FleetTags": 3,
            "ReleaseTags": 1, "DeviceEnvVars": 1, "DeviceConfigVars": 1, "DeviceServiceEnvVars": 1, "DeviceTags": 1,
        }
        by_name = {name: (kind, inputs) for kind, name, inputs in recorder.registered}
        assert by_name["production-release-1.1.0-tags"] == (
            "ReleaseTags", {**by_name["production-release-1.1.0-tags"][1], "fleet": "acme/production",
                            "release_version": "1.1.0", "tags": {"qa": "passed"}},
        )
        assert by_name["production-service-main"][1]["variables"] == {"PORT": "8080"}
        assert by_name["kiosks-tags"][1]["tags"] == {"owner": "retail-team", "environment": "staging"}

    return pulumi.Output.all(*[r.urn for r in made.values()]).apply(check)


@pulumi.runtime.test
def test_a_secret_variable_is_a_secret_entry_of_the_fleets_map(recorder):
    made = build(demo_spec())
    env = made["edge-gateways-env"]

    def check(args):
        variables, secret = args
        assert variables == {"LOG_LEVEL": "info", "MQTT_HOST": "mqtt.acme.example", "API_TOKEN": "t0k3n"}
        # The map carries a secret entry; the engine keeps that entry encrypted in the state and the others
        # readable (tests/e2e/test_bulk_contract.py).
        assert secret

    return pulumi.Output.all(env.variables, pulumi.Output.is_secret(env.variables)).apply(check)
