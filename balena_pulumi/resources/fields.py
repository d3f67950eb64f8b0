"""How a kind declares its inputs: the text rules every input obeys, and what a change of each field does.

Every input field of every kind is declared with :func:`field`, which carries, next to the field, its
description (the docs), whether it may hold a secret, and what a change of it does (:class:`Change`):

* ``UPDATE``: updated in place;
* ``REPLACE``: the object is replaced;
* ``PARENT``: the field names a parent by natural key (see ``refs``): the same parent under a new name
  (a renamed fleet, a new organization handle) is an update, another parent replaces;
* ``RELEASE``: one of the three release selectors: another way of naming the same release is no change
  at all; another release is an update or a replacement, as the kind declares;
* ``JUDGED``: the kind decides from old and new values (e.g. a fleet's device type: same CPU
  architecture updates, another one replaces).

Whether a replacement deletes the old object first is declared once per kind
(``BalenaProvider.replacement``). ``docs/resources/*.md`` show a table generated from these declarations
(``balena_pulumi.resources.docgen``), and a test keeps them equal.

The text rules (:func:`check_text`, :func:`check_identifier`) hold for input the real API cannot
store: it keeps text in PostgreSQL columns, which refuse NUL bytes; names and keys also refuse control
characters here, because nothing that reads them (dashboards, shells, the supervisor) expects them.
Messages quote at most :data:`QUOTE_LIMIT` characters of a bad value and never quote a secret.
"""

from __future__ import annotations

import enum
import unicodedata
from typing import Any

from pydantic import Field

QUOTE_LIMIT = 80


class Change(str, enum.Enum):
    UPDATE = "update"
    REPLACE = "replace"
    PARENT = "parent"
    RELEASE = "release"
    JUDGED = "judged"


# What a change of a field does, in the words of the docs tables.
CHANGE_TEXT = {
    Change.UPDATE: "update in place",
    Change.REPLACE: "replace",
    Change.PARENT: "the same {parent} under a new name: update, no write; another {parent}: replace",
    Change.RELEASE: "the same release named another way: nothing; another release: {release}",
    Change.JUDGED: "see below",
}


def field(
    description: str,
    *,
    change: Change,
    default: Any = ...,
    secret: bool = False,
    docs_change: str | None = None,
) -> Any:
    """A pydantic ``Field`` that also records what a change does and whether the value may be secret."""
    extra: dict[str, Any] = {"change": change.value, "secret": secret}
    if docs_change:
        extra["docs_change"] = docs_change
    return Field(default, description=description, json_schema_extra=extra)


def change_of(model: type, name: str) -> Change:
    """The declared :class:`Change` of one field of an args model."""
    extra = model.model_fields[name].json_schema_extra or {}
    return Change(extra["change"])  # type: ignore[index]


def secret_fields(model: type) -> frozenset[str]:
    return frozenset(
        name for name, info in model.model_fields.items() if (info.json_schema_extra or {}).get("secret")  # type: ignore[union-attr]
    )


# -- quoting ------------------------------------------------------------------------------------------


def quote(value: Any) -> str:
    """A bad value as it may appear in a message: ``repr`` of at most 80 characters, then its length."""
    if not isinstance(value, str):
        return repr(value)
    if len(value) <= QUOTE_LIMIT:
        return repr(value)
    return f"{value[:QUOTE_LIMIT]!r}... ({len(value)} characters)"


# -- text rules ---------------------------------------------------------------------------------------


def _first_control(value: str) -> tuple[int, str] | None:
    for i, ch in enumerate(value):
        if unicodedata.category(ch) == "Cc":
            return i, ch
    return None


def nul_problem(value: str) -> str | None:
    index = value.find("\x00")
    if index < 0:
        return None
    return (
        f"must not contain NUL bytes (found one at position {index}); the API keeps text in PostgreSQL, "
        "which cannot store them"
    )


def check_text(value: str, *, max_length: int | None = None, min_length: int = 0) -> str:
    """Free text (values, descriptions, messages): no NUL byte, length within the API's limits.

    Never quotes the value: free text may be a secret.
    """
    problem = nul_problem(value)
    if problem:
        raise ValueError(problem)
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters long (got {len(value)})")
    if len(value) < min_length:
        raise ValueError(f"must be at least {min_length} character{'s' if min_length > 1 else ''} long (got {len(value)})")
    return value


def check_identifier(value: str, *, max_length: int | None = None, min_length: int = 1) -> str:
    """Names and keys: no NUL byte, no control character, within the API's length limits.

    Length is checked first, so a huge value is refused without scanning or quoting it whole.
    """
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters long (got {len(value)}): {quote(value)}")
    if len(value) < min_length:
        if value == "":
            raise ValueError("must not be empty")
        raise ValueError(f"must be at least {min_length} characters long (got {len(value)}): {quote(value)}")
    problem = nul_problem(value)
    if problem:
        raise ValueError(problem)
    control = _first_control(value)
    if control is not None:
        index, ch = control
        raise ValueError(
            f"must not contain control characters (found U+{ord(ch):04X} at position {index}): {quote(value)}"
        )
    return value
