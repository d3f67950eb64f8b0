"""Fleet memberships by username and organization/fleet invites through the SDK (reference 5.9-5.11, 8.8)."""

from __future__ import annotations

import pytest
from balena import exceptions

from .conftest import PRODUCTION_ID, STAGING_ID, raises_api_error

ORG_MEMBER_RULE = ("It is necessary that each user (Auth) that is member of an application that has an organization, "
                   "is member of the organization")


def role_id(sdk, resource, name):
    return sdk.pine.get({"resource": resource, "id": {"name": name}, "options": {"$select": "id"}})["id"]


def test_membership_create_by_username_defaults_to_developer(sdk, requests_log):
    m = sdk.models.application.membership.create("acme/production", "alice")
    assert requests_log() == [("GET", "/v7/application"), ("GET", "/v7/application_membership_role(name='developer')"),
                              ("POST", "/v7/user__is_member_of__application")]
    alice = sdk.pine.get({"resource": "user", "id": {"username": "alice"}, "options": {"$select": "id"}})["id"]
    assert m["user"] == {"__id": alice} and m["is_member_of__application"] == {"__id": PRODUCTION_ID}
    assert m["application_membership_role"] == {"__id": role_id(sdk, "application_membership_role", "developer")}
    assert sdk.models.application.membership.get({"user": alice, "is_member_of__application": PRODUCTION_ID}) == m
    assert [x["id"] for x in sdk.models.application.membership.get_all_by_application(PRODUCTION_ID)] == [m["id"]]


def test_membership_with_an_explicit_role_change_role_and_remove(sdk):
    m = sdk.models.application.membership.create(STAGING_ID, "bob", "observer")
    assert m["application_membership_role"] == {"__id": role_id(sdk, "application_membership_role", "observer")}
    sdk.models.application.membership.change_role(m["id"], "operator")
    assert sdk.models.application.membership.get(m["id"])["application_membership_role"] == {
        "__id": role_id(sdk, "application_membership_role", "operator")}
    sdk.models.application.membership.remove(m["id"])
    with pytest.raises(exceptions.ApplicationMembershipNotFound):
        sdk.models.application.membership.get(m["id"])


def test_membership_for_a_user_outside_the_organization_is_400_with_the_rule(sdk):
    raises_api_error(lambda: sdk.models.application.membership.create("acme/production", "carol"), 400, ORG_MEMBER_RULE)
    assert sdk.models.application.membership.get_all_by_application(PRODUCTION_ID) == []


def test_a_second_membership_for_the_same_user_is_409_unique(sdk):
    sdk.models.application.membership.create("acme/production", "alice")
    raises_api_error(lambda: sdk.models.application.membership.create("acme/production", "alice", "operator"), 409,
                     '"user" and "is_member_of__application" must be unique.')


def test_an_unknown_role_name_fails_client_side(sdk, requests_log):
    with pytest.raises(exceptions.BalenaApplicationMembershipRoleNotFound):
        sdk.models.application.membership.create("acme/production", "alice", "administrator")
    assert ("POST", "/v7/user__is_member_of__application") not in requests_log()


# invites: the SDKs post the invitee as an email or username string and the cloud converts it (5.11)

def invitee_email(sdk, resource, invite_id):
    inv = sdk.pine.get({"resource": resource, "id": invite_id,
                        "options": {"$select": "invitee", "$expand": {"invitee": {"$select": "email"}}}})
    return inv["invitee"][0]["email"]


@pytest.mark.parametrize("invitee,email", [("new.person@example.com", "new.person@example.com"),
                                           ("carol", "carol@example.com")], ids=["email", "username"])
def test_organization_invite_takes_an_email_or_username_and_returns_the_invitee_as_an_fk(sdk, invitee, email):
    inv = sdk.models.organization.invite.create("acme", invitee, "member", "welcome")
    assert set(inv["invitee"]) == {"__id"}
    assert inv["is_invited_to__organization"] == {"__id": 1} and inv["message"] == "welcome"
    assert inv["organization_membership_role"] == {"__id": role_id(sdk, "organization_membership_role", "member")}
    assert invitee_email(sdk, "invitee__is_invited_to__organization", inv["id"]) == email
    assert [i["id"] for i in sdk.models.organization.invite.get_all_by_organization("acme")] == [inv["id"]]
    sdk.models.organization.invite.revoke(inv["id"])
    assert sdk.models.organization.invite.get_all_by_organization("acme") == []


def test_fleet_invite_takes_an_email_and_can_be_revoked(sdk):
    inv = sdk.models.application.invite.create("acme/production", {"invitee": "x@example.com", "roleName": "observer",
                                                                   "message": None})
    assert set(inv["invitee"]) == {"__id"} and inv["is_invited_to__application"] == {"__id": PRODUCTION_ID}
    assert inv["application_membership_role"] == {"__id": role_id(sdk, "application_membership_role", "observer")}
    assert invitee_email(sdk, "invitee__is_invited_to__application", inv["id"]) == "x@example.com"
    sdk.models.application.invite.revoke(inv["id"])
    assert sdk.models.application.invite.get_all_by_application(PRODUCTION_ID) == []
