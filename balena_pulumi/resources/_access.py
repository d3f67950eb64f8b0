"""Rules shared by the access kinds (organizations, memberships, invites, keys): names, roles, dates.

Private to ``balena_pulumi.resources``: validators raise ``ValueError`` with the rule in the message (the
base turns them into ``CheckFailure``s naming the field); nothing here talks to the API.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from .base import BalenaResourceError

HANDLE_RE = re.compile(r"^[a-z0-9_]+$")
USERNAME_RE = re.compile(r"^[a-z0-9_]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FLEET_SLUG_RE = re.compile(r"^[a-z0-9_]+/[a-z0-9_-]{4,100}$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_handle(value: str) -> str:
    """An organization handle: what the API accepts (only ``[a-z0-9_]``, 1..100 characters)."""
    if not HANDLE_RE.match(value or ""):
        raise ValueError(f"must be an organization handle: lower-case letters, digits and '_' only; got {value!r}")
    if len(value) > 100:
        raise ValueError(f"must be 1 to 100 characters long; got {len(value)}")
    return value


def check_username(value: str) -> str:
    """A balena username, lower-cased (sign-up normalises usernames to ``[a-z0-9_]``, at most 73)."""
    text = (value or "").strip().lower()
    if not USERNAME_RE.match(text) or len(text) > 73:
        raise ValueError(
            f"must be a balena username (letters, digits and '_', at most 73 characters); got {value!r}"
        )
    return text


def check_fleet_slug(value: str) -> str:
    """A fleet slug ``org_handle/app_name``, lower-cased as the API stores it."""
    text = (value or "").strip().lower()
    if not FLEET_SLUG_RE.match(text):
        raise ValueError(f"must be a fleet slug 'org_handle/fleet_name' (e.g. 'acme/production'); got {value!r}")
    return text


def check_invitee(value: str) -> str:
    """An email address (kept as written) or the username of an existing user (lower-cased)."""
    text = (value or "").strip()
    if "@" in text:
        if not EMAIL_RE.match(text):
            raise ValueError(f"must be an email address or a balena username; got {value!r}")
        return text
    try:
        return check_username(text)
    except ValueError:
        raise ValueError(f"must be an email address or a balena username; got {value!r}") from None


def check_role(value: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}; got {value!r}")
    return value


def check_length(value: str | None, low: int, high: int) -> str | None:
    if value is None:
        return None
    if not low <= len(value) <= high:
        raise ValueError(f"must be {low} to {high} characters long; got {len(value)}")
    return value


# -- expiry dates ----------------------------------------------------------------------------------


def parse_expiry(value: str) -> _dt.datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 datetime with a timezone, as an aware datetime."""
    text = (value or "").strip()
    if _DATE_ONLY.match(text):
        try:
            return _dt.datetime.fromisoformat(text).replace(tzinfo=_dt.timezone.utc)
        except ValueError:
            pass
    else:
        iso = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
        try:
            parsed = _dt.datetime.fromisoformat(iso)
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                raise ValueError(
                    f"must say its timezone (e.g. '2027-01-31T12:00:00Z' or a plain date '2027-01-31'); got {value!r}"
                )
            return parsed.astimezone(_dt.timezone.utc)
    raise ValueError(
        f"must be an ISO 8601 date or datetime, e.g. '2027-01-31' or '2027-01-31T12:00:00Z'; got {value!r}"
    )


def check_expiry(value: str | None) -> str | None:
    if value is not None:
        parse_expiry(value)
    return value


def expiry_wire(value: str | None) -> str | None:
    """The expiry as the API writes it back: UTC with milliseconds and ``Z``."""
    if value is None:
        return None
    return parse_expiry(value).strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"


def expiry_in_future(value: str | None, now: _dt.datetime | None = None) -> str | None:
    """A failure text when the expiry is not in the future, else None."""
    if value is None:
        return None
    now = now or _dt.datetime.now(_dt.timezone.utc)
    if parse_expiry(value) <= now:
        return f"must be in the future (it is {now.strftime('%Y-%m-%dT%H:%M:%SZ')} now); got {value!r}"
    return None


def same_instant(stored: str | None, server: _dt.datetime | None) -> bool:
    if stored is None or server is None:
        return stored is None and server is None
    try:
        return parse_expiry(stored) == server.astimezone(_dt.timezone.utc)
    except ValueError:
        return False


def same_expiry(old: Any, new: Any) -> bool:
    """Two expiry inputs naming one instant (``2027-12-31`` and ``2027-12-31T00:00:00.000Z``) are no change.

    An imported key's stored expiry is the API's timestamp while the program usually gives a date.
    """
    if not (isinstance(old, str) and isinstance(new, str)):
        return old == new
    try:
        return parse_expiry(old) == parse_expiry(new)
    except ValueError:
        return old == new


def server_expiry(value: _dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


# -- roles -----------------------------------------------------------------------------------------


def role_name(role_id: Any, stored_id: Any, stored_name: str | None, list_roles: Callable[[], list[Any]]) -> str | None:
    """The role name for ``role_id``: the stored name while the id is unchanged (no request), else a lookup."""
    if role_id is None:
        return None
    if stored_name is not None and stored_id is not None and int(stored_id) == int(role_id):
        return stored_name
    for role in list_roles():
        if role.id == int(role_id):
            return role.name
    return f"#{role_id}"


def split_import_id(id_: str, what: str) -> tuple[str, str]:
    """``PARENT:CHILD`` import ids; the parent may itself contain ``/`` (a fleet slug)."""
    parent, sep, child = id_.rpartition(":")
    if not sep or not parent or not child:
        raise BalenaResourceError(f"import id must be a numeric id or {what}; got {id_!r}")
    return parent, child
