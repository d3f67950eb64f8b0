"""Moving a stack from one resource per variable or tag to the bulk kinds (docs/performance.md).

A stack made by an earlier root program, or by a program of one resource per entry, that switches to maps:
the plain `up` must fail safely (nothing lost, the import id named), and the documented move (take the single
resources out of the state, adopt the maps with `import_`) must end with the same objects, no write, and an
empty preview.
"""

from __future__ import annotations

import pulumi
import pytest
from pulumi import automation as auto

from balena_pulumi import resources as r
from balena_pulumi.client import BalenaClient

FLEET = "acme/production"
VARIABLES = {"LOG_LEVEL": "debug", "MQTT_HOST": "mqtt.example"}
TAGS = {"owner": "platform"}


def singles() -> None:
    for name, value in VARIABLES.items():
        r.FleetEnvVar(f"env-{name}", fleet=FLEET, name=name, value=value)
    for key, value in TAGS.items():
        r.FleetTag(f"tag-{key}", fleet=FLEET, key=key, value=value)


def maps(adopt: bool = False):
    def program() -> None:
        env_id, tags_id = f"{FLEET}:LOG_LEVEL,MQTT_HOST", f"{FLEET}:owner"
        r.FleetEnvVars("env", fleet=FLEET, variables=VARIABLES,
                       opts=pulumi.ResourceOptions(import_=env_id if adopt else None))
        r.FleetTags("tags", fleet=FLEET, tags=TAGS, opts=pulumi.ResourceOptions(import_=tags_id if adopt else None))

    return program


def listing(deployment) -> tuple[dict[str, tuple[int, str]], dict[str, tuple[int, str]]]:
    client = BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)
    fleet_id = client.fleets.get_by_slug(FLEET).id
    variables = {v.name: (v.id, v.value) for v in client.variables("fleet_env").list(fleet_id) if v.name in VARIABLES}
    tags = {t.tag_key: (t.id, t.value) for t in client.tags("fleet").list(fleet_id)}
    return variables, tags


def test_switching_to_maps_fails_safely_then_the_documented_move_adopts_them_with_no_write(deployment):
    deployment.up(singles)
    before = listing(deployment)
    assert {name: value for name, (_, value) in before[0].items()} == VARIABLES

    # Editing the program alone: the maps' creates meet the entries the single resources still hold.
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.up(maps())
    text = str(failure.value)
    # The engine stops at the first failed create, so one or both maps report; each in its exact words.
    messages = [
        "FleetEnvVars acme/production: the fleet environment variables LOG_LEVEL, MQTT_HOST of acme/production already "
        "exist and are not managed by this resource: adopt them with import id 'acme/production:LOG_LEVEL,MQTT_HOST' "
        "(pulumi.ResourceOptions(import_='acme/production:LOG_LEVEL,MQTT_HOST') adopts the names listed after the "
        "last ':'), delete them first, or leave them out of `variables`; nothing was created",
        "FleetTags acme/production: the fleet tag owner of acme/production already exists and is not managed by this "
        "resource: adopt it with import id 'acme/production:owner' (pulumi.ResourceOptions(import_='acme/production:"
        "owner') adopts the keys listed after the last ':'), delete it first, or leave it out of `tags`; nothing was "
        "created",
    ]
    assert any(message in text for message in messages), text
    assert listing(deployment) == before  # nothing lost, nothing duplicated, same ids
    assert len(deployment.resources("FleetEnvVar")) == 2 and len(deployment.resources("FleetTag")) == 1

    # The documented move: out of the state (not out of balena), then adopt the maps by natural key.
    for res in deployment.resources("FleetEnvVar") + deployment.resources("FleetTag"):
        deployment.cli("state", "delete", res["urn"], "--yes")
    deployment.sandbox.clear_requests()
    result = deployment.up(maps(adopt=True))
    assert result.summary.resource_changes.get("import") == 2, result.summary.resource_changes
    assert deployment.writes() == []
    assert listing(deployment) == before
    assert {res["type"].rsplit(":", 1)[-1] for res in deployment.resources()} == {"FleetEnvVars", "FleetTags"}

    deployment.sandbox.clear_requests()
    assert set(deployment.preview(maps()).change_summary) == {"same"}
    assert deployment.sandbox.requests() == []
