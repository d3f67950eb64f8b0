"""SQLite storage and the generic pine write path (coercion, uniques, permissions) for the sandbox.

One connection guarded by one re-entrant lock: every request runs its whole read or write under the
lock, in one transaction, so hooks see a consistent database. Resource-specific rules live in
:mod:`.hooks`; this module only knows the generic pine behaviour.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sqlite3
import threading
from contextlib import contextmanager

from . import hooks
from .errors import ApiError, server_error
from .query import ROOT, Auth, access_filter, count_rows, key_condition, select_rows
from .schema import BY_NAME, RESOURCES, Resource, ddl, q


def now_iso() -> str:
    return fmt_date(_dt.datetime.now(_dt.timezone.utc))


def fmt_date(d: _dt.datetime) -> str:
    d = d.astimezone(_dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


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


def coerce(res: Resource, name: str, v):
    """pine/sbvr-types coercion of one body value; raises the API's 400s."""
    f = res.by_name[name]
    if v is None:
        if f.required:
            raise ApiError(400, f'"{name}" cannot be null')
        return None
    t = f.type
    if t in ("int", "fk"):
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


def _py_lower(s):
    return s.lower() if isinstance(s, str) else s


def _py_upper(s):
    return s.upper() if isinstance(s, str) else s


def _py_trim(s):
    return s.strip() if isinstance(s, str) else s


class Store:
    def __init__(self, path: str | None = None):
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA foreign_keys = ON")
        if path:
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        for name, fn in (("pylower", _py_lower), ("pyupper", _py_upper), ("pytrim", _py_trim)):
            self.conn.create_function(name, 1, fn, deterministic=True)
        with self.lock:
            for stmt in ddl():
                self.conn.execute(stmt)
            self.conn.execute('CREATE TABLE IF NOT EXISTS "_sandbox_session" ("token" TEXT PRIMARY KEY, '
                              '"user" INTEGER NOT NULL REFERENCES "user"(id) ON DELETE CASCADE)')
        self._in_tx = False

    # -- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def tx(self):
        with self.lock:
            if self._in_tx:
                yield self.conn
                return
            self._in_tx = True
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._in_tx = False

    def one(self, sql, params=()):
        cur = self.conn.execute(sql, params)
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row))

    def all(self, sql, params=()):
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def get_meta(self, k):
        row = self.conn.execute('SELECT v FROM "_sandbox_meta" WHERE k = ?', (k,)).fetchone()
        return row[0] if row else None

    def set_meta(self, k, v):
        self.conn.execute('INSERT OR REPLACE INTO "_sandbox_meta" (k, v) VALUES (?, ?)', (k, v))

    def wipe(self):
        with self.tx() as c:
            c.execute("PRAGMA defer_foreign_keys = ON")  # no-op outside a transaction; tx() opens one
            for r in reversed(RESOURCES):
                c.execute(f"DELETE FROM {q(r.name)}")
            c.execute('DELETE FROM "_sandbox_session"')
            c.execute("DELETE FROM sqlite_sequence")

    def raw_insert(self, table: str, values: dict) -> int:
        cols = list(values)
        cur = self.conn.execute(
            f"INSERT INTO {q(table)} ({', '.join(q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})",
            [values[c] for c in cols])
        return cur.lastrowid

    def new_actor(self) -> int:
        return self.conn.execute('INSERT INTO "actor" DEFAULT VALUES').lastrowid

    # -- errors from the database ------------------------------------------------------------
    def integrity(self, res: Resource, e: sqlite3.IntegrityError, on_insert: bool) -> ApiError:
        msg = str(e)
        if msg.startswith("UNIQUE constraint failed"):
            cols = tuple(part.strip().split(".", 1)[-1] for part in msg.split(":", 1)[1].split(","))
            table = msg.split(":", 1)[1].split(",")[0].strip().split(".")[0]
            owner = BY_NAME.get(table, res)
            for ucols, umsg in owner.uniques:
                if tuple(ucols) == cols:
                    return ApiError(409, umsg)
            return ApiError(409, "Unique key constraint violated")
        if msg.startswith("NOT NULL constraint failed"):
            return server_error(f"{msg} (pine answers a missing required field with 500, empty body)")
        if "FOREIGN KEY" in msg:
            # the referenced row does not exist: in the cloud a parent you cannot see is a 401
            return ApiError(401)
        if msg.startswith("CHECK constraint failed"):
            return ApiError(400, "Check constraint violated")
        return server_error(msg)

    # -- generic pine operations -----------------------------------------------------------------
    def read(self, res: Resource, auth: Auth, key, opts: dict, count: bool = False):
        with self.lock:
            where, params = key_condition(res, key)
            if count:
                return count_rows(self.conn, res, auth, where, params, opts)
            return select_rows(self.conn, res, auth, where, params, opts)

    def get_one(self, res: Resource, row_id: int, auth: Auth = ROOT) -> dict | None:
        rows = select_rows(self.conn, res, auth, "t0.id = ?", [row_id], {})
        return rows[0] if rows else None

    def row(self, table: str, row_id) -> dict | None:
        if row_id is None:
            return None
        return self.one(f"SELECT * FROM {q(table)} WHERE id = ?", (row_id,))

    def coerce_body(self, res: Resource, body: dict, mode: str) -> dict:
        values = {}
        for k, v in body.items():
            f = res.by_name.get(k)
            if f is None or f.hidden or f.expr and k != "is_final" or (res.name, k) in hooks.PSEUDO_FIELDS:
                continue
            if (mode == "post" and not f.post) or (mode == "patch" and not f.patch):
                continue
            values[k] = coerce(res, k, v)
        return values

    def create(self, res: Resource, body: dict, auth: Auth) -> dict:
        if res.readonly:
            raise ApiError(401)
        access_filter(res, auth, "t0", write=True)  # raises 401 for guests / read-only roles
        with self.tx():
            hooks.raw_checks(res, body, "post")
            values = self.coerce_body(res, body, "post")
            ctx = hooks.Ctx(self, auth)
            hooks.before_post(ctx, res, values, body)
            for f in res.fields:
                if f.name not in values and f.default is not None and not f.expr:
                    values[f.name] = f.default
            values.pop("is_final", None)
            values["created_at"] = values.get("created_at") or now_iso()
            try:
                new_id = self.raw_insert(res.name, values)
            except sqlite3.IntegrityError as e:
                raise self.integrity(res, e, True) from None
            hooks.after_post(ctx, res, new_id, values)
            where = access_filter(res, auth, "t0", write=True)
            if not self.conn.execute(f"SELECT 1 FROM {q(res.name)} t0 WHERE t0.id = ? AND {where}",
                                     (new_id,)).fetchone():
                raise ApiError(401)
            created = self.get_one(res, new_id, auth) or {"id": new_id}
        return created

    def matching_ids(self, res: Resource, auth: Auth, key, opts: dict) -> list[int]:
        where, params = key_condition(res, key)
        rows = select_rows(self.conn, res, auth, where, params,
                           {"filter": opts.get("filter"), "select": ["id"], "orderby": opts.get("orderby"),
                            "top": opts.get("top"), "skip": opts.get("skip")}, write=True)
        return [r["id"] for r in rows]

    def patch(self, res: Resource, auth: Auth, key, opts: dict, body: dict) -> None:
        if not body:
            raise ApiError(400, "No fields to update")
        if res.readonly:
            raise ApiError(401)
        access_filter(res, auth, "t0", write=True)
        with self.tx():
            hooks.raw_checks(res, body, "patch")
            values = self.coerce_body(res, body, "patch")
            ctx = hooks.Ctx(self, auth)
            if not values and not hooks.accepts_pseudo_fields(res, body):
                raise server_error("PATCH requests must update at least one field")
            hooks.validate_patch(ctx, res, values, body)
            ids = self.matching_ids(res, auth, key, opts)
            if not ids:
                return
            hooks.before_patch(ctx, res, ids, values, body)
            values.pop("is_final", None)
            if values:
                sets = ", ".join(f"{q(k)} = ?" for k in values)
                marks = ",".join("?" * len(ids))
                try:
                    self.conn.execute(f"UPDATE {q(res.name)} SET {sets} WHERE id IN ({marks})",
                                      list(values.values()) + ids)
                except sqlite3.IntegrityError as e:
                    raise self.integrity(res, e, False) from None
            hooks.after_patch(ctx, res, ids, values)

    def delete(self, res: Resource, auth: Auth, key, opts: dict) -> None:
        if res.readonly:
            raise ApiError(401)
        access_filter(res, auth, "t0", write=True)
        with self.tx():
            ctx = hooks.Ctx(self, auth)
            hooks.validate_delete(ctx, res)
            ids = self.matching_ids(res, auth, key, opts)
            if not ids:
                if res.name == "application" and key is not None:
                    raise ApiError(404, "Application(s) not found.")
                return
            hooks.before_delete(ctx, res, ids)
            marks = ",".join("?" * len(ids))
            try:
                self.conn.execute(f"DELETE FROM {q(res.name)} WHERE id IN ({marks})", ids)
            except sqlite3.IntegrityError:
                raise ApiError(409, f"Data is referenced by {hooks.referencing(self, res, ids)}.") from None
            hooks.after_delete(ctx, res, ids)
