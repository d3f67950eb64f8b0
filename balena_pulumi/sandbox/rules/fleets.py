"""Rules of ``application`` (fleets, reference section 5.2): name and uuid checks, the slug, defaults
forced on POST, the same-architecture device type rule, the target-release rule and its service installs,
moving between organizations, and the delete flow (unpin, cascade, 404 for a keyed miss).
"""

from __future__ import annotations

import re
import sqlite3
import uuid as _uuid

from ..access import access_filter
from ..errors import ApiError
from ..schema import BY_NAME
from . import installs
from .base import ResourceRules, drop_orphan_actors

FAMILY = "fleets"

_APP_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_UUID4 = re.compile(r"^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$")
APP_NAME_RULE = ("It is necessary that each application has an app name that has a Length (Type) that is greater "
                 "than or equal to 4 and is less than or equal to 100.")
APP_TARGET_RULE = ('It is necessary that each release that should be running on an application, has a status that '
                   'is equal to "success" and belongs to the application.')


def recompute_slugs(ctx, where, params) -> None:
    try:
        ctx.conn.execute(
            "UPDATE application SET slug = lower((SELECT o.handle FROM organization o WHERE o.id = "
            f"application.organization) || '/' || app_name) WHERE {where}", params)
    except sqlite3.IntegrityError:
        raise ApiError(409, '"slug" must be unique.') from None


def _check_app_name(name):
    if not _APP_NAME.match(name):
        raise ApiError(400, "App name may only contain [a-zA-Z0-9_-].")
    if not 4 <= len(name) <= 100:
        raise ApiError(400, APP_NAME_RULE)


def before_post(ctx, values, body):
    org = ctx.row("organization", values.get("organization"))
    if org is None and values.get("organization") is not None:
        raise ApiError(401)  # an organization that does not exist cannot be written to
    if org is not None and values.get("app_name") is None:
        raise ApiError(400, "Missing application name")
    if values.get("app_name") is not None:
        _check_app_name(values["app_name"])
    u = values.get("uuid")
    if u is None or u == "":
        values["uuid"] = _uuid.uuid4().hex
    elif not _UUID4.match(u):
        raise ApiError(400, "Application UUID must be a 32 character long lower case UUID version 4.")
    values["should_track_latest_release"] = 1  # forced on POST, whatever the body says
    if org is not None and values.get("app_name") is not None:
        values["slug"] = f"{org['handle']}/{values['app_name']}".lower()
    if values.get("is_of__class") is None:
        values["is_of__class"] = "fleet"
    at = ctx.one("SELECT id FROM application_type ORDER BY id LIMIT 1")
    if at:
        values["application_type"] = at["id"]
    values["actor"] = ctx.store.new_actor()
    if values.get("should_be_running__release") is not None:
        raise ApiError(400, APP_TARGET_RULE)  # a new application owns no release yet


def validate_patch(ctx, values, body):
    if values.get("app_name") is not None:
        _check_app_name(values["app_name"])


def before_patch(ctx, ids, values, body):
    if values.get("is_for__device_type") is not None:
        new_arch = ctx.one("SELECT is_of__cpu_architecture AS a FROM device_type WHERE id = ?",
                           (values["is_for__device_type"],))
        if new_arch is None:
            raise ApiError(401)
        for aid in ids:
            old = ctx.one("SELECT dt.is_of__cpu_architecture AS a FROM application app JOIN device_type dt "
                          "ON dt.id = app.is_for__device_type WHERE app.id = ?", (aid,))
            if old and old["a"] != new_arch["a"]:
                raise ApiError(400, "The new default device type should be of the same cpu architecture as the "
                                    "previous one.")
    if values.get("should_be_running__release") is not None:
        rel = ctx.row("release", values["should_be_running__release"])
        for aid in ids:
            if rel is None or rel["status"] != "success" or rel["belongs_to__application"] != aid:
                raise ApiError(400, APP_TARGET_RULE)
    if values.get("organization") is not None:
        where = access_filter(BY_NAME["organization"], ctx.auth, "t0", write=False)
        if not ctx.exists(f"SELECT 1 FROM organization t0 WHERE t0.id = ? AND {where}", (values["organization"],)):
            raise ApiError(401)


def after_patch(ctx, ids, values):
    if "app_name" in values or "organization" in values:
        recompute_slugs(ctx, f"id IN ({','.join('?' * len(ids))})", ids)
    if values.get("should_be_running__release") is not None:
        installs.fleet_target_set(ctx, ids, values["should_be_running__release"])


def nothing_deleted(ctx, key):
    if key is not None:
        raise ApiError(404, "Application(s) not found.")


def before_delete(ctx, ids):
    marks = ",".join("?" * len(ids))
    # unpin first: the circular application <-> release reference would otherwise block the cascade
    ctx.conn.execute(f"UPDATE application SET should_be_running__release = NULL WHERE id IN ({marks})", ids)
    ctx.conn.execute(f"UPDATE device SET is_pinned_on__release = NULL WHERE belongs_to__application IN ({marks})",
                     ids)


def after_delete(ctx, ids):
    drop_orphan_actors(ctx)


RULES = {
    "application": ResourceRules(before_post=before_post, validate_patch=validate_patch, before_patch=before_patch,
                                 after_patch=after_patch, nothing_deleted=nothing_deleted,
                                 before_delete=before_delete, after_delete=after_delete),
}
