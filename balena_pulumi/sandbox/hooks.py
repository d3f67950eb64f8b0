"""Per-resource rules of the balena API (section 5 of the reference), run inside the write transaction.

Each hook receives already-coerced ``values`` (pine runs its hooks on raw values before coercion; the
sandbox coerces first, so a wrongly *typed* value gets the coercion message, not the hook's).
Fidelity gaps are noted where they occur.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import secrets
import uuid as _uuid

from .errors import ApiError
from .schema import BY_NAME, RESOURCES, q


class Ctx:
    def __init__(self, store, auth):
        self.store, self.auth = store, auth
        self.conn = store.conn


def length_rule(words, field_words, max_len, min_len=None, nullable=False):
    cond = f"is less than or equal to {max_len}"
    if min_len is not None:
        cond = f"is greater than {min_len - 1} and {cond}" if min_len == 1 else \
            f"is greater than or equal to {min_len} and {cond}"
    if nullable:
        return f"It is necessary that each {words} that has a {field_words}, has a {field_words} that has a Length (Type) that {cond}."
    return f"It is necessary that each {words} has a {field_words} that has a Length (Type) that {cond}."


def _check_len(v, words, fw, max_len, min_len=None, nullable=False):
    if v is None:
        return
    if len(v) > max_len or (min_len is not None and len(v) < min_len):
        raise ApiError(400, length_rule(words, fw, max_len, min_len, nullable))


# ---------------------------------------------------------------------------------------------
# dispatch

def _call(prefix, ctx, res, *args):
    fn = globals().get(f"{prefix}_{res.name}")
    if fn:
        fn(ctx, *args)


def before_post(ctx, res, values, body):
    _call("before_post", ctx, res, values, body)


def after_post(ctx, res, new_id, values):
    _call("after_post", ctx, res, new_id, values)


def validate_patch(ctx, res, values, body):
    """Value-only checks (pine's POSTPARSE hooks): they run before, and whether or not, any row matches."""
    _call("validate_patch", ctx, res, values, body)


def before_patch(ctx, res, ids, values, body):
    _call("before_patch", ctx, res, ids, values, body)


def after_patch(ctx, res, ids, values):
    _call("after_patch", ctx, res, ids, values)


def validate_delete(ctx, res):
    _call("validate_delete", ctx, res)


def before_delete(ctx, res, ids):
    _call("before_delete", ctx, res, ids)


def after_delete(ctx, res, ids):
    _call("after_delete", ctx, res, ids)


# body keys that a hook resolves itself (an invitee is posted as an email or username string)
PSEUDO_FIELDS = {("invitee__is_invited_to__organization", "invitee"), ("invitee__is_invited_to__application", "invitee")}


def raw_checks(res, body, mode):
    """Checks pine hooks make on the raw body before type coercion (their message wins)."""
    if res.name == "device" and mode == "post":
        if body.get("device_name") is not None and not isinstance(body["device_name"], str):
            raise ApiError(400, "Device name must be a string if provided.")
        if body.get("uuid") is not None and not isinstance(body["uuid"], str):
            raise ApiError(400, "Device UUID must be a string if provided.")


def accepts_pseudo_fields(res, body):
    return res.name == "user__is_member_of__application" and "username" in body


def referencing(store, res, ids):
    """Name of a resource still referencing ``ids`` (for the 409 'Data is referenced by ...')."""
    marks = ",".join("?" * len(ids))
    for r in RESOURCES:
        for f in r.fields:
            if f.fk == res.name and not f.expr and f.on_delete == "RESTRICT":
                if store.conn.execute(f"SELECT 1 FROM {q(r.name)} WHERE {q(f.name)} IN ({marks}) LIMIT 1",
                                      ids).fetchone():
                    return r.name
    return res.name


# ---------------------------------------------------------------------------------------------
# organization

_HANDLE_BAD = re.compile(r"[^\w]", re.ASCII)


def normalize_handle(name: str) -> str:
    return re.sub(r"\W+", "_", name, flags=re.ASCII).lower()


def _check_org(values):
    if "name" in values:
        _check_len(values["name"], "organization", "name", 100, 1)
    if "handle" in values:
        h = values["handle"]
        _check_len(h, "organization", "handle", 100, 1)
        if _HANDLE_BAD.search(h):
            raise ApiError(400, "Handles can only contain alphanumeric characters and underscores")
        if h != h.lower():
            raise ApiError(400, "Handles must be lowercase")


def before_post_organization(ctx, values, body):
    if values.get("handle") is None and isinstance(values.get("name"), str):
        values["handle"] = normalize_handle(values["name"])  # [INFERRED] cloud derives it from the name
    _check_org(values)


def after_post_organization(ctx, new_id, values):
    if ctx.auth.user_id is not None:
        role = ctx.store.one("SELECT id FROM organization_membership_role WHERE name = 'administrator'")
        ctx.store.raw_insert("organization_membership", {
            "user": ctx.auth.user_id, "is_member_of__organization": new_id,
            "organization_membership_role": role["id"], "created_at": values["created_at"],
            "effective_seat_role": "administrator"})


def validate_patch_organization(ctx, values, body):
    _check_org(values)


def after_patch_organization(ctx, ids, values):
    if "handle" in values:
        for oid in ids:
            _recompute_slugs(ctx, "organization = ?", [oid])


def before_delete_organization(ctx, ids):
    marks = ",".join("?" * len(ids))
    if ctx.conn.execute(f"SELECT 1 FROM application WHERE organization IN ({marks}) LIMIT 1", ids).fetchone():
        raise ApiError(409, "Data is referenced by application.")


def _recompute_slugs(ctx, where, params):
    import sqlite3

    try:
        ctx.conn.execute(
            "UPDATE application SET slug = lower((SELECT o.handle FROM organization o WHERE o.id = "
            f"application.organization) || '/' || app_name) WHERE {where}", params)
    except sqlite3.IntegrityError:
        raise ApiError(409, '"slug" must be unique.') from None


# ---------------------------------------------------------------------------------------------
# application

_APP_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_UUID4 = re.compile(r"^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$")
APP_NAME_RULE = ("It is necessary that each application has an app name that has a Length (Type) that is greater "
                 "than or equal to 4 and is less than or equal to 100.")
APP_TARGET_RULE = ('It is necessary that each release that should be running on an application, has a status that '
                   'is equal to "success" and belongs to the application.')
DEVICE_PIN_RULE = ('It is necessary that each release that is pinned to a device, has a status that is equal to '
                   '"success" and belongs to an application1 that the device belongs to.')


def _check_app_name(name):
    if not _APP_NAME.match(name):
        raise ApiError(400, "App name may only contain [a-zA-Z0-9_-].")
    if not 4 <= len(name) <= 100:
        raise ApiError(400, APP_NAME_RULE)


def before_post_application(ctx, values, body):
    org = ctx.store.row("organization", values.get("organization"))
    if org is None and values.get("organization") is not None:
        raise ApiError(401)  # an organization that does not exist cannot be written to
    if org is not None:
        if values.get("app_name") is None:
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
    at = ctx.store.one("SELECT id FROM application_type ORDER BY id LIMIT 1")
    if at:
        values["application_type"] = at["id"]
    values["actor"] = ctx.store.new_actor()
    if values.get("should_be_running__release") is not None:
        raise ApiError(400, APP_TARGET_RULE)  # a new application owns no release yet


def after_post_application(ctx, new_id, values):
    pass


def validate_patch_application(ctx, values, body):
    if values.get("app_name") is not None:
        _check_app_name(values["app_name"])


def before_patch_application(ctx, ids, values, body):
    if values.get("is_for__device_type") is not None:
        new_arch = ctx.store.one("SELECT is_of__cpu_architecture AS a FROM device_type WHERE id = ?",
                                 (values["is_for__device_type"],))
        if new_arch is None:
            raise ApiError(401)
        for aid in ids:
            old = ctx.store.one("SELECT dt.is_of__cpu_architecture AS a FROM application app JOIN device_type dt "
                                "ON dt.id = app.is_for__device_type WHERE app.id = ?", (aid,))
            if old and old["a"] != new_arch["a"]:
                raise ApiError(400, "The new default device type should be of the same cpu architecture as the "
                                    "previous one.")
    if values.get("should_be_running__release") is not None:
        rel = ctx.store.row("release", values["should_be_running__release"])
        for aid in ids:
            if rel is None or rel["status"] != "success" or rel["belongs_to__application"] != aid:
                raise ApiError(400, APP_TARGET_RULE)
    if values.get("organization") is not None:
        from .query import access_filter

        where = access_filter(BY_NAME["organization"], ctx.auth, "t0", write=False)
        if not ctx.conn.execute(f"SELECT 1 FROM organization t0 WHERE t0.id = ? AND {where}",
                                (values["organization"],)).fetchone():
            raise ApiError(401)


def after_patch_application(ctx, ids, values):
    marks = ",".join("?" * len(ids))
    if "app_name" in values or "organization" in values:
        _recompute_slugs(ctx, f"id IN ({marks})", ids)
    if values.get("should_be_running__release") is not None:
        for aid in ids:
            _ensure_service_installs(ctx, "d.belongs_to__application = ? AND d.is_pinned_on__release IS NULL",
                                     [aid])


def before_delete_application(ctx, ids):
    marks = ",".join("?" * len(ids))
    # unpin first: the circular application <-> release reference would otherwise block the cascade
    ctx.conn.execute(f"UPDATE application SET should_be_running__release = NULL WHERE id IN ({marks})", ids)
    ctx.conn.execute(f"UPDATE device SET is_pinned_on__release = NULL WHERE belongs_to__application IN ({marks})",
                     ids)


def _drop_orphan_actors(ctx):
    # an actor goes with its fleet or device, and its API keys (provisioning, device keys) with it
    ctx.conn.execute('DELETE FROM actor WHERE id NOT IN (SELECT actor FROM application UNION SELECT actor FROM '
                     'device UNION SELECT actor FROM "user")')


def after_delete_application(ctx, ids):
    _drop_orphan_actors(ctx)


def after_delete_device(ctx, ids):
    _drop_orphan_actors(ctx)


def _ensure_service_installs(ctx, device_where, params):
    ctx.conn.execute(
        "INSERT OR IGNORE INTO service_install (device, installs__service, created_at) "
        "SELECT d.id, s.id, ? FROM device d JOIN service s ON s.application = d.belongs_to__application "
        f"WHERE {device_where}", [_now()] + list(params))


def _now():
    from .store import now_iso

    return now_iso()


# ---------------------------------------------------------------------------------------------
# release

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
COMMIT_RULE = ('It is necessary that each application that owns a release1 that has a status that is equal to '
               '"success" and has a commit1, owns at most one release2 that has a status that is equal to "success" '
               'and has a commit2 that is equal to the commit1.')


def _parse_semver(s):
    m = _SEMVER.match(s)
    if not m:
        raise ApiError(400, "Invalid semver format")
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4) or "", m.group(5) or ""


def _epoch_ms(iso):
    d = _dt.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=_dt.timezone.utc)
    return int(d.timestamp() * 1000)


def compute_version(r):
    """raw_version / semver / version from a release row (dict with the semver_* fields)."""
    pre = r["semver_prerelease"] or ""
    if r["revision"] is None:  # drafts carry their creation time in the prerelease
        stamp = str(_epoch_ms(r["created_at"]))
        pre = f"{pre}.{stamp}" if pre else stamp
    core = f"{r['semver_major']}.{r['semver_minor']}.{r['semver_patch']}"
    raw = core + (f"-{pre}" if pre else "")
    build_parts = []
    build = r["semver_build"] or ""
    if build:
        build_parts.append(build)
    rev = r["revision"]
    if rev and rev > 0 and f"rev{rev}" not in build.split("."):
        build_parts.append(f"rev{rev}")
    if r.get("variant"):
        build_parts.append(r["variant"])
    if build_parts:
        raw += "+" + ".".join(build_parts)
    semver = core + (f"-{r['semver_prerelease']}" if r["semver_prerelease"] else "") + \
        (f"+{build}" if build else "")
    prerelease = [int(p) if p.isdigit() else p for p in pre.split(".")] if pre else []
    version = {"raw": raw, "major": r["semver_major"], "minor": r["semver_minor"], "patch": r["semver_patch"],
               "prerelease": prerelease, "build": ".".join(build_parts).split(".") if build_parts else [],
               "version": core + (f"-{pre}" if pre else "")}
    return raw, semver, json.dumps(version, separators=(",", ":"))


def _next_revision(ctx, r, exclude_id=None):
    row = ctx.conn.execute(
        "SELECT MAX(revision) FROM release WHERE belongs_to__application = ? AND semver_major = ? AND "
        "semver_minor = ? AND semver_patch = ? AND semver_prerelease = ? AND variant = ? AND id IS NOT ?",
        (r["belongs_to__application"], r["semver_major"], r["semver_minor"], r["semver_patch"],
         r["semver_prerelease"], r.get("variant") or "", exclude_id)).fetchone()
    return 0 if row[0] is None else row[0] + 1


def _check_build_revision(build, revision):
    for part in (build or "").split("."):
        m = re.fullmatch(r"rev(\d+)", part)
        if m and int(m.group(1)) != revision:
            raise ApiError(400, "The provided revision does not match the autogenerated one.")


def _check_commit_rule(ctx, app_id, commit, exclude_id=None):
    if ctx.conn.execute("SELECT 1 FROM release WHERE belongs_to__application = ? AND status = 'success' AND "
                        "\"commit\" = ? AND id IS NOT ? LIMIT 1", (app_id, commit, exclude_id)).fetchone():
        raise ApiError(400, COMMIT_RULE)


def before_post_release(ctx, values, body):
    maj, mnr, pat, pre, build = _parse_semver(values["semver"]) if values.get("semver") else (0, 0, 0, "", "")
    values.update(semver_major=maj, semver_minor=mnr, semver_patch=pat, semver_prerelease=pre, semver_build=build)
    values.setdefault("variant", "")
    if values.get("variant") is None:
        values["variant"] = ""
    _check_len(values["variant"], "release", "variant", 50)
    values["created_at"] = _now()
    values["update_timestamp"] = values["created_at"]
    is_final = values.get("is_final", 1)
    values["revision"] = None
    if is_final is None or is_final:
        values["revision"] = _next_revision(ctx, values)
        values["is_finalized_at__date"] = values["created_at"]
        _check_build_revision(build, values["revision"])
    if values.get("status") == "success" and values.get("belongs_to__application") is not None:
        _check_commit_rule(ctx, values["belongs_to__application"], values.get("commit"))
    if ctx.auth.user_id is not None:
        values["is_created_by__user"] = ctx.auth.user_id
    values["raw_version"], values["semver"], values["version"] = compute_version(values)


def after_post_release(ctx, new_id, values):
    track_latest(ctx, values["belongs_to__application"])


def before_patch_release(ctx, ids, values, body):
    values["update_timestamp"] = _now()
    for rid in ids:
        r = ctx.store.row("release", rid)
        if "is_final" in values:
            if not values["is_final"] and r["revision"] is not None:
                raise ApiError(400, "Finalized releases cannot be converted to draft.")
        if "semver" in values:
            if values["semver"] is None:
                raise ApiError(400, '"semver" cannot be null')
            maj, mnr, pat, pre, build = _parse_semver(values["semver"])
            r.update(semver_major=maj, semver_minor=mnr, semver_patch=pat, semver_prerelease=pre, semver_build=build)
        new = dict(r)
        new.update({k: v for k, v in values.items() if k in r})
        per_row = {}
        if values.get("is_final") and r["revision"] is None:
            per_row["revision"] = _next_revision(ctx, new, exclude_id=rid)
            per_row["is_finalized_at__date"] = values["update_timestamp"]
            new.update(per_row)
            _check_build_revision(new["semver_build"], new["revision"])
        elif "semver" in values and r["revision"] is not None:
            per_row["revision"] = _next_revision(ctx, new, exclude_id=rid)
            new.update(per_row)
        if values.get("status") == "success":
            _check_commit_rule(ctx, new["belongs_to__application"], new["commit"], exclude_id=rid)
        raw, semver, version = compute_version(new)
        per_row.update(raw_version=raw, semver=semver, version=version)
        for k in ("semver_major", "semver_minor", "semver_patch", "semver_prerelease", "semver_build"):
            per_row[k] = new[k]
        sets = ", ".join(f"{q(k)} = ?" for k in per_row)
        ctx.conn.execute(f"UPDATE release SET {sets} WHERE id = ?", list(per_row.values()) + [rid])
    values.pop("semver", None)


def after_patch_release(ctx, ids, values):
    if values.keys() & {"status", "is_passing_tests", "is_invalidated", "is_final"}:
        marks = ",".join("?" * len(ids))
        for (app_id,) in ctx.conn.execute(
                f"SELECT DISTINCT belongs_to__application FROM release WHERE id IN ({marks})", ids).fetchall():
            track_latest(ctx, app_id)


def track_latest(ctx, app_id):
    """Apps tracking latest move to the newest trackable release (final, passing, valid, success)."""
    app = ctx.store.row("application", app_id)
    if not app or not app["should_track_latest_release"]:
        return
    latest = ctx.conn.execute(
        "SELECT id FROM release WHERE belongs_to__application = ? AND revision IS NOT NULL AND is_passing_tests = 1 "
        "AND is_invalidated = 0 AND status = 'success' ORDER BY start_timestamp DESC, id DESC LIMIT 1",
        (app_id,)).fetchone()
    if latest and latest[0] != app["should_be_running__release"]:
        ctx.conn.execute("UPDATE application SET should_be_running__release = ? WHERE id = ?", (latest[0], app_id))
        _ensure_service_installs(ctx, "d.belongs_to__application = ? AND d.is_pinned_on__release IS NULL", [app_id])


def before_delete_release(ctx, ids):
    marks = ",".join("?" * len(ids))
    target = ctx.store.one(
        f"SELECT r.raw_version, a.is_of__class FROM application a JOIN release r ON r.id = a.should_be_running__release "
        f"WHERE a.should_be_running__release IN ({marks}) LIMIT 1", ids)
    if target:
        raise ApiError(400, f"Unable to delete release {target['raw_version']} because it is the "
                            f"{target['is_of__class']}'s target release.")
    if ctx.conn.execute(f"SELECT 1 FROM device WHERE is_pinned_on__release IN ({marks}) LIMIT 1", ids).fetchone():
        raise ApiError(400, "Unable to delete a release because device(s) are pinned to it.")


# ---------------------------------------------------------------------------------------------
# service / service_install

def _check_service(values):
    if "service_name" in values and values["service_name"] is not None:
        _check_len(values["service_name"], "service", "service name", 63, 1)  # [INFERRED] sentence


def before_post_service(ctx, values, body):
    _check_service(values)


def validate_patch_service(ctx, values, body):
    _check_service(values)


def before_post_service_install(ctx, values, body):
    if "installs__service" not in values and body.get("service") is not None:
        from .store import coerce

        values["installs__service"] = coerce(BY_NAME["service_install"], "installs__service", body["service"])


# ---------------------------------------------------------------------------------------------
# device

_DEVICE_UUID = re.compile(r"^[a-f0-9]{32}([a-f0-9]{30})?$")
_ADJ = ["autumn", "hidden", "bitter", "misty", "silent", "empty", "dry", "dark", "summer", "icy", "delicate",
        "quiet", "white", "cool", "spring", "winter", "patient", "twilight", "dawn", "crimson", "wispy",
        "weathered", "blue", "billowing", "broken", "cold", "damp", "falling", "frosty", "green", "long"]
_NOUN = ["waterfall", "river", "breeze", "moon", "rain", "wind", "sea", "morning", "snow", "lake", "sunset",
         "pine", "shadow", "leaf", "dawn", "glitter", "forest", "hill", "cloud", "meadow", "sun", "glade",
         "bird", "brook", "butterfly", "bush", "dew", "dust", "field", "fire", "flower"]


def haiku_name() -> str:
    return f"{secrets.choice(_ADJ)}-{secrets.choice(_NOUN)}"


def _check_device_name(v):
    if v is not None and re.search(r"\r|\n", v):
        raise ApiError(400, "Device name cannot contain any newline characters.")


def _check_pin(ctx, release_id, app_id):
    rel = ctx.store.row("release", release_id)
    if rel is None or rel["status"] != "success" or rel["belongs_to__application"] != app_id:
        raise ApiError(400, DEVICE_PIN_RULE)


def before_post_device(ctx, values, body):
    _check_device_name(values.get("device_name"))
    if not values.get("device_name"):
        values["device_name"] = haiku_name()
    u = values.get("uuid")
    if u is None or u == "":
        values["uuid"] = _uuid.uuid4().hex
    elif not _DEVICE_UUID.match(u):
        raise ApiError(400, "Device UUID must be a 32 or 62 character long lower case hex string.")
    if values.get("is_pinned_on__release") is not None:
        _check_pin(ctx, values["is_pinned_on__release"], values.get("belongs_to__application"))
    values["actor"] = ctx.store.new_actor()


def validate_patch_device(ctx, values, body):
    _check_device_name(values.get("device_name"))


def before_patch_device(ctx, ids, values, body):
    moving = values.get("belongs_to__application") is not None
    if moving:
        from .query import access_filter

        where = access_filter(BY_NAME["application"], ctx.auth, "t0", write=True)
        if not ctx.conn.execute(f"SELECT 1 FROM application t0 WHERE t0.id = ? AND {where}",
                                (values["belongs_to__application"],)).fetchone():
            raise ApiError(404, "Application doesn't exist or you have no access to it.")
        if "is_pinned_on__release" not in body:
            values["is_pinned_on__release"] = None  # moving clears the pin
    if values.get("is_pinned_on__release") is not None:
        for did in ids:
            dev = ctx.store.row("device", did)
            app_id = values["belongs_to__application"] if moving else dev["belongs_to__application"]
            _check_pin(ctx, values["is_pinned_on__release"], app_id)


def after_patch_device(ctx, ids, values):
    marks = ",".join("?" * len(ids))
    if values.get("belongs_to__application") is not None:
        ctx.conn.execute(
            f"DELETE FROM service_install WHERE device IN ({marks}) AND installs__service NOT IN "
            "(SELECT s.id FROM service s JOIN device d ON s.application = d.belongs_to__application "
            "WHERE d.id = service_install.device)", ids)
    if values.get("belongs_to__application") is not None or values.get("is_pinned_on__release") is not None:
        _ensure_service_installs(ctx, f"d.id IN ({marks})", ids)


# ---------------------------------------------------------------------------------------------
# variables

ENV_INVALID = re.compile(r"^\d|\W", re.ASCII)
CONFIG_INVALID = re.compile(r"^[\d:]|[^A-Za-z0-9_:]")
RESERVED_NAMES = ("RESIN", "BALENA", "USER")
RESERVED_NAMESPACES = ("RESIN_", "BALENA_")
CONFIG_VARS = {"application_config_variable", "device_config_variable"}
ENV_VARS = {"application_environment_variable", "build_environment_variable", "service_environment_variable",
            "device_environment_variable", "device_service_environment_variable"}


def check_var_name(res_name, name):
    if name is None:
        return
    if res_name in CONFIG_VARS:
        if CONFIG_INVALID.search(name):
            raise ApiError(400, "Configuration variable names can only contain alphanumeric characters, "
                                "underscores or a colon")
        if name in RESERVED_NAMES:
            raise ApiError(400, "Configuration variables RESIN, BALENA, USER are reserved")
        if not name.startswith(RESERVED_NAMESPACES):
            raise ApiError(400, "Configuration variables must be part of one of the following namespaces: "
                                "RESIN_, BALENA_")
    else:
        if ENV_INVALID.search(name):
            raise ApiError(400, "Environment variable names can only contain alphanumeric characters and "
                                "underscores.")
        if name in RESERVED_NAMES:
            raise ApiError(400, "Environment variables RESIN, BALENA, USER are reserved")
        if name.startswith(RESERVED_NAMESPACES):
            raise ApiError(400, "Environment variables beginning with RESIN_, BALENA_ are reserved.")


def check_var_value(res, value):
    if value is None:
        return
    if re.search(r"\r|\n", value):
        raise ApiError(400, "Variable values cannot contain line break characters")
    if len(value) > 100000:
        raise ApiError(400, length_rule(res.words, "value", 100000))


def _var_hooks(res_name):
    def before_post(ctx, values, body):
        check_var_name(res_name, values.get("name"))
        check_var_value(BY_NAME[res_name], values.get("value"))

    def validate_patch(ctx, values, body):
        check_var_name(res_name, values.get("name"))
        check_var_value(BY_NAME[res_name], values.get("value"))

    globals()[f"before_post_{res_name}"] = before_post
    globals()[f"validate_patch_{res_name}"] = validate_patch


for _n in CONFIG_VARS | ENV_VARS:
    _var_hooks(_n)


# ---------------------------------------------------------------------------------------------
# tags

_TAG_KEY_MAX = {"application_tag": 100, "device_tag": 100, "release_tag": 164}
_TAG_VALUE_MAX = {"application_tag": 1000, "device_tag": 10000, "release_tag": 1000}


def check_tag(res, values):
    key = values.get("tag_key")
    if key is not None:
        if re.search(r"\s", key):
            raise ApiError(400, "Tag keys cannot contain whitespace.")
        for prefix in ("io.resin.", "io.balena."):
            if key.startswith(prefix):
                raise ApiError(400, f"Tag keys beginning with {prefix} are reserved.")
        _check_len(key, res.words, "tag key", _TAG_KEY_MAX[res.name], 1)
    if values.get("value") is not None:
        _check_len(values["value"], res.words, "value", _TAG_VALUE_MAX[res.name])


def _tag_hooks(res_name):
    globals()[f"before_post_{res_name}"] = lambda ctx, values, body: check_tag(BY_NAME[res_name], values)
    globals()[f"validate_patch_{res_name}"] = lambda ctx, values, body: check_tag(BY_NAME[res_name], values)


for _n in _TAG_KEY_MAX:
    _tag_hooks(_n)


# ---------------------------------------------------------------------------------------------
# memberships and invites

APP_MEMBER_ORG_RULE = ("It is necessary that each user (Auth) that is member of an application that has an "
                       "organization, is member of the organization")


def _role_id(ctx, table, name):
    row = ctx.store.one(f"SELECT id FROM {q(table)} WHERE name = ?", (name,))
    return row["id"] if row else None


def before_post_user__is_member_of__application(ctx, values, body):
    if "username" in body and values.get("user") is None:
        uname = body["username"]
        if not isinstance(uname, str):
            raise ApiError(400, '"username" is not a string: ' + str(uname))
        u = ctx.store.one('SELECT id FROM "user" WHERE username = ?', (uname,))
        if u is None:
            raise ApiError(400, "User not found.")  # [INFERRED] text
        values["user"] = u["id"]
    if values.get("application_membership_role") is None:
        values["application_membership_role"] = _role_id(ctx, "application_membership_role", "developer")
    app = ctx.store.row("application", values.get("is_member_of__application"))
    if app is not None and values.get("user") is not None:
        if not ctx.conn.execute('SELECT 1 FROM organization_membership WHERE "user" = ? AND '
                                "is_member_of__organization = ?", (values["user"], app["organization"])).fetchone():
            raise ApiError(400, APP_MEMBER_ORG_RULE)


def before_post_organization_membership(ctx, values, body):
    raise ApiError(401)  # memberships come from invites; users cannot create them directly


def _invitee(ctx, body):
    inv = body.get("invitee")
    if not isinstance(inv, str) or not inv:
        raise ApiError(400, '"invitee" is not a string: ' + str(inv))
    email = inv
    if "@" not in inv:
        u = ctx.store.one('SELECT email FROM "user" WHERE username = ?', (inv,))
        if u is None or not u["email"]:
            raise ApiError(400, "Invitee must be an email address or the username of an existing user.")  # [INFERRED]
        email = u["email"]
    row = ctx.store.one("SELECT id FROM invitee WHERE email = ?", (email,))
    if row:
        return row["id"]
    return ctx.store.raw_insert("invitee", {"email": email, "created_at": _now()})


def before_post_invitee__is_invited_to__organization(ctx, values, body):
    values["invitee"] = _invitee(ctx, body)
    if values.get("organization_membership_role") is None:
        values["organization_membership_role"] = _role_id(ctx, "organization_membership_role", "member")
    values["is_created_by__user"] = ctx.auth.user_id


def before_post_invitee__is_invited_to__application(ctx, values, body):
    values["invitee"] = _invitee(ctx, body)
    if values.get("application_membership_role") is None:
        values["application_membership_role"] = _role_id(ctx, "application_membership_role", "developer")
    values["is_created_by__user"] = ctx.auth.user_id


# ---------------------------------------------------------------------------------------------
# api keys and public keys

def check_api_key_fields(values):
    _check_len(values.get("name"), "api key", "name", 50, nullable=True)
    _check_len(values.get("description"), "api key", "description", 150, nullable=True)


def before_post_api_key(ctx, values, body):
    raise ApiError(401)  # keys come only from the /api-key/... routes


def validate_patch_api_key(ctx, values, body):
    if ctx.auth.kind != "session":
        raise ApiError(401)
    check_api_key_fields(values)


def validate_delete_api_key(ctx):
    if ctx.auth.kind != "session":
        raise ApiError(401)


def _check_pubkey(values):
    _check_len(values.get("title"), "user has public key", "title", 120)  # [INFERRED] sentence
    _check_len(values.get("public_key"), "user has public key", "public key", 2850)


def before_post_user__has__public_key(ctx, values, body):
    _check_pubkey(values)


def validate_patch_user__has__public_key(ctx, values, body):
    _check_pubkey(values)


def new_api_key_secret() -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))
