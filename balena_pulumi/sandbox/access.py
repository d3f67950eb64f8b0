"""Who is calling (``Auth``) and what they may read or write, as SQL conditions (``access_filter``).

The permission model is a simplified balenaCloud one (docs/sandbox.md, "Known fidelity gaps"): only
integers the sandbox owns are inlined into the SQL, never request text.
"""

from __future__ import annotations

from .errors import ApiError, server_error
from .schema import Resource


class Auth:
    """Who is calling. kind: guest | session | apikey | root (the sandbox itself: seeding, internal writes).

    ``auth_time`` (epoch ms) is when a session was authenticated; ``app_actor``/``device_actor`` are set
    for the keys of a fleet or a device, which act as guests except on ``/actor/v1/whoami``.
    """

    def __init__(self, kind="guest", user_id=None, actor_id=None, username=None, email=None, key_id=None,
                 auth_time=None):
        self.kind, self.user_id, self.actor_id = kind, user_id, actor_id
        self.username, self.email, self.key_id = username, email, key_id
        self.auth_time = auth_time
        self.app_actor = None
        self.device_actor = None

    @property
    def is_user(self):
        return self.kind in ("session", "apikey")


ROOT = Auth("root")


# ---------------------------------------------------------------------------------------------
# Permissions as SQL fragments (only integers we own are inlined; never request text)


def _member_orgs(uid: int) -> str:
    return f'SELECT m.is_member_of__organization FROM organization_membership m WHERE m."user" = {int(uid)}'


def _admin_orgs(uid: int) -> str:
    return (f'SELECT m.is_member_of__organization FROM organization_membership m JOIN organization_membership_role '
            f'r ON r.id = m.organization_membership_role WHERE m."user" = {int(uid)} AND r.name = \'administrator\'')


def _apps(uid: int, include_public: bool, write: bool = False) -> str:
    """Fleets a user may read (or write), as balenaCloud scopes them [CLOUD]: every fleet of an organization
    the user administers; otherwise only fleets with a direct membership (observers read, developers and
    operators write); plus public fleets for reading."""
    pub = " OR a.is_public = 1" if include_public else ""
    roles = " AND um.application_membership_role IN (SELECT r.id FROM application_membership_role r " \
            "WHERE r.name IN ('developer', 'operator'))" if write else ""
    return (f"SELECT a.id FROM application a WHERE a.organization IN ({_admin_orgs(uid)}){pub} "
            f"UNION SELECT um.is_member_of__application FROM user__is_member_of__application um "
            f'WHERE um."user" = {int(uid)}{roles}')


def access_filter(res: Resource, auth: Auth, alias: str, write: bool) -> str:
    """SQL condition limiting rows to those the caller may read (or write). Raises 401 when none."""
    if auth.kind == "root":
        return "1"
    t = alias
    if res.access == "global":
        if write or not (auth.is_user or res.guest):
            raise ApiError(401)
        return "1"
    if not auth.is_user:
        if write or not res.guest:
            raise ApiError(401)
        if res.app_expr:
            app = res.app_expr.format(t=t)
            return f"{app} IN (SELECT a.id FROM application a WHERE a.is_public = 1)"
        return "1"
    uid = auth.user_id
    if res.access == "app":
        app = res.app_expr.format(t=t)
        return f"{app} IN ({_apps(uid, include_public=not write, write=write)})"
    if res.access == "org":
        return f"{t}.id IN ({_admin_orgs(uid) if write else _member_orgs(uid)})"
    if res.access == "org_child":
        col = "is_member_of__organization" if res.name == "organization_membership" else "is_invited_to__organization"
        return f"{t}.{col} IN ({_admin_orgs(uid) if write else _member_orgs(uid)})"
    if res.access == "invitee":  # only invitees of invites the caller can see
        if write:
            raise ApiError(401)
        return (f"{t}.id IN (SELECT i.invitee FROM invitee__is_invited_to__organization i WHERE "
                f"i.is_invited_to__organization IN ({_member_orgs(uid)}) UNION SELECT i.invitee FROM "
                f"invitee__is_invited_to__application i WHERE i.is_invited_to__application IN "
                f"({_apps(uid, include_public=False)}))")
    if res.access in ("user", "actor"):
        if write:
            raise ApiError(401)
        return "1"
    if res.access == "self_keys":
        # [CLOUD] own keys; keys of fleets (and their devices) readable by members, writable (with a
        # session token, see rules/keys.py) by administrators of the fleet's organization
        own = f"{t}.is_of__actor = {int(auth.actor_id)}"
        apps = (f"SELECT a.id FROM application a WHERE a.organization IN ({_admin_orgs(uid)})" if write
                else _apps(uid, include_public=False))
        return (f"({own} OR {t}.is_of__actor IN (SELECT a.actor FROM application a WHERE a.id IN ({apps})) "
                f"OR {t}.is_of__actor IN (SELECT d.actor FROM device d WHERE d.belongs_to__application IN ({apps})))")
    if res.access == "self_pubkeys":
        return f'{t}."user" = {int(uid)}'
    raise server_error(f"no access rule for {res.name}")
