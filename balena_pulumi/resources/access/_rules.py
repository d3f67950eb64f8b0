"""Rules the access kinds share: usernames, invitees, roles, and how a role id reads back as its name.

Validators raise ``ValueError`` with the rule in the message (the base turns them into one failure line
naming the field); nothing here talks to the API except through the callables it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ..fields import check_identifier, quote

USERNAME_RE = re.compile(r"^[a-z0-9_]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_USERNAME = 73
MAX_EMAIL = 254


def check_username(value: str) -> str:
    """A balena username, lower-cased (sign-up normalises usernames to ``[a-z0-9_]``, at most 73)."""
    check_identifier(value, max_length=MAX_USERNAME)
    text = value.strip().lower()
    if not USERNAME_RE.match(text):
        raise ValueError(
            f"must be a balena username (letters, digits and '_', at most {MAX_USERNAME} characters); got {quote(value)}"
        )
    return text


def check_invitee(value: str) -> str:
    """An email address (kept as written) or the username of an existing user (lower-cased)."""
    check_identifier(value, max_length=MAX_EMAIL)
    text = value.strip()
    if "@" in text:
        if not EMAIL_RE.match(text):
            raise ValueError(f"must be an email address or a balena username; got {quote(value)}")
        return text
    try:
        return check_username(text)
    except ValueError:
        raise ValueError(f"must be an email address or a balena username; got {quote(value)}") from None


def role_rule(allowed: Iterable[str]) -> Callable[[str], str]:
    allowed = tuple(allowed)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}; got {quote(value)}")
        return value

    return check


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
