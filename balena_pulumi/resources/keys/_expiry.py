"""Expiry dates of keys: what the program may write, what the API writes back, and when two are the same.

A program writes ``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 datetime with a timezone; the API stores and
returns a UTC timestamp with milliseconds. The two are the same input when they name the same instant, so
an imported key (whose stored expiry is the server's) is neither updated nor replaced.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

from ..base import BalenaProvider
from ..fields import quote

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
                    f"must say its timezone (e.g. '2027-01-31T12:00:00Z' or a plain date '2027-01-31'); got {quote(value)}"
                )
            return parsed.astimezone(_dt.timezone.utc)
    raise ValueError(
        f"must be an ISO 8601 date or datetime, e.g. '2027-01-31' or '2027-01-31T12:00:00Z'; got {quote(value)}"
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
        return f"must be in the future (it is {now.strftime('%Y-%m-%dT%H:%M:%SZ')} now); got {quote(value)}"
    return None


def same_instant(stored: str | None, server: _dt.datetime | None) -> bool:
    if stored is None or server is None:
        return stored is None and server is None
    try:
        return parse_expiry(stored) == server.astimezone(_dt.timezone.utc)
    except ValueError:
        return False


def same_expiry(old: Any, new: Any) -> bool:
    """Two expiry inputs naming one instant (``2027-12-31`` and ``2027-12-31T00:00:00.000Z``) are no change."""
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


def expiry_failure(inputs: Mapping[str, Any], olds: Mapping[str, Any]) -> list[str]:
    """A new or changed expiry must lie in the future; a stored one that has passed since is left alone."""
    expiry = inputs.get("expiry_date")
    if expiry is None or (olds and same_expiry(olds.get("expiry_date"), expiry)):
        return []
    problem = expiry_in_future(expiry)
    return [f"expiry_date: {problem}"] if problem else []


class ExpiringKeyProvider(BalenaProvider):
    """Keys with an ``expiry_date``: a date and the API's timestamp of the same instant are no change."""

    def equivalent(self, field: str, old: Any, new: Any, olds: Mapping[str, Any]) -> bool:
        if field == "expiry_date":
            return same_expiry(old, new)
        return old == new
