"""A bulk create that was interrupted (the provider host's journal says it was sent) is finished, not
repeated: the provider's ``recover_create`` against the sandbox, called as the host calls it."""

from __future__ import annotations

import pytest

from balena_pulumi.client import BalenaClient, clear_clients
from balena_pulumi.errors import PartialFailure
from balena_pulumi.resources import provider_class
from balena_pulumi.resources.base import SETTINGS


@pytest.fixture
def api(clean_sandbox):
    SETTINGS.set(clean_sandbox.url, clean_sandbox.session_token)
    yield BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    SETTINGS.set(None, None)
    clear_clients()


INPUTS = {"fleet": "acme/production", "tags": {"a": "1", "b": "2", "c": "3"}}


def test_the_entries_already_made_are_taken_and_only_the_rest_is_sent(api, clean_sandbox):
    fleet = api.fleets.get_by_slug("acme/production").id
    made = {k: api.tags("fleet").create(fleet, k, v).id for k, v in (("a", "1"), ("b", "2"))}
    clean_sandbox.clear_requests()

    id_, outputs = provider_class("FleetTags")().recover_create(dict(INPUTS))

    assert id_ == str(fleet)
    assert outputs["tags"] == INPUTS["tags"] and outputs["tag_ids"]["a"] == made["a"]
    assert [r["method"] for r in clean_sandbox.requests() if r["method"] != "GET"] == ["POST"]


def test_nothing_made_yet_is_left_to_the_ordinary_create(api, clean_sandbox):
    clean_sandbox.clear_requests()
    assert provider_class("FleetTags")().recover_create(dict(INPUTS)) is None
    assert [r["method"] for r in clean_sandbox.requests()] == ["GET", "GET"]  # the fleet, its tags


def test_an_entry_holding_another_value_is_not_taken(api):
    fleet = api.tags("fleet")
    fleet_id = api.fleets.get_by_slug("acme/production").id
    fleet.create(fleet_id, "a", "1")
    fleet.create(fleet_id, "c", "someone else's")

    with pytest.raises(PartialFailure) as failure:
        provider_class("FleetTags")().recover_create(dict(INPUTS))

    assert "the fleet tag c of acme/production already exists and is not managed by this resource" in str(failure.value)
    assert failure.value.outputs["tags"] == {"a": "1", "b": "2"}
