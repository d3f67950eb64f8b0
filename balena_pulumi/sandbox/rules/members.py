"""Rules of who belongs where (reference sections 5.9-5.11): organization memberships (never created
directly), fleet memberships by username, and organization and fleet invites by email or username.
"""

from __future__ import annotations

from ..errors import ApiError
from ..schema import q
from .base import ResourceRules

FAMILY = "members"

APP_MEMBER_ORG_RULE = ("It is necessary that each user (Auth) that is member of an application that has an "
                       "organization, is member of the organization")


def _role_id(ctx, table, name):
    row = ctx.one(f"SELECT id FROM {q(table)} WHERE name = ?", (name,))
    return row["id"] if row else None


def before_post_app_membership(ctx, values, body):
    if "username" in body and values.get("user") is None:
        uname = body["username"]
        if not isinstance(uname, str):
            raise ApiError(400, '"username" is not a string: ' + str(uname))
        u = ctx.one('SELECT id FROM "user" WHERE username = ?', (uname,))
        if u is None:
            raise ApiError(400, "User not found.")  # [INFERRED] text
        values["user"] = u["id"]
    if values.get("application_membership_role") is None:
        values["application_membership_role"] = _role_id(ctx, "application_membership_role", "developer")
    app = ctx.row("application", values.get("is_member_of__application"))
    if app is not None and values.get("user") is not None:
        if not ctx.exists('SELECT 1 FROM organization_membership WHERE "user" = ? AND is_member_of__organization = ?',
                          (values["user"], app["organization"])):
            raise ApiError(400, APP_MEMBER_ORG_RULE)


def before_post_org_membership(ctx, values, body):
    raise ApiError(401)  # memberships come from invites; users cannot create them directly


def _invitee(ctx, body):
    inv = body.get("invitee")
    if not isinstance(inv, str) or not inv:
        raise ApiError(400, '"invitee" is not a string: ' + str(inv))
    email = inv
    if "@" not in inv:
        u = ctx.one('SELECT email FROM "user" WHERE username = ?', (inv,))
        if u is None or not u["email"]:
            raise ApiError(400, "Invitee must be an email address or the username of an existing user.")  # [INFERRED]
        email = u["email"]
    row = ctx.one("SELECT id FROM invitee WHERE email = ?", (email,))
    if row:
        return row["id"]
    return ctx.store.raw_insert("invitee", {"email": email})


def before_post_org_invite(ctx, values, body):
    values["invitee"] = _invitee(ctx, body)
    if values.get("organization_membership_role") is None:
        values["organization_membership_role"] = _role_id(ctx, "organization_membership_role", "member")
    values["is_created_by__user"] = ctx.auth.user_id


def before_post_app_invite(ctx, values, body):
    values["invitee"] = _invitee(ctx, body)
    if values.get("application_membership_role") is None:
        values["application_membership_role"] = _role_id(ctx, "application_membership_role", "developer")
    values["is_created_by__user"] = ctx.auth.user_id


RULES = {
    # ``username`` is a body key the rule turns into ``user``
    "user__is_member_of__application": ResourceRules(before_post=before_post_app_membership,
                                                     pseudo_fields=frozenset({"username"})),
    "organization_membership": ResourceRules(before_post=before_post_org_membership),
    # ``invitee`` is an FK field, but the body carries an email or a username
    "invitee__is_invited_to__organization": ResourceRules(before_post=before_post_org_invite,
                                                          pseudo_fields=frozenset({"invitee"})),
    "invitee__is_invited_to__application": ResourceRules(before_post=before_post_app_invite,
                                                         pseudo_fields=frozenset({"invitee"})),
}
