"""DeviceTag beyond the tag contract (tests/e2e/test_tags_contract.py): device tags hold up to 10000
characters, ten times a fleet tag, and the device may be named in upper case."""

from __future__ import annotations

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.tags.device_tag import DeviceTag
from balena_pulumi.sandbox.seed import PRODUCTION_DEVICE_UUIDS

from .cases import DEVICE, Case, natural

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case("DeviceTag", {"device": DEVICE, "key": "ring", "value": "canary"}, natural(f"{DEVICE}:ring"))

UUID = PRODUCTION_DEVICE_UUIDS[1]


def program(value: str, device: str = UUID):
    def run() -> None:
        import pulumi

        tag = DeviceTag("notes", device=device, key="notes", value=value)
        pulumi.export("tag_id", tag.tag_id)

    return run


def test_a_device_tag_value_of_10000_characters_is_accepted(deployment):
    deployment.up(program("n" * 10000))
    client = BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)
    assert client.tags("device").get(deployment.outputs()["tag_id"]).value == "n" * 10000


def test_an_upper_case_uuid_names_the_same_device_and_changes_nothing(deployment):
    deployment.up(program("a"))
    deployment.sandbox.clear_requests()
    result = deployment.up(program("a", device=UUID.upper()))
    assert result.summary.resource_changes == {"same": 2}
    assert deployment.writes() == []
