"""Rules of ``device`` (reference section 5.6): name and uuid checks, generated names, the pin rule, moving
between fleets (pin cleared, installs rebuilt), the base model's length rules, and the service installs
of the release a device should run (see ``installs``).
"""

from __future__ import annotations

import re
import secrets
import uuid as _uuid

from ..access import access_filter
from ..errors import ApiError
from ..schema import BY_NAME
from . import installs
from .base import ResourceRules, check_lengths, drop_orphan_actors
from .releases import check_device_pin

FAMILY = "devices"

_DEVICE_UUID = re.compile(r"^[a-f0-9]{32}([a-f0-9]{30})?$")
_ADJ = ["autumn", "hidden", "bitter", "misty", "silent", "empty", "dry", "dark", "summer", "icy", "delicate",
        "quiet", "white", "cool", "spring", "winter", "patient", "twilight", "dawn", "crimson", "wispy",
        "weathered", "blue", "billowing", "broken", "cold", "damp", "falling", "frosty", "green", "long"]
_NOUN = ["waterfall", "river", "breeze", "moon", "rain", "wind", "sea", "morning", "snow", "lake", "sunset",
         "pine", "shadow", "leaf", "dawn", "glitter", "forest", "hill", "cloud", "meadow", "sun", "glade",
         "bird", "brook", "butterfly", "bush", "dew", "dust", "field", "fire", "flower"]
# the base model's length rules (balena.sbvr): field -> (max, nullable)
_LIMITS = {"note": (1_000_000, True), "public_address": (50, True), "ip_address": (2000, True),
           "mac_address": (900, True), "status": (50, True), "os_version": (70, True),
           "supervisor_version": (20, True), "api_secret": (64, True)}


def haiku_name() -> str:
    return f"{secrets.choice(_ADJ)}-{secrets.choice(_NOUN)}"


def _check_name(v):
    if v is not None and re.search(r"\r|\n", v):
        raise ApiError(400, "Device name cannot contain any newline characters.")


def raw_post(ctx, body):
    """pine runs these on the raw body, so their message wins over the type coercion's."""
    if body.get("device_name") is not None and not isinstance(body["device_name"], str):
        raise ApiError(400, "Device name must be a string if provided.")
    if body.get("uuid") is not None and not isinstance(body["uuid"], str):
        raise ApiError(400, "Device UUID must be a string if provided.")


def before_post(ctx, values, body):
    _check_name(values.get("device_name"))
    if not values.get("device_name"):
        values["device_name"] = haiku_name()
    u = values.get("uuid")
    if u is None or u == "":
        values["uuid"] = _uuid.uuid4().hex
    elif not _DEVICE_UUID.match(u):
        raise ApiError(400, "Device UUID must be a 32 or 62 character long lower case hex string.")
    check_lengths(values, "device", _LIMITS)
    if values.get("is_pinned_on__release") is not None:
        check_device_pin(ctx, values["is_pinned_on__release"], values.get("belongs_to__application"))
    values["actor"] = ctx.store.new_actor()


def after_post(ctx, new_id, values):
    installs.device_registered(ctx, new_id, values)


def validate_patch(ctx, values, body):
    _check_name(values.get("device_name"))
    check_lengths(values, "device", _LIMITS)


def before_patch(ctx, ids, values, body):
    moving = values.get("belongs_to__application") is not None
    if moving:
        where = access_filter(BY_NAME["application"], ctx.auth, "t0", write=True)
        if not ctx.exists(f"SELECT 1 FROM application t0 WHERE t0.id = ? AND {where}",
                          (values["belongs_to__application"],)):
            raise ApiError(404, "Application doesn't exist or you have no access to it.")
        if "is_pinned_on__release" not in body:
            values["is_pinned_on__release"] = None  # moving clears the pin
    if values.get("is_pinned_on__release") is not None:
        for did in ids:
            dev = ctx.row("device", did)
            app_id = values["belongs_to__application"] if moving else dev["belongs_to__application"]
            check_device_pin(ctx, values["is_pinned_on__release"], app_id)
    if moving:
        installs.devices_leaving_fleet(ctx, ids, values["belongs_to__application"])


def after_patch(ctx, ids, values):
    if values.get("belongs_to__application") is not None:
        # the new fleet's target covers a move; a pin set in the same PATCH is not looked at (as open-balena)
        installs.devices_moved(ctx, ids, values["belongs_to__application"])
    elif "is_pinned_on__release" in values:
        installs.devices_pinned(ctx, ids, values["is_pinned_on__release"])


def after_delete(ctx, ids):
    drop_orphan_actors(ctx)


RULES = {
    "device": ResourceRules(raw_post=raw_post, before_post=before_post, after_post=after_post,
                            validate_patch=validate_patch, before_patch=before_patch, after_patch=after_patch,
                            after_delete=after_delete),
}
