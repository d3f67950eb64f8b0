"""A ProvisioningKey's id is found by reading the fleet's keys back after the create, so its check (run in
preview, before any write) refuses a login that cannot be shown to read them.

The API answers a login that may not read a fleet's keys with an empty list rather than an error, so an
empty list proves nothing: a key of this fleet shown to the login, or the login administering the fleet's
organization, is required. Checked against the sandbox (balenaCloud's permissions) and against a
scripted server answering as open-balena-api does for a user (no key of another actor is ever shown, and
there are no organization roles).
"""

from __future__ import annotations

import pytest

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.base import SETTINGS
from balena_pulumi.resources.keys.provisioning_key import ProvisioningKeyProvider
from tests.client.scripted_server import ScriptedServer

INPUTS = {"fleet": "acme/staging", "name": "factory-line-1"}

UNCONFIRMED = (
    "fleet: this login is shown none of the API keys of fleet acme/staging and is not an administrator of its "
    "organization, so it may be unable to read them (the API hides what a login may not read; open-balena shows "
    "users only their own keys): a provisioning key created here could not be found again and its secret would "
    "be lost. Use the login of an administrator of the fleet's organization, or create the fleet's first key "
    "elsewhere and adopt it with import_"
)


def failures(token: str, url: str) -> list[str]:
    SETTINGS.set(url, token)
    try:
        # One failure per resource: a headline, then a line per problem.
        return [line for f in ProvisioningKeyProvider().check({}, dict(INPUTS)).failures for line in f.reason.split("\n")[1:]]
    finally:
        SETTINGS.set(None, None)


@pytest.fixture
def bob(clean_sandbox) -> str:
    """An organization member (not an administrator) who develops on acme/staging, which has no key yet."""
    admin = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    admin.fleet_members.create(admin.fleets.get_by_slug("acme/staging").id, "bob", "developer")
    token = clean_sandbox.tokens_for("bob")["session_token"]
    clean_sandbox.clear_requests()
    return token


def test_an_administrator_of_the_fleets_organization_may_create_the_first_key(clean_sandbox):
    assert failures(clean_sandbox.session_token, clean_sandbox.url) == []
    assert {r["method"] for r in clean_sandbox.requests()} == {"GET"}


def test_a_login_shown_no_key_of_the_fleet_and_no_administrator_is_refused_before_any_write(clean_sandbox, bob):
    assert failures(bob, clean_sandbox.url) == [UNCONFIRMED]
    assert {r["method"] for r in clean_sandbox.requests()} == {"GET"}


def test_the_same_login_passes_once_it_is_shown_a_key_of_the_fleet(clean_sandbox, bob):
    admin = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    admin.api_keys.create_provisioning_key(admin.fleets.get_by_slug("acme/staging").id, "made in the dashboard")
    assert failures(bob, clean_sandbox.url) == []


# What open-balena-api answers a user, in the order the check asks: the fleet; its keys (hidden: an empty
# list); who is asking; the user's membership of the organization, which has no role on a server without
# balenaCloud's organization roles.
OPEN_BALENA_FLEET = {
    "d": [{"id": 2, "app_name": "staging", "slug": "acme/staging", "actor": {"__id": 9}, "organization": {"__id": 1}}]
}
OPEN_BALENA_WHOAMI = {"id": 5, "actorType": "user", "actorTypeId": 3, "username": "bob", "email": "bob@acme.example"}
OPEN_BALENA_MEMBERSHIP = {"d": [{"id": 4, "user": {"__id": 3}, "is_member_of__organization": {"__id": 1}}]}


def test_a_user_of_open_balena_is_refused_before_any_write():
    with ScriptedServer() as server:
        server.script(
            ("ok", OPEN_BALENA_FLEET),
            ("ok", {"d": []}),
            ("ok", OPEN_BALENA_WHOAMI),
            ("ok", OPEN_BALENA_MEMBERSHIP),
        )
        assert failures("a-user-api-key", server.url) == [UNCONFIRMED]
        asked = [(method, path.split("?")[0]) for method, path, _ in server.arrivals]
    assert asked == [
        ("GET", "/v7/application(slug='acme%2Fstaging')"),
        ("GET", "/v7/api_key"),
        ("GET", "/actor/v1/whoami"),
        ("GET", "/v7/organization_membership(user=3,is_member_of__organization=1)"),
    ]


def test_a_server_that_refuses_the_role_lookup_counts_as_no_administrator():
    membership_with_a_role = {"d": [{**OPEN_BALENA_MEMBERSHIP["d"][0], "organization_membership_role": {"__id": 1}}]}
    with ScriptedServer() as server:
        server.script(
            ("ok", OPEN_BALENA_FLEET),
            ("ok", {"d": []}),
            ("ok", OPEN_BALENA_WHOAMI),
            ("ok", membership_with_a_role),
            ("status", 401, {}),  # an unknown resource, as pine answers
        )
        assert failures("a-user-api-key", server.url) == [UNCONFIRMED]
        assert server.arrivals[-1][1].startswith("/v7/organization_membership_role?")
