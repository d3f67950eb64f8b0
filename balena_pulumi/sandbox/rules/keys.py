"""Rules of API keys and SSH keys (reference sections 5.12 and 5.13): keys are made only by the
``/api-key/...`` routes, changed only with a session token, and both kinds have length limits.
"""

from __future__ import annotations

from ..errors import ApiError
from .base import ResourceRules, check_len

FAMILY = "keys"


def check_api_key_fields(values: dict) -> None:
    """The field-size hooks of ``api_key`` (also run by the key-creation routes)."""
    check_len(values.get("name"), "api key", "name", 50, nullable=True)
    check_len(values.get("description"), "api key", "description", 150, nullable=True)


def before_post_api_key(ctx, values, body):
    raise ApiError(401)  # keys come only from the /api-key/... routes


def validate_patch_api_key(ctx, values, body):
    if ctx.auth.kind != "session":
        raise ApiError(401)
    check_api_key_fields(values)


def validate_delete_api_key(ctx):
    if ctx.auth.kind != "session":
        raise ApiError(401)


def _check_public_key(values):
    # the base model names the resource "user public key" in these two rules
    check_len(values.get("title"), "user public key", "title", 120)
    check_len(values.get("public_key"), "user public key", "public key", 2850)


def check_public_key(ctx, values, body):
    _check_public_key(values)


RULES = {
    "api_key": ResourceRules(before_post=before_post_api_key, validate_patch=validate_patch_api_key,
                             validate_delete=validate_delete_api_key),
    "user__has__public_key": ResourceRules(before_post=check_public_key, validate_patch=check_public_key),
}
