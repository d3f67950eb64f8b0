"""The one place that writes OData (pine) syntax for the balena API v7.

Everything that ends up in a URL goes through here: literals, entity keys, ``$filter`` expressions and
query options. Rules from the API (reference sections 2.2 and 2.3):

* strings are single-quoted, an embedded ``'`` is doubled, and the text inside the quotes is
  percent-encoded (the server percent-decodes it), so ``/ % & # + ?``, spaces and non-ASCII survive;
* ``and`` and ``or`` share one precedence level server-side, so every operand is parenthesised;
* ``$orderby`` without a direction sorts *descending*, so a direction is always written;
* field and navigation names are checked against a strict pattern, so no value or name can change the
  shape of a query.

Filters are small immutable values (:class:`Filter`); build them with :func:`eq`, :func:`and_`, ...
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union
from urllib.parse import quote

__all__ = [
    "Filter",
    "literal",
    "key",
    "entity_path",
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "and_",
    "or_",
    "not_",
    "in_",
    "any_",
    "raw",
    "Expand",
    "query",
]

# A field, optionally a navigation path (``belongs_to__application/commit``), or ``nav/$count``.
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(/(\$count|[A-Za-z_][A-Za-z0-9_]*))*$")
_RESOURCE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"not an OData field or navigation name: {name!r}")
    return name


def _quote_text(text: str) -> str:
    # Double the apostrophe first (OData escaping), then percent-encode every reserved or non-ASCII
    # character; the doubled apostrophes are left literal so the quoting stays visible in logs.
    return quote(text.replace("'", "''"), safe="'-_.~")


def literal(value: Any) -> str:
    """Write a Python value as an OData literal.

    ``None`` -> ``null``; bools -> ``true``/``false``; ints as is; floats in ``repr`` form; datetimes as
    ``datetime'...Z'`` in UTC with milliseconds; strings quoted and percent-encoded.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("NaN and infinities have no OData literal")
        return repr(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone (the API stores UTC)")
        utc = value.astimezone(_dt.timezone.utc)
        text = utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
        return f"datetime'{text}'"
    if isinstance(value, str):
        return "'" + _quote_text(value) + "'"
    raise TypeError(f"no OData literal for {type(value).__name__}")


def key(value: int | Mapping[str, Any]) -> str:
    """An entity key in parentheses: ``(5)`` or ``(application=5,name='X')``."""
    if isinstance(value, bool):
        raise TypeError("a bool is not an entity id")
    if isinstance(value, int):
        return f"({value})"
    if isinstance(value, Mapping) and value:
        return "(" + ",".join(f"{_name(k)}={literal(v)}" for k, v in value.items()) + ")"
    raise TypeError("an entity key is an int id or a non-empty mapping of field -> value")


def entity_path(resource: str, id_or_key: int | Mapping[str, Any] | None = None) -> str:
    """``/v7``-relative path for a resource or one entity of it: ``application(5)``."""
    if not _RESOURCE_RE.match(resource):
        raise ValueError(f"not an OData resource name: {resource!r}")
    return resource if id_or_key is None else resource + key(id_or_key)


@dataclass(frozen=True)
class Filter:
    """A ``$filter`` expression, already written. Combine with :func:`and_`, :func:`or_`, :func:`not_`."""

    text: str

    def __str__(self) -> str:
        return self.text

    def __and__(self, other: "Filter") -> "Filter":
        return and_(self, other)

    def __or__(self, other: "Filter") -> "Filter":
        return or_(self, other)

    def __invert__(self) -> "Filter":
        return not_(self)


def raw(text: str) -> Filter:
    """An expression written by hand. Only for constant text, never for user values."""
    return Filter(text)


def _cmp(op: str) -> Callable[[str, Any], Filter]:
    def build(field: str, value: Any) -> Filter:
        return Filter(f"{_name(field)} {op} {literal(value)}")

    build.__name__ = op
    build.__doc__ = f"``field {op} value``"
    return build


eq = _cmp("eq")
ne = _cmp("ne")
gt = _cmp("gt")
ge = _cmp("ge")
lt = _cmp("lt")
le = _cmp("le")


def _join(op: str, operands: Iterable[Filter | None]) -> Filter | None:
    parts = [f for f in operands if f is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return Filter(f" {op} ".join(f"({f.text})" for f in parts))


def and_(*operands: Filter | None) -> Filter | None:
    """All operands, each parenthesised; ``None`` operands are skipped."""
    return _join("and", operands)


def or_(*operands: Filter | None) -> Filter | None:
    """Any operand, each parenthesised; ``None`` operands are skipped."""
    return _join("or", operands)


def not_(operand: Filter) -> Filter:
    return Filter(f"not ({operand.text})")


def in_(field: str, values: Iterable[Any]) -> Filter:
    """``field in (v1,v2)``; an empty list becomes a filter that matches nothing."""
    items = list(values)
    if not items:
        return Filter("false")
    return Filter(f"{_name(field)} in (" + ",".join(literal(v) for v in items) + ")")


def _alias_for(nav: str) -> str:
    last = nav.rsplit("/", 1)[-1]
    letters = "".join(p[0] for p in re.split(r"_+", last) if p)
    return (letters or "x").lower()


def any_(nav: str, where: Callable[[str], Filter] | None = None, *, alias: str | None = None) -> Filter:
    """A lambda over a navigation: ``nav/any(a:<where(a)>)``.

    ``where`` receives the alias and returns the inner filter, e.g.
    ``any_("device_type_alias", lambda a: eq(f"{a}/is_referenced_by__alias", "rpi"))``.
    Without ``where`` it is ``nav/any(a:true)`` ("has at least one").
    """
    _name(nav)
    a = alias or _alias_for(nav)
    if not _RESOURCE_RE.match(a):
        raise ValueError(f"bad lambda alias {a!r}")
    inner = "true" if where is None else where(a).text
    return Filter(f"{nav}/any({a}:{inner})")


OrderBy = Union[str, tuple[str, str]]


def _orderby(items: OrderBy | Sequence[OrderBy]) -> str:
    if isinstance(items, (str, tuple)):
        items = [items]
    out = []
    for item in items:
        if isinstance(item, str):
            parts = item.split()
            if len(parts) != 2:
                raise ValueError(f"$orderby needs an explicit direction (the API defaults to desc): {item!r}")
            field, direction = parts
        else:
            field, direction = item
        direction = direction.lower()
        if direction not in ("asc", "desc"):
            raise ValueError(f"$orderby direction must be asc or desc, not {direction!r}")
        out.append(f"{_name(field)} {direction}")
    if not out:
        raise ValueError("empty $orderby")
    return ",".join(out)


@dataclass(frozen=True)
class Expand:
    """One ``$expand`` item with nested options: ``nav($select=a;$filter=...)``."""

    nav: str
    select: Sequence[str] | str | None = None
    filter: Filter | None = None
    orderby: OrderBy | Sequence[OrderBy] | None = None
    top: int | None = None
    skip: int | None = None
    expand: "ExpandSpec" = None

    def text(self) -> str:
        opts = _options(self.select, self.expand, self.filter, self.orderby, self.top, self.skip)
        inner = ";".join(f"{k}={v}" for k, v in opts)
        return f"{_name(self.nav)}({inner})" if inner else _name(self.nav)


ExpandSpec = Union[str, Expand, Sequence[Union[str, Expand]], Mapping[str, Any], None]


def _expand(spec: ExpandSpec) -> str | None:
    if spec is None:
        return None
    if isinstance(spec, (str, Expand)):
        spec = [spec]
    items: list[str] = []
    if isinstance(spec, Mapping):
        for nav, opts in spec.items():
            items.append(Expand(nav, **(opts or {})).text())
    else:
        for item in spec:
            items.append(item.text() if isinstance(item, Expand) else Expand(item).text())
    return ",".join(items) if items else None


def _uint(name: str, value: int) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int")
    return str(value)


def _options(select, expand, filter, orderby, top, skip) -> list[tuple[str, str]]:
    opts: list[tuple[str, str]] = []
    if select is not None:
        fields = [select] if isinstance(select, str) else list(select)
        opts.append(("$select", ",".join("*" if f == "*" else _name(f) for f in fields)))
    exp = _expand(expand)
    if exp:
        opts.append(("$expand", exp))
    if filter is not None:
        opts.append(("$filter", filter.text))
    if orderby is not None:
        opts.append(("$orderby", _orderby(orderby)))
    if top is not None:
        opts.append(("$top", _uint("$top", top)))
    if skip is not None:
        opts.append(("$skip", _uint("$skip", skip)))
    return opts


# Characters left as they are in the query string. Literal contents were already percent-encoded
# by ``literal``, so ``%`` stays; spaces between tokens become %20 (never ``+``).
_QUERY_SAFE = "%'(),/:$=;*@-_.~"


def query(
    *,
    select: Sequence[str] | str | None = None,
    expand: ExpandSpec = None,
    filter: Filter | None = None,
    orderby: OrderBy | Sequence[OrderBy] | None = None,
    top: int | None = None,
    skip: int | None = None,
) -> str:
    """The query string (without ``?``) for the given options; empty when there are none."""
    opts = _options(select, expand, filter, orderby, top, skip)
    return "&".join(f"{k}={quote(v, safe=_QUERY_SAFE)}" for k, v in opts)
