"""What a 401 or 403 from the balena API means, in words a user can act on.

The API says very little when it refuses: most refusals are ``401`` with an empty body, and the same
``401`` stands for "no or bad credentials", "this login may not do that" and "the parent you named does
not exist or is hidden from you". The request itself says more: the method, the resource, and which
kind of credential the client sent (a session token or an API key). :func:`explain` turns those into
one sentence naming what was refused and the likely cause.

The rules written here are the API's documented permission model (open-balena, with the balenaCloud
differences where they matter): a user API key may read organizations, their memberships and users but
not change them; only a session may create user API keys, and only a fresh one; API keys are changed or
deleted by their owner's session; provisioning keys need write access to the fleet; SSH keys belong to
their user.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

__all__ = ["explain", "resource_of", "FRESH_LOGIN_MESSAGE", "is_fresh_login_refusal"]

# The body of the 401 the API sends when a session token is too old for the operation (creating a
# user API key wants a login from the last 20 minutes).
FRESH_LOGIN_MESSAGE = "Fresh authentication token required"

# Resource -> what a user calls it.
NOUNS = {
    "application": "fleet",
    "application_environment_variable": "fleet environment variable",
    "application_config_variable": "fleet configuration variable",
    "build_environment_variable": "fleet build variable",
    "service_environment_variable": "service environment variable",
    "device_environment_variable": "device environment variable",
    "device_config_variable": "device configuration variable",
    "device_service_environment_variable": "device service environment variable",
    "application_tag": "fleet tag",
    "device_tag": "device tag",
    "release_tag": "release tag",
    "organization": "organization",
    "organization_membership": "organization membership",
    "user__is_member_of__application": "fleet membership",
    "user_application_membership": "fleet membership",
    "invitee__is_invited_to__application": "fleet invite",
    "application_invite": "fleet invite",
    "invitee__is_invited_to__organization": "organization invite",
    "organization_invite": "organization invite",
    "api_key": "API key",
    "user__has__public_key": "SSH key",
    "user": "user",
    "device": "device",
    "release": "release",
    "service": "service",
    "service_install": "service install",
    "device_type": "device type",
    "application_membership_role": "fleet role",
    "organization_membership_role": "organization role",
}

# The parent an object's body or key names; a write that names a missing or hidden parent is a 401 too.
PARENTS = {
    "application": "organization",
    "application_environment_variable": "fleet",
    "application_config_variable": "fleet",
    "build_environment_variable": "fleet",
    "application_tag": "fleet",
    "service": "fleet",
    "release": "fleet",
    "device": "fleet",
    "service_environment_variable": "service",
    "device_environment_variable": "device",
    "device_config_variable": "device",
    "device_tag": "device",
    "service_install": "device",
    "device_service_environment_variable": "device and service",
    "release_tag": "release",
}

# Resources a user API key may read but never change.
_KEY_READ_ONLY = {"organization", "organization_membership", "user"}

_ENTITY = re.compile(r"^/v\d+/([A-Za-z_]+)(\(.*\))?$")
_PROVISIONING = re.compile(r"^/api-key/application/([^/]+)/provisioning$")
_DEVICE_KEY = re.compile(r"^/api-key/device/([^/]+)/device-key$")

_VERBS = {"POST": "create", "PATCH": "change", "PUT": "replace", "DELETE": "delete", "GET": "read"}


def resource_of(path: str) -> tuple[str | None, str | None]:
    """The OData resource a path addresses and the key it names: ``("application", "5")``, or
    ``("application", "slug='acme/prod'")``; the key is None for a collection."""
    match = _ENTITY.match(unquote(urlsplit(path).path))
    if not match:
        return None, None
    key = match.group(2)
    return match.group(1), (key[1:-1] if key else None)


def _target(method: str, noun: str, key: str | None) -> str:
    """``create a fleet tag``, ``change fleet 5``, ``delete fleet tags``, ``read organizations``."""
    verb = _VERBS.get(method, method.lower())
    if method == "POST":
        article = "an" if noun[:1].lower() in "aeiou" or noun.startswith("API") or noun.startswith("SSH") else "a"
        return f"{verb} {article} {noun}"
    if key is None:
        return f"{verb} {noun}s"
    plain = key.strip("'") if re.fullmatch(r"\d+|'[^'=,]*'", key) else None
    return f"{verb} {noun} {plain}" if plain else f"{verb} the {noun}"


def is_fresh_login_refusal(status: int, api_message: str | None) -> bool:
    return status == 401 and (api_message or "").strip().rstrip(".") == FRESH_LOGIN_MESSAGE


def _login(token_kind: str | None) -> str:
    return {
        "api_key": "this client's API key",
        "session": "this client's session",
    }.get(token_kind or "", "this login")


def explain(method: str, path: str, status: int, api_message: str | None, token_kind: str | None) -> str | None:
    """One sentence for a refusal (401 or 403), or None for any other status.

    ``token_kind`` is the credential the request carried: ``"session"``, ``"api_key"``, ``"none"`` (no
    token at all), or None when the caller does not know (then nothing is said about it).
    """
    if status not in (401, 403):
        return None
    method = method.upper()
    bare = urlsplit(path).path
    if is_fresh_login_refusal(status, api_message):
        return (
            "the API wants a recent login for this: the session token is older than it accepts "
            "(creating a user API key needs a login from the last 20 minutes); log in again and use the new token"
        )
    if token_kind == "none":
        return "the API refused a request sent without credentials: this client has no API token"
    if bare == "/api-key/user/full":
        if token_kind == "session":
            return (
                "the API refused to create a user API key: this session may not create tokens "
                "(a scoped or device token cannot; a user's own login can)"
            )
        return (
            "the API refused to create a user API key: only a user session (a token from logging in) may "
            "create user API keys, never an API key"
            + (", and this client is logged in with an API key" if token_kind == "api_key" else "")
        )
    match = _PROVISIONING.match(bare)
    if match:
        return (
            f"the API refused to create a provisioning key for fleet {match.group(1)}: that needs write access to "
            "the fleet, so the fleet does not exist, is not visible to this login, or the login's role in it "
            "may not create provisioning keys"
        )
    match = _DEVICE_KEY.match(bare)
    if match:
        return (
            f"the API refused to create a key for device {match.group(1)}: that needs write access to the device, "
            "so the device does not exist, is not visible to this login, or the login may not change it"
        )
    if bare in ("/actor/v1/whoami", "/user/v1/whoami"):
        return "the API does not accept this token: it is invalid, expired or revoked"
    resource, key = resource_of(bare)
    if resource is None:
        return f"the API refused {method} {bare}: {_login(token_kind)} may not do this, or its token is not valid"
    noun = NOUNS.get(resource, resource.replace("_", " "))
    verb = _VERBS.get(method, method.lower())
    what = _target(method, noun, key)

    if resource == "api_key":
        if method == "POST":
            return (
                "the API refused to create an API key through /v7/api_key: it refuses that to everyone; "
                "keys come only from the /api-key/... creation routes"
            )
        if method in ("PATCH", "DELETE"):
            tail = {
                "api_key": "; a user API key may not change or delete API keys",
                "session": ", and this session is not the key's owner or may not manage it",
            }.get(token_kind or "", "; a user API key never may")
            return f"the API refused to {what}: only the key owner's user session may {verb} API keys{tail}"
        if method == "GET":
            return (
                "the API refused to read API keys: reading the keys of a fleet needs a role in the fleet that may "
                "read them (a plain user login sees only its own keys)"
            )
    if resource == "organization" and method == "POST":
        if token_kind == "api_key":
            return (
                "the API refused to create an organization: only a user session may create organizations, never "
                "an API key, and this client is logged in with an API key"
            )
        if token_kind == "session":
            return (
                "the API refused to create an organization: this user may not create organizations on this API "
                "(open-balena lets no ordinary user create one; balenaCloud lets an account's users)"
            )
        return (
            "the API refused to create an organization: only a user session may create organizations, never an "
            "API key, and only on an API that lets users create them (open-balena lets no ordinary user)"
        )
    if resource in _KEY_READ_ONLY and method != "GET":
        owner = "an administrator of the organization" if resource != "user" else "the user themself"
        key_note = f"; a user API key may only read {noun}s" if token_kind == "api_key" else ""
        extra = "; new members join by accepting an invite" if resource == "organization_membership" and method == "POST" else ""
        return f"the API refused to {what}: that needs {owner}, logged in with a user session{key_note}{extra}"
    if resource in ("invitee__is_invited_to__organization", "organization_invite") and method != "GET":
        return f"the API refused to {what}: managing organization invites needs an administrator of the organization"
    if resource in (
        "invitee__is_invited_to__application",
        "application_invite",
        "user__is_member_of__application",
        "user_application_membership",
    ) and method != "GET":
        extra = "; a new member must already belong to the fleet's organization" if method == "POST" and "member" in resource else ""
        return (
            f"the API refused to {what}: managing who has access to a fleet needs a fleet or organization "
            f"administrator{extra}"
        )
    if resource == "user__has__public_key" and method != "GET":
        return f"the API refused to {what}: a user may manage only their own SSH keys"
    if method == "GET":
        return (
            f"the API refused to {what}: {_login(token_kind)} may not read them, or its token is invalid or "
            "expired (the API treats a bad token as no token)"
        )
    if status == 403:
        return f"the API refused to {what}: this login is forbidden to do it"
    # A refused write: balena answers 401 both when the login lacks the permission and when a parent the
    # body or key names (fleet, device, ...) does not exist or is hidden from it.
    parent = PARENTS.get(resource)
    if parent:
        return (
            f"the API refused to {what}: {_login(token_kind)} may not write {noun}s of that {parent}, or the "
            f"{parent} does not exist or is not visible to it (the API answers 401 for both)"
        )
    return f"the API refused to {what}: {_login(token_kind)} may not write {noun}s"
