"""The sandbox's data model: every v7 resource it serves, its fields, navigations, keys and uniques.

One place for wire names. Each resource is one SQLite table named after its canonical OData name; the
columns are the OData field names. Computed fields (release ``is_final``, device
``should_be_running__release`` and ``overall_status``) are SQL expressions, so they filter and sort like
stored ones. Field lists follow open-balena-api's v7 model (what a real server answers); fields only
balenaCloud has are left out unless a rule of the sandbox needs them (invites, membership roles).
Every table carries ``created_at`` and ``modified_at`` as pine adds them to every table of a model; a
trigger moves ``modified_at`` on every UPDATE, as pine's does in PostgreSQL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field as dc_field


@dataclass
class Field:
    name: str
    type: str  # serial int bigint fk bool short text date json
    required: bool = False  # NOT NULL in the database (a missing value on POST is a 500, as in pine)
    post: bool = True  # accepted in a POST body
    patch: bool = True  # accepted in a PATCH body
    fk: str | None = None  # target resource of an FK
    on_delete: str = "CASCADE"
    expr: str | None = None  # computed: SQL with {t} for the row alias
    input: bool = False  # computed, yet accepted in a body for the rules to act on (release is_final)
    hidden: bool = False  # stored but never shown (api_key.key, user.email)
    source: str | None = None  # for a read alias: the stored field it shows
    check: str | None = None  # SQL CHECK on the column
    default: object = None


@dataclass
class Nav:
    target: str
    cond: str  # SQL with {p} (parent alias) and {c} (child alias)
    to_one: bool = False


@dataclass
class Resource:
    name: str
    fields: list[Field]
    navs: dict[str, Nav] = dc_field(default_factory=dict)
    synonyms: tuple[str, ...] = ()
    alt_keys: tuple[tuple[str, ...], ...] = ()
    uniques: tuple[tuple[tuple[str, ...], str], ...] = ()  # (columns, 409 message)
    indexes: tuple[tuple[str, ...], ...] = ()
    app_expr: str | None = None  # SQL: the application id a row belongs to (permissions)
    access: str = "app"  # app | global | org | org_child | user | self_keys | self_pubkeys | actor
    guest: bool = False  # guests may read (public apps only for app-scoped ones)
    readonly: bool = False
    words: str = ""  # resource words used in rule sentences ("application environment variable")
    field_aliases: dict = dc_field(default_factory=dict)  # to-one read alias -> FK field (select/filter/order)

    def __post_init__(self):
        if "modified_at" not in {f.name for f in self.fields}:
            self.fields.insert(2, F("modified_at", "date", post=False, patch=False))
        self.by_name = {f.name: f for f in self.fields}
        for f in self.fields:
            if f.fk and f.name not in self.navs:
                self.navs[f.name] = Nav(f.fk, "{c}.id = {p}." + q(f.name), to_one=True)
        if not self.words:
            self.words = self.name.replace("__", " ").replace("_", " ")


def q(ident: str) -> str:
    return '"' + ident + '"'


def F(name, type, **kw):
    return Field(name, type, **kw)


ID = lambda: F("id", "serial", post=False, patch=False)  # noqa: E731
CREATED = lambda: F("created_at", "date", post=False, patch=False)  # noqa: E731

RELEASE_STATUSES = ("running", "success", "failed", "error", "cancelled", "interrupted")


def _app_via(table: str, col: str, app_col: str) -> str:
    return f'(SELECT x.{q(app_col)} FROM {q(table)} x WHERE x.id = {{t}}.{q(col)})'


_DEVICE_APP = _app_via("device", "device", "belongs_to__application")


def _var(name, parent, parent_field, words, synonyms=(), unique_msg=None, app_expr=None):
    return Resource(
        name,
        [ID(), CREATED(), F(parent_field, "fk", required=True, fk=parent, patch=False),
         F("name", "short", required=True), F("value", "text", required=True)],
        synonyms=synonyms,
        alt_keys=((parent_field, "name"),),
        uniques=(((parent_field, "name"), unique_msg or f'"{parent_field}" and "name" must be unique.'),),
        app_expr=app_expr,
        words=words,
    )


def _tag(name, parent, words, app_expr):
    return Resource(
        name,
        [ID(), CREATED(), F(parent, "fk", required=True, fk=parent, patch=False),
         F("tag_key", "short", required=True), F("value", "text", required=True)],
        alt_keys=((parent, "tag_key"),),
        uniques=(((parent, "tag_key"), f'"{parent}" and "tag_key" must be unique.'),),
        app_expr=app_expr, guest=name in ("application_tag", "release_tag"), words=words,
    )


# open-balena's computed device state (devices/models/device-additions), without image installs (not
# modelled) and without "inactive" (a balenaCloud field).
_OFFLINE = "({t}.is_connected_to_vpn = 0 AND {t}.api_heartbeat_state IN ('offline', 'unknown'))"
_PRE_PROVISIONING = ("({t}.is_connected_to_vpn = 0 AND {t}.last_connectivity_event IS NULL AND "
                     "{t}.api_heartbeat_state = 'unknown')")
_POST_PROVISIONING = "({t}.provisioning_state = 'Post-Provisioning')"
_DOWNLOADING = "({t}.download_progress IS NOT NULL AND {t}.status = 'Downloading')"
_VPN_CONTROL = ("COALESCE((SELECT dcv.value FROM device_config_variable dcv WHERE dcv.device = {t}.id AND dcv.name IN "
                "('BALENA_SUPERVISOR_VPN_CONTROL', 'RESIN_SUPERVISOR_VPN_CONTROL') ORDER BY dcv.name ASC LIMIT 1), "
                "(SELECT acv.value FROM application_config_variable acv WHERE acv.application = "
                "{t}.belongs_to__application AND acv.name IN ('BALENA_SUPERVISOR_VPN_CONTROL', "
                "'RESIN_SUPERVISOR_VPN_CONTROL') ORDER BY acv.name ASC LIMIT 1), 'not set')")
_PARTIAL = (f"({{t}}.api_heartbeat_state = 'timeout' OR ({{t}}.is_connected_to_vpn = 1 AND "
            f"{{t}}.api_heartbeat_state != 'online') OR ({{t}}.is_connected_to_vpn = 0 AND "
            f"{{t}}.api_heartbeat_state = 'online' AND {_VPN_CONTROL} != 'false'))")
_OVERALL_STATUS = (
    f"(CASE WHEN {_POST_PROVISIONING} THEN 'post-provisioning' WHEN {_PRE_PROVISIONING} THEN 'configuring' "
    f"WHEN {_OFFLINE} THEN 'disconnected' WHEN {{t}}.api_heartbeat_state IN ('online', 'timeout') AND "
    f"{_DOWNLOADING} THEN 'updating' WHEN {{t}}.provisioning_progress IS NOT NULL THEN 'configuring' "
    f"WHEN {_PARTIAL} THEN 'reduced-functionality' ELSE 'operational' END)")
_OVERALL_PROGRESS = (
    f"(CASE WHEN {_POST_PROVISIONING} OR {_PRE_PROVISIONING} THEN {{t}}.provisioning_progress "
    f"WHEN {_OFFLINE} THEN NULL WHEN {_DOWNLOADING} THEN {{t}}.download_progress "
    f"ELSE {{t}}.provisioning_progress END)")


RESOURCES: list[Resource] = [
    Resource("actor", [ID(), CREATED()], access="actor", readonly=True),
    Resource("cpu_architecture", [ID(), CREATED(), F("slug", "short", required=True)],
             navs={"is_supported_by__device_type": Nav("device_type", "{c}.is_of__cpu_architecture = {p}.id")},
             uniques=((("slug",), '"slug" must be unique.'),), access="global", guest=True, readonly=True),
    Resource("device_type", [
        ID(), CREATED(), F("slug", "short", required=True), F("name", "short", required=True),
        F("is_of__cpu_architecture", "fk", required=True, fk="cpu_architecture"),
        F("belongs_to__device_family", "int"), F("logo", "text"), F("contract", "json"),
        F("is_private", "bool", default=False)],
        navs={
            "device_type_alias": Nav("device_type_alias", "{c}.references__device_type = {p}.id"),
            "is_default_for__application": Nav(
                "application", "{c}.is_for__device_type = {p}.id AND {c}.is_host = 1"),
            "describes__device": Nav("device", "{c}.is_of__device_type = {p}.id"),
        },
        alt_keys=(("slug",),), uniques=((("slug",), '"slug" must be unique.'),),
        access="global", guest=True, readonly=True),
    Resource("device_type_alias", [
        ID(), CREATED(), F("references__device_type", "fk", required=True, fk="device_type"),
        F("is_referenced_by__alias", "short", required=True)],
        synonyms=("device_type__is_referenced_by__alias",),
        uniques=((("is_referenced_by__alias",), '"is_referenced_by__alias" must be unique.'),),
        access="global", guest=True, readonly=True),
    Resource("application_type", [
        ID(), CREATED(), F("name", "short", required=True), F("slug", "short", required=True),
        F("supports_web_url", "bool", default=False), F("supports_multicontainer", "bool", default=True),
        F("supports_gateway_mode", "bool", default=True), F("needs__os_version_range", "short"),
        F("requires_payment", "bool", default=False), F("is_legacy", "bool", default=False),
        F("description", "text"), F("maximum_device_count", "int")],
        uniques=((("slug",), '"slug" must be unique.'),),
        access="global", guest=True, readonly=True),
    Resource("organization", [
        ID(), CREATED(), F("name", "short", required=True), F("handle", "short", required=True),
        F("company_name", "short"), F("industry", "short"), F("website", "short"),
        F("is_enforcing_saml_login", "bool", default=False),
        F("billing_account_code", "short", post=False, patch=False),
        F("is_frozen", "bool", post=False, patch=False, default=False)],
        navs={
            "application": Nav("application", "{c}.organization = {p}.id"),
            "organization_membership": Nav("organization_membership", "{c}.is_member_of__organization = {p}.id"),
            "includes__user": Nav("user", '{c}.id IN (SELECT m."user" FROM organization_membership m '
                                          "WHERE m.is_member_of__organization = {p}.id)"),
            "organization_invite": Nav("invitee__is_invited_to__organization",
                                       "{c}.is_invited_to__organization = {p}.id"),
        },
        alt_keys=(("handle",),), uniques=((("handle",), '"handle" must be unique.'),), access="org"),
    Resource("organization_membership_role", [ID(), CREATED(), F("name", "short", required=True)],
             alt_keys=(("name",),), uniques=((("name",), '"name" must be unique.'),),
             access="global", readonly=True),
    Resource("organization_membership", [
        ID(), CREATED(), F("user", "fk", required=True, fk="user", patch=False),
        F("is_member_of__organization", "fk", required=True, fk="organization", patch=False),
        F("organization_membership_role", "fk", required=True, fk="organization_membership_role",
          on_delete="RESTRICT"),
        F("effective_seat_role", "short", post=False, patch=False)],
        synonyms=("user__is_member_of__organization",),
        alt_keys=(("user", "is_member_of__organization"),),
        uniques=((("user", "is_member_of__organization"),
                  '"user" and "is_member_of__organization" must be unique.'),),
        access="org_child"),
    Resource("application_membership_role", [
        ID(), CREATED(), F("name", "short", required=True), F("description", "text"),
        F("belongs_to__organization", "fk", fk="organization")],
        alt_keys=(("name",),), uniques=((("name",), '"name" must be unique.'),),
        access="global", readonly=True),
    Resource("user", [
        ID(), CREATED(), F("actor", "fk", required=True, fk="actor", post=False, patch=False),
        F("username", "short", required=True), F("email", "short", hidden=True),
        F("has_legacy_link_to__organization", "fk", fk="organization", post=False, patch=False,
          on_delete="SET NULL")],
        navs={
            "user_public_key": Nav("user__has__public_key", '{c}."user" = {p}.id'),
            "user__has__public_key": Nav("user__has__public_key", '{c}."user" = {p}.id'),
            "organization_membership": Nav("organization_membership", '{c}."user" = {p}.id'),
            "is_member_of__organization": Nav(
                "organization", '{c}.id IN (SELECT m.is_member_of__organization FROM organization_membership m '
                                'WHERE m."user" = {p}.id)'),
            "user_application_membership": Nav("user__is_member_of__application", '{c}."user" = {p}.id'),
        },
        alt_keys=(("username",),), uniques=((("username",), '"username" must be unique.'),),
        access="user", readonly=True),
    Resource("application", [
        ID(), CREATED(), F("actor", "fk", required=True, fk="actor", post=False, patch=False),
        F("app_name", "text", required=True), F("organization", "fk", required=True, fk="organization",
                                                   on_delete="RESTRICT"),
        F("is_for__device_type", "fk", required=True, fk="device_type", on_delete="RESTRICT"),
        F("slug", "short", required=True, post=False, patch=False),
        F("uuid", "short", required=True, patch=False),
        F("should_track_latest_release", "bool", required=True, default=True),
        F("should_be_running__release", "fk", fk="release", on_delete="SET NULL"),
        F("application_type", "fk", required=True, fk="application_type", post=False, patch=False,
          on_delete="RESTRICT"),
        F("is_of__class", "short", required=True, patch=False, default="fleet",
          check="\"is_of__class\" IN ('fleet','block','app')"),
        F("is_host", "bool", required=True, post=False, patch=False, default=False),
        F("is_archived", "bool", required=True, default=False),
        F("is_public", "bool", required=True, default=False)],
        navs={
            "owns__device": Nav("device", "{c}.belongs_to__application = {p}.id"),
            "owns__release": Nav("release", "{c}.belongs_to__application = {p}.id"),
            "service": Nav("service", "{c}.application = {p}.id"),
            "application_environment_variable": Nav("application_environment_variable", "{c}.application = {p}.id"),
            "application_config_variable": Nav("application_config_variable", "{c}.application = {p}.id"),
            "build_environment_variable": Nav("build_environment_variable", "{c}.application = {p}.id"),
            "application_tag": Nav("application_tag", "{c}.application = {p}.id"),
            "user_application_membership": Nav("user__is_member_of__application",
                                               "{c}.is_member_of__application = {p}.id"),
            "application_invite": Nav("invitee__is_invited_to__application",
                                      "{c}.is_invited_to__application = {p}.id"),
            # [CLOUD] administrators of the fleet's organization, and the fleet's direct members
            "is_directly_accessible_by__user": Nav(
                "user", '({c}.id IN (SELECT m."user" FROM organization_membership m JOIN organization_membership_role '
                        "r ON r.id = m.organization_membership_role WHERE r.name = 'administrator' AND "
                        'm.is_member_of__organization = {p}.organization) OR {c}.id IN (SELECT um."user" FROM '
                        'user__is_member_of__application um WHERE um.is_member_of__application = {p}.id))'),
        },
        alt_keys=(("slug",), ("uuid",)),
        uniques=((("slug",), '"slug" must be unique.'), (("uuid",), '"uuid" must be unique.')),
        indexes=(("organization",), ("is_for__device_type",), ("should_be_running__release",)),
        app_expr="{t}.id", guest=True),
    Resource("user__is_member_of__application", [
        ID(), CREATED(), F("user", "fk", required=True, fk="user", patch=False),
        F("is_member_of__application", "fk", required=True, fk="application", patch=False),
        F("application_membership_role", "fk", required=True, fk="application_membership_role",
          on_delete="RESTRICT")],
        navs={"application": Nav("application", "{c}.id = {p}.is_member_of__application", to_one=True),
              "includes__user": Nav("user", '{c}.id = {p}."user"', to_one=True)},
        synonyms=("user_application_membership",),
        alt_keys=(("user", "is_member_of__application"),),
        uniques=((("user", "is_member_of__application"), '"user" and "is_member_of__application" must be unique.'),),
        app_expr="{t}.is_member_of__application"),
    Resource("invitee", [ID(), CREATED(), F("email", "short", required=True)],
             uniques=((("email",), '"email" must be unique.'),), access="invitee", readonly=True),
    Resource("invitee__is_invited_to__organization", [
        ID(), CREATED(), F("invitee", "fk", required=True, fk="invitee", patch=False),
        F("is_invited_to__organization", "fk", required=True, fk="organization", patch=False),
        F("organization_membership_role", "fk", fk="organization_membership_role", on_delete="RESTRICT"),
        F("message", "text"), F("is_created_by__user", "fk", fk="user", post=False, patch=False,
                                on_delete="SET NULL")],
        synonyms=("organization_invite",),
        uniques=((("invitee", "is_invited_to__organization"),
                  '"invitee" and "is_invited_to__organization" must be unique.'),),
        access="org_child"),
    Resource("invitee__is_invited_to__application", [
        ID(), CREATED(), F("invitee", "fk", required=True, fk="invitee", patch=False),
        F("is_invited_to__application", "fk", required=True, fk="application", patch=False),
        F("application_membership_role", "fk", fk="application_membership_role", on_delete="RESTRICT"),
        F("message", "text"), F("is_created_by__user", "fk", fk="user", post=False, patch=False,
                                on_delete="SET NULL")],
        synonyms=("application_invite",),
        uniques=((("invitee", "is_invited_to__application"),
                  '"invitee" and "is_invited_to__application" must be unique.'),),
        app_expr="{t}.is_invited_to__application"),
    Resource("release", [
        ID(), CREATED(),
        F("belongs_to__application", "fk", required=True, fk="application", patch=False),
        F("commit", "short", required=True), F("composition", "json", required=True),
        F("status", "short", required=True,
          check="\"status\" IN ('running','success','failed','error','cancelled','interrupted')"),
        F("source", "short", required=True, check="\"source\" IN ('cloud','local')"),
        F("start_timestamp", "date", required=True), F("end_timestamp", "date"),
        F("update_timestamp", "date", post=False, patch=False),
        F("build_log", "text"), F("is_invalidated", "bool", required=True, default=False),
        F("invalidation_reason", "short"), F("is_passing_tests", "bool", required=True, default=True),
        F("release_version", "short"), F("contract", "json"),
        F("phase", "short", check="\"phase\" IS NULL OR \"phase\" IN ('next','current','sunset','end-of-life')"),
        F("known_issue_list", "text"), F("note", "text"),
        F("variant", "short", required=True, default="", patch=False),
        F("semver_major", "int", required=True, post=False, patch=False, default=0),
        F("semver_minor", "int", required=True, post=False, patch=False, default=0),
        F("semver_patch", "int", required=True, post=False, patch=False, default=0),
        F("semver_prerelease", "short", required=True, post=False, patch=False, default=""),
        F("semver_build", "short", required=True, post=False, patch=False, default=""),
        F("revision", "int", post=False, patch=False),
        F("is_finalized_at__date", "date", post=False, patch=False),
        F("is_final", "bool", expr="({t}.revision IS NOT NULL)", input=True),
        F("semver", "short"),  # stored; parsed into semver_* by the versioning hook
        F("raw_version", "short", post=False, patch=False),
        F("version", "json", post=False, patch=False)],
        navs={
            "release_tag": Nav("release_tag", "{c}.release = {p}.id"),
            "contains__image": Nav("image__is_part_of__release", "{c}.is_part_of__release = {p}.id"),
            "image__is_part_of__release": Nav("image__is_part_of__release", "{c}.is_part_of__release = {p}.id"),
            "release_image": Nav("image__is_part_of__release", "{c}.is_part_of__release = {p}.id"),
            "should_be_running_on__application": Nav("application", "{c}.should_be_running__release = {p}.id"),
            "should_be_running_on__device": Nav(
                "device", "COALESCE({c}.is_pinned_on__release, (SELECT a.should_be_running__release FROM "
                          "application a WHERE a.id = {c}.belongs_to__application)) = {p}.id"),
            "is_pinned_to__device": Nav("device", "{c}.is_pinned_on__release = {p}.id"),
            "is_running_on__device": Nav("device", "{c}.is_running__release = {p}.id"),
        },
        indexes=(("belongs_to__application", "commit"), ("belongs_to__application", "semver_major",
                                                          "semver_minor", "semver_patch")),
        app_expr="{t}.belongs_to__application", guest=True),
    Resource("service", [
        ID(), CREATED(), F("application", "fk", required=True, fk="application", patch=False),
        F("service_name", "short", required=True)],
        navs={"service_environment_variable": Nav("service_environment_variable", "{c}.service = {p}.id"),
              "service_install": Nav("service_install", "{c}.installs__service = {p}.id"),
              "is_installed_on__device": Nav("service_install", "{c}.installs__service = {p}.id"),
              "is_built_by__image": Nav("image", "{c}.is_a_build_of__service = {p}.id")},
        synonyms=("application__has__service_name",),
        alt_keys=(("application", "service_name"),),
        uniques=((("application", "service_name"), '"application" and "service_name" must be unique.'),),
        app_expr="{t}.application", guest=True),
    Resource("image", [
        ID(), CREATED(), F("start_timestamp", "date", required=True), F("end_timestamp", "date"),
        F("dockerfile", "text"), F("is_a_build_of__service", "fk", required=True, fk="service"),
        F("image_size", "bigint"),
        F("is_stored_at__image_location", "short", required=True, patch=False),  # set by the POST hook
        F("project_type", "short"), F("error_message", "text"), F("build_log", "text"),
        F("push_timestamp", "date"),
        F("status", "short", required=True,
          check="\"status\" IN ('running','success','failed','error','cancelled','interrupted')"),
        F("content_hash", "short"), F("contract", "json")],
        navs={"is_part_of__release": Nav("image__is_part_of__release", "{c}.image = {p}.id"),
              "image__is_part_of__release": Nav("image__is_part_of__release", "{c}.image = {p}.id"),
              "release_image": Nav("image__is_part_of__release", "{c}.image = {p}.id")},
        uniques=((("is_stored_at__image_location",), '"is_stored_at__image_location" must be unique.'),),
        app_expr=_app_via("service", "is_a_build_of__service", "application"), guest=True),
    Resource("image__is_part_of__release", [
        ID(), CREATED(), F("image", "fk", required=True, fk="image", patch=False),
        F("is_part_of__release", "fk", required=True, fk="release", patch=False)],
        navs={"release": Nav("release", "{c}.id = {p}.is_part_of__release", to_one=True),
              "contains__image": Nav("image", "{c}.id = {p}.image", to_one=True)},
        synonyms=("release_image",),
        uniques=((("image", "is_part_of__release"), '"image" and "is_part_of__release" must be unique.'),),
        indexes=(("is_part_of__release",),),
        app_expr=_app_via("release", "is_part_of__release", "belongs_to__application"), guest=True),
    Resource("device", [
        ID(), CREATED(), F("actor", "fk", required=True, fk="actor", post=False, patch=False),
        F("api_heartbeat_state", "short", required=True, post=False, patch=False, default="unknown",
          check="\"api_heartbeat_state\" IN ('online','offline','timeout','unknown')"),
        F("changed_api_heartbeat_state_on__date", "date", post=False, patch=False),
        F("uuid", "short", required=True, patch=False), F("local_id", "short"),
        F("device_name", "short", required=True), F("note", "text"),
        F("is_of__device_type", "fk", required=True, fk="device_type", on_delete="RESTRICT"),
        F("belongs_to__application", "fk", fk="application"),
        F("is_online", "bool", required=True, post=False, patch=False, default=False),
        F("last_connectivity_event", "date"), F("is_connected_to_vpn", "bool", required=True, default=False),
        F("last_vpn_event", "date"), F("is_locked_until__date", "date"), F("public_address", "short"),
        F("ip_address", "text"), F("mac_address", "text"),
        F("memory_usage", "int"), F("memory_total", "int"), F("storage_block_device", "short"),
        F("storage_usage", "int"), F("storage_total", "int"), F("cpu_usage", "int"), F("cpu_temp", "int"),
        F("is_undervolted", "bool", required=True, default=False), F("cpu_id", "short"),
        F("is_running__release", "fk", fk="release", on_delete="SET NULL"),
        F("download_progress", "int"), F("status", "short"), F("os_version", "short"),
        F("os_variant", "short", check="\"os_variant\" IS NULL OR \"os_variant\" IN ('prod','dev')"),
        F("supervisor_version", "short"), F("provisioning_progress", "int"), F("provisioning_state", "short"),
        F("api_port", "int"), F("api_secret", "short"),
        F("is_managed_by__service_instance", "fk", post=False, patch=False),  # service instances: not modelled
        F("is_pinned_on__release", "fk", fk="release", on_delete="SET NULL"),
        F("should_be_running__release", "fk", fk="release", post=False, patch=False,
          expr="COALESCE({t}.is_pinned_on__release, (SELECT a.should_be_running__release FROM application a "
               "WHERE a.id = {t}.belongs_to__application))"),
        F("should_be_operated_by__release", "fk", fk="release", on_delete="SET NULL"),
        F("should_be_managed_by__release", "fk", fk="release", on_delete="SET NULL"),
        F("update_status", "short", check="\"update_status\" IS NULL OR \"update_status\" IN ('rejected',"
                                         "'downloading','downloaded','applying changes','aborted','done')"),
        F("last_update_status_event", "date"),
        # open-balena has no public device URLs and no freezing; it shows both as a constant false
        F("is_web_accessible", "bool", expr="0"), F("is_frozen", "bool", expr="0"),
        F("overall_status", "short", expr=_OVERALL_STATUS), F("overall_progress", "int", expr=_OVERALL_PROGRESS)],
        navs={
            "device_environment_variable": Nav("device_environment_variable", "{c}.device = {p}.id"),
            "device_config_variable": Nav("device_config_variable", "{c}.device = {p}.id"),
            "device_tag": Nav("device_tag", "{c}.device = {p}.id"),
            "service_install": Nav("service_install", "{c}.device = {p}.id"),
        },
        alt_keys=(("uuid",),), uniques=((("uuid",), '"uuid" must be unique.'),),
        indexes=(("belongs_to__application",), ("is_pinned_on__release",), ("is_of__device_type",)),
        app_expr="{t}.belongs_to__application"),
    Resource("service_install", [
        ID(), CREATED(), F("device", "fk", required=True, fk="device", patch=False),
        F("installs__service", "fk", required=True, fk="service", patch=False)],
        navs={"service": Nav("service", "{c}.id = {p}.installs__service", to_one=True),
              "device_service_environment_variable": Nav("device_service_environment_variable",
                                                         "{c}.service_install = {p}.id")},
        synonyms=("device__installs__service", "device__installs__application__has__service_name"),
        uniques=((("device", "installs__service"), '"device" and "installs__service" must be unique.'),),
        indexes=(("installs__service",),),
        app_expr=_DEVICE_APP),
    _var("application_environment_variable", "application", "application",
         "application environment variable", app_expr="{t}.application"),
    _var("application_config_variable", "application", "application", "application config variable",
         app_expr="{t}.application"),
    _var("build_environment_variable", "application", "application", "build environment variable",
         app_expr="{t}.application"),
    _var("service_environment_variable", "service", "service", "service environment variable",
         app_expr=_app_via("service", "service", "application")),
    _var("device_environment_variable", "device", "device", "device environment variable",
         app_expr=_DEVICE_APP),
    _var("device_config_variable", "device", "device", "device config variable", app_expr=_DEVICE_APP),
    _var("device_service_environment_variable", "service_install", "service_install",
         "device service environment variable",
         synonyms=("device__installs__application__has__service_name__has__name",
                   "device__installs__service__has__name"),
         unique_msg='"device" and "service" and "name" must be unique.',
         app_expr="(SELECT d.belongs_to__application FROM service_install si JOIN device d ON d.id = si.device "
                  "WHERE si.id = {t}.service_install)"),
    _tag("application_tag", "application", "application tag", "{t}.application"),
    _tag("device_tag", "device", "device tag", _DEVICE_APP),
    _tag("release_tag", "release", "release tag", _app_via("release", "release", "belongs_to__application")),
    Resource("api_key", [
        ID(), CREATED(), F("key", "short", required=True, hidden=True, post=False, patch=False),
        F("is_of__actor", "fk", required=True, fk="actor", post=False, patch=False),
        F("name", "short"), F("description", "text"), F("expiry_date", "date")],
        uniques=((("key",), '"key" must be unique.'),), indexes=(("is_of__actor",),), access="self_keys"),
    Resource("user__has__public_key", [
        ID(), CREATED(), F("user", "fk", required=True, fk="user", patch=False),
        F("public_key", "text", required=True), F("title", "short", required=True)],
        synonyms=("user_public_key",),
        alt_keys=(("user", "public_key"),),
        uniques=((("user", "public_key"), '"user" and "public_key" must be unique.'),),
        access="self_pubkeys"),
]

BY_NAME: dict[str, Resource] = {}
for _r in RESOURCES:
    BY_NAME[_r.name] = _r
    for _s in _r.synonyms:
        BY_NAME[_s] = _r

# Read aliases pine accepts for FK navigations.
BY_NAME["organization_membership"].navs["organization"] = Nav(
    "organization", "{c}.id = {p}.is_member_of__organization", to_one=True)
BY_NAME["organization_membership"].navs["includes__user"] = Nav("user", '{c}.id = {p}."user"', to_one=True)
BY_NAME["organization"].navs["is_of__application"] = BY_NAME["organization"].navs["application"]
BY_NAME["organization_membership"].field_aliases.update(organization="is_member_of__organization",
                                                         includes__user="user")
BY_NAME["user__is_member_of__application"].field_aliases.update(application="is_member_of__application",
                                                                  includes__user="user")
BY_NAME["service_install"].field_aliases.update(service="installs__service")
BY_NAME["image__is_part_of__release"].field_aliases.update(release="is_part_of__release", contains__image="image")


# Real v7 resources the sandbox does not model: answered 501 naming them, never a misleading 401.
UNIMPLEMENTED_RESOURCES = frozenset({
    "image_install", "image_environment_variable",
    "image_label", "image_size", "release_asset", "service_label", "device_family", "device_manufacturer",
    "device_history", "team", "team_membership", "team_application_access", "organization_membership_tag",
    "service_instance", "supervisor_release", "user_profile", "social_service_account", "recovery_two_factor",
    "billing_plan", "plan", "device__has__env_var_name", "application__has__env_var_name",
    "organization__has_private_access_to__device_type",
})


# The API's date format, computed by SQLite (``%f`` is seconds with milliseconds).
SQL_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def ddl() -> list[str]:
    """CREATE TABLE / INDEX / TRIGGER statements: FKs, CHECKs and UNIQUE indexes live in the database."""
    stmts = []
    for r in RESOURCES:
        cols = []
        for f in r.fields:
            if f.expr:
                continue
            if f.type == "serial":
                cols.append('"id" INTEGER PRIMARY KEY AUTOINCREMENT')
                continue
            sqltype = {"int": "INTEGER", "bigint": "INTEGER", "fk": "INTEGER", "bool": "INTEGER"}.get(f.type, "TEXT")
            col = f"{q(f.name)} {sqltype}"
            if f.name in ("created_at", "modified_at"):
                col += f" NOT NULL DEFAULT ({SQL_NOW})"
            if f.required:
                col += " NOT NULL"
            if f.check:
                col += f" CHECK ({f.check})"
            if f.fk:
                col += f" REFERENCES {q(f.fk)}(id) ON DELETE {f.on_delete}"
            cols.append(col)
        stmts.append(f"CREATE TABLE IF NOT EXISTS {q(r.name)} ({', '.join(cols)})")
        # pine's PostgreSQL trigger, in SQLite terms: any UPDATE that does not set modified_at itself moves it
        stmts.append(f"CREATE TRIGGER IF NOT EXISTS {q(r.name + '_modified_at')} AFTER UPDATE ON {q(r.name)} "
                     f"FOR EACH ROW WHEN NEW.modified_at IS OLD.modified_at BEGIN UPDATE {q(r.name)} "
                     f"SET modified_at = {SQL_NOW} WHERE id = NEW.id; END")
        for cols_, _msg in r.uniques:
            stmts.append(f"CREATE UNIQUE INDEX IF NOT EXISTS {q(r.name + '_' + '_'.join(cols_) + '_key')} "
                         f"ON {q(r.name)} ({', '.join(q(c) for c in cols_)})")
        indexed = {c[0] for c, _ in r.uniques}
        for f in r.fields:
            if f.fk and not f.expr and f.name not in indexed:
                stmts.append(f"CREATE INDEX IF NOT EXISTS {q(r.name + '_' + f.name + '_idx')} "
                             f"ON {q(r.name)} ({q(f.name)})")
        for cols_ in r.indexes:
            stmts.append(f"CREATE INDEX IF NOT EXISTS {q(r.name + '_' + '_'.join(cols_) + '_idx')} "
                         f"ON {q(r.name)} ({', '.join(q(c) for c in cols_)})")
    stmts.append('CREATE TABLE IF NOT EXISTS "_sandbox_meta" ("k" TEXT PRIMARY KEY, "v" TEXT)')
    # sessions the sandbox issued; auth_time (epoch ms) is when the session was authenticated
    stmts.append('CREATE TABLE IF NOT EXISTS "_sandbox_session" ("token" TEXT PRIMARY KEY, '
                 '"user" INTEGER NOT NULL REFERENCES "user"(id) ON DELETE CASCADE, "auth_time" INTEGER NOT NULL)')
    return stmts


def fingerprint() -> str:
    """Identifies the table layout, so a state file written by another sandbox version is refused clearly."""
    return hashlib.sha256("\n".join(ddl()).encode()).hexdigest()[:16]
