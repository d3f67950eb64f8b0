"""Wire values: dates as the API prints them, and pine's coercion of one JSON body value to a field's type.

No state and no database: the store, the query compiler and the rules all use these, so they live below
all three. The 400 texts are the ones pine's type layer (sbvr-types) answers.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import time

from .errors import ApiError, server_error


def now_iso() -> str:
    return fmt_date(_dt.datetime.now(_dt.timezone.utc))


def now_ms() -> int:
    return int(time.time() * 1000)


def fmt_date(d: _dt.datetime) -> str:
    d = d.astimezone(_dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def iso_from_ms(ms: int) -> str:
    return fmt_date(_dt.datetime.fromtimestamp(ms / 1000, _dt.timezone.utc))


def epoch_ms(iso: str) -> int:
    d = _dt.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=_dt.timezone.utc)
    return int(d.timestamp() * 1000)


def parse_date(v) -> str | None:
    """ISO string or epoch milliseconds -> ``YYYY-MM-DDTHH:MM:SS.mmmZ``; None when invalid."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        try:
            return fmt_date(_dt.datetime.fromtimestamp(v / 1000, _dt.timezone.utc))
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(v, str):
        return None
    s = v.strip()
    if s.endswith("Z") or s.endswith("z"):
        s = s[:-1] + "+00:00"
    try:
        d = _dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return fmt_date(d)


def js_str(v) -> str:
    """How JavaScript would interpolate a JSON value into a message."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, dict):
        return "[object Object]"
    if isinstance(v, list):
        return ",".join(js_str(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


_PARSE_INT = re.compile(r"^\s*([+-]?\d+)")


def _integer(name, v):
    if isinstance(v, bool):
        raise ApiError(400, f'"{name}" is not a number: {js_str(v)}')
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise ApiError(400, f'"{name}" is not a number: {js_str(v)}')
        return int(v)
    if isinstance(v, str):
        m = _PARSE_INT.match(v)
        if m:
            return int(m.group(1))
    raise ApiError(400, f'"{name}" is not a number: {js_str(v)}')


def coerce(res, name: str, v):
    """pine/sbvr-types coercion of one body value of field ``name`` of ``res``; raises the API's 400s."""
    f = res.by_name[name]
    if v is None:
        if f.required:
            raise ApiError(400, f'"{name}" cannot be null')
        return None
    t = f.type
    if t in ("int", "fk", "bigint"):
        return _integer(name, v)
    if t == "bool":
        if v is True or v == 1 or v == "1":
            return 1
        if v is False or v == 0 or v == "0":
            return 0
        raise ApiError(400)  # observed: "false" as a string -> 400 with an empty body
    if t == "short":
        if not isinstance(v, str):
            raise ApiError(400, f'"{name}" is not a string: {js_str(v)}')
        if len(v) > 255:
            raise ApiError(400, f'"{name}" longer than 255 characters ({len(v)})')
        return v
    if t == "text":
        if not isinstance(v, str):
            raise ApiError(400, f'"{name}" is not a string: {js_str(v)}')
        return v
    if t == "date":
        d = parse_date(v)
        if d is None:
            raise ApiError(400, f'"{name}" is not a valid date: {js_str(v)}')
        return d
    if t == "json":
        if not isinstance(v, (dict, list)):
            raise ApiError(400, f'"{name}" is not a valid JSON object: {js_str(v)}')
        return json.dumps(v, separators=(",", ":"))
    raise server_error(f"cannot coerce field {name} of type {t}")


# A JSON text holds a NUL as the escape \u0000 (json.dumps writes it so); an escaped backslash before it
# ("\\u0000", the six characters) is not a NUL.
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def holds_nul(value, json_text: bool = False) -> bool:
    """Whether a value bound for a text column holds a NUL character, which PostgreSQL cannot store."""
    if not isinstance(value, str):
        return False
    if json_text:
        return _JSON_NUL.search(value) is not None
    return "\x00" in value
