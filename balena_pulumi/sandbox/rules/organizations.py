"""Rules of ``organization`` (reference section 5.1): name and handle checks, slug recomputation, the
creator's administrator membership, and the delete guard.
"""

from __future__ import annotations

import re

from ..errors import ApiError
from .base import ResourceRules, length_rule
from .fleets import recompute_slugs

FAMILY = "organizations"

_HANDLE_BAD = re.compile(r"[^\w]", re.ASCII)
# The base model's rules (checked after the field-size hooks, which cap both fields at 100)
NAME_RULE = ("It is necessary that each name (Auth) of an organization, has a Length (Type) that is greater than 0 "
             "and is less than or equal to 220.")
HANDLE_RULE = ("It is necessary that each handle of an organization, has a Length (Type) that is greater than 0 "
               "and is less than or equal to 220.")


def normalize_handle(name: str) -> str:
    return re.sub(r"\W+", "_", name, flags=re.ASCII).lower()


def _check(values):
    name = values.get("name")
    if name is not None:
        if len(name) > 100:
            raise ApiError(400, length_rule("organization", "name", 100))
        if not name:
            raise ApiError(400, NAME_RULE)
    h = values.get("handle")
    if h is not None:
        if len(h) > 100:
            raise ApiError(400, length_rule("organization", "handle", 100))
        if _HANDLE_BAD.search(h):
            raise ApiError(400, "Handles can only contain alphanumeric characters and underscores")
        if h != h.lower():
            raise ApiError(400, "Handles must be lowercase")
        if not h:
            raise ApiError(400, HANDLE_RULE)


def before_post(ctx, values, body):
    if values.get("handle") is None and isinstance(values.get("name"), str):
        values["handle"] = normalize_handle(values["name"])  # [INFERRED] the cloud derives it from the name
    _check(values)


def after_post(ctx, new_id, values):
    if ctx.auth.user_id is not None:
        role = ctx.one("SELECT id FROM organization_membership_role WHERE name = 'administrator'")
        ctx.store.raw_insert("organization_membership", {
            "user": ctx.auth.user_id, "is_member_of__organization": new_id,
            "organization_membership_role": role["id"], "effective_seat_role": "administrator"})


def validate_patch(ctx, values, body):
    _check(values)


def after_patch(ctx, ids, values):
    if "handle" in values:
        for oid in ids:
            recompute_slugs(ctx, "organization = ?", [oid])


def before_delete(ctx, ids):
    marks = ",".join("?" * len(ids))
    if ctx.exists(f"SELECT 1 FROM application WHERE organization IN ({marks}) LIMIT 1", ids):
        raise ApiError(409, "Data is referenced by application.")


RULES = {
    "organization": ResourceRules(before_post=before_post, after_post=after_post, validate_patch=validate_patch,
                                  after_patch=after_patch, before_delete=before_delete),
}
