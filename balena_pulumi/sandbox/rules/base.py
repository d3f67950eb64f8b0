"""What a family of rules declares, and the registry that holds one entry per resource.

A family module (``rules/fleets.py``, ``rules/variables.py``, ...) defines ``FAMILY`` (its name) and
``RULES``: ``{resource name: ResourceRules(...)}``. ``rules/__init__.py`` registers every family
explicitly; the store asks ``REGISTRY.get(resource)`` and calls the hooks in pine's order:

- POST: ``raw_post`` (raw body, before coercion) -> coercion -> ``before_post`` -> INSERT -> ``after_post``
- PATCH: coercion -> ``validate_patch`` (value-only checks, run even when nothing matches) -> the matching
  ids -> ``before_patch`` -> UPDATE -> ``after_patch``
- DELETE: ``validate_delete`` -> the matching ids (``nothing_deleted`` when none) -> ``before_delete`` ->
  DELETE -> ``after_delete``

Every hook runs inside the request's one transaction, on a ``Ctx``; rules never import the store (it
imports them), so they reach the database only through the context they are given.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..errors import ApiError


class Ctx:
    """The open transaction (``store``, ``conn``) and the caller (``auth``) a hook works with."""

    def __init__(self, store, auth):
        self.store, self.auth = store, auth
        self.conn = store.conn

    def one(self, sql, params=()):
        return self.store.one(sql, params)

    def row(self, table, row_id):
        return self.store.row(table, row_id)

    def exists(self, sql, params=()) -> bool:
        return self.conn.execute(sql, params).fetchone() is not None


def _skip(*_args):
    return None


@dataclass(frozen=True)
class ResourceRules:
    raw_post: object = _skip  # (ctx, body)
    before_post: object = _skip  # (ctx, values, body)
    after_post: object = _skip  # (ctx, new_id, values)
    validate_patch: object = _skip  # (ctx, values, body)
    before_patch: object = _skip  # (ctx, ids, values, body)
    after_patch: object = _skip  # (ctx, ids, values)
    validate_delete: object = _skip  # (ctx,)
    nothing_deleted: object = _skip  # (ctx, key): a DELETE that matched no row
    before_delete: object = _skip  # (ctx, ids)
    after_delete: object = _skip  # (ctx, ids)
    # body keys the rules resolve themselves (an invitee posted as an email); coercion skips them
    pseudo_fields: frozenset = field(default_factory=frozenset)

    def hooks(self) -> list[str]:
        """The names of the hooks this entry sets (for docs and tests)."""
        return [f.name for f in fields(self) if f.name != "pseudo_fields" and getattr(self, f.name) is not _skip]


NO_RULES = ResourceRules()


class Registry:
    """One ``ResourceRules`` per resource, each owned by exactly one family."""

    def __init__(self, known_resources):
        self._known = frozenset(known_resources)
        self._rules: dict[str, ResourceRules] = {}
        self._family: dict[str, str] = {}

    def add(self, family: str, rules: dict[str, ResourceRules]) -> None:
        for name, entry in rules.items():
            if name not in self._known:
                raise ValueError(f"rules family {family!r} names {name!r}, which is not a sandbox resource")
            if name in self._rules:
                raise ValueError(f"resource {name!r} has rules in both {self._family[name]!r} and {family!r}")
            if not isinstance(entry, ResourceRules):
                raise TypeError(f"rules family {family!r}: the entry for {name!r} is not a ResourceRules")
            self._rules[name] = entry
            self._family[name] = family

    def get(self, name: str) -> ResourceRules:
        return self._rules.get(name, NO_RULES)

    def family_of(self, name: str) -> str | None:
        return self._family.get(name)

    def families(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, fam in self._family.items():
            out.setdefault(fam, []).append(name)
        return out


# ---------------------------------------------------------------------------------------------
# Length rules: the two sentence shapes pine answers with (rule sentences from the SBVR model, and the
# field-size hooks' sentences, which are built the same way)


def _article(words: str) -> str:
    return "an" if words[:1] in "aeiou" else "a"


def length_rule(words, field_words, max_len, min_len=None, nullable=False) -> str:
    cond = f"is less than or equal to {max_len}"
    if min_len is not None:
        cond = f"is greater than {min_len - 1} and {cond}" if min_len == 1 else \
            f"is greater than or equal to {min_len} and {cond}"
    a = _article(field_words)
    if nullable:
        return (f"It is necessary that each {words} that has {a} {field_words}, has {a} {field_words} that has a "
                f"Length (Type) that {cond}.")
    return f"It is necessary that each {words} has {a} {field_words} that has a Length (Type) that {cond}."


def text_length_rule(words, field_words, max_len, nullable=False) -> str:
    """The sentence for a JSON field whose text form is limited ("is represented by a Text (Type)")."""
    a = _article(field_words)
    head = f"each {words} that has {a} {field_words}, has {a} {field_words}" if nullable else \
        f"each {words} has {a} {field_words}"
    return (f"It is necessary that {head} that is represented by a Text (Type) that has a Length (Type) that is "
            f"less than or equal to {max_len}.")


def check_len(v, words, field_words, max_len, min_len=None, nullable=False) -> None:
    if v is None:
        return
    if len(v) > max_len or (min_len is not None and len(v) < min_len):
        raise ApiError(400, length_rule(words, field_words, max_len, min_len, nullable))


def check_lengths(values: dict, words: str, limits: dict) -> None:
    """``limits``: ``{field: (max, nullable)}``; field words are the field name with spaces."""
    for name, (max_len, nullable) in limits.items():
        v = values.get(name)
        if isinstance(v, str) and len(v) > max_len:
            raise ApiError(400, length_rule(words, name.replace("_", " "), max_len, nullable=nullable))


def drop_orphan_actors(ctx) -> None:
    """An actor goes with its fleet or device, and its API keys (provisioning, device keys) with it."""
    ctx.conn.execute('DELETE FROM actor WHERE id NOT IN (SELECT actor FROM application UNION SELECT actor FROM '
                     'device UNION SELECT actor FROM "user")')
