"""SQLite storage and pine's generic write path (coercion, uniques, permissions) for the sandbox.

One connection guarded by one re-entrant lock: every request runs its whole read or write under the
lock, in one transaction, so rules see a consistent database and concurrent requests never interleave.
Resource-specific behaviour comes from :mod:`.rules` (one registry entry per resource); this module
knows only what pine does for every resource.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager

from .access import ROOT, Auth, access_filter
from .errors import ApiError, StateFileError, server_error
from .query import count_rows, key_condition, select_rows
from .rules import REGISTRY, Ctx
from .schema import BY_NAME, RESOURCES, Resource, ddl, fingerprint, q
from .values import coerce, holds_nul, now_iso


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
        self._in_tx = False
        with self.lock:
            self._check_layout()
            for stmt in ddl():
                self.conn.execute(stmt)
            self.set_meta("schema", fingerprint())

    def _check_layout(self):
        has_meta = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sandbox_meta'").fetchone()
        if not has_meta:
            return
        seeded = self.get_meta("seeded")
        layout = self.get_meta("schema")
        if seeded and layout != fingerprint():
            self.conn.close()
            raise StateFileError(
                f"the sandbox state file {self.path} was written by a sandbox with a different table layout "
                f"({layout or 'unversioned'}, this one is {fingerprint()}); remove it or choose another --state")

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

    def row(self, table: str, row_id) -> dict | None:
        if row_id is None:
            return None
        return self.one(f"SELECT * FROM {q(table)} WHERE id = ?", (row_id,))

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

    def snapshot(self) -> sqlite3.Connection:
        """A copy of the whole database (tables, sequences, triggers) in memory."""
        copy = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        with self.lock:
            self.conn.backup(copy)
        return copy

    def restore(self, copy: sqlite3.Connection) -> None:
        """Replace the whole database with a snapshot (outside any transaction)."""
        with self.lock:
            copy.backup(self.conn)

    def raw_insert(self, table: str, values: dict) -> int:
        """INSERT as the sandbox itself (no rules, no permissions); created_at/modified_at default to now."""
        cols = list(values)
        if not cols:
            return self.conn.execute(f"INSERT INTO {q(table)} DEFAULT VALUES").lastrowid
        cur = self.conn.execute(
            f"INSERT INTO {q(table)} ({', '.join(q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})",
            [values[c] for c in cols])
        return cur.lastrowid

    def new_actor(self) -> int:
        return self.raw_insert("actor", {})

    # -- errors from the database ------------------------------------------------------------
    def integrity(self, res: Resource, e: sqlite3.IntegrityError) -> ApiError:
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

    def referencing(self, res: Resource, ids) -> str:
        """Name of a resource still referencing ``ids`` (for the 409 'Data is referenced by ...')."""
        marks = ",".join("?" * len(ids))
        for r in RESOURCES:
            for f in r.fields:
                if f.fk == res.name and not f.expr and f.on_delete == "RESTRICT":
                    if self.conn.execute(f"SELECT 1 FROM {q(r.name)} WHERE {q(f.name)} IN ({marks}) LIMIT 1",
                                         ids).fetchone():
                        return r.name
        return res.name

    @staticmethod
    def refuse_nul(res: Resource, values: dict) -> None:
        """PostgreSQL's text columns cannot hold NUL ("invalid byte sequence for encoding UTF8: 0x00"); pine
        turns that database error into a 500 with an empty body. Checked where the real API would meet it:
        after the rules, at the INSERT or UPDATE."""
        for name, v in values.items():
            f = res.by_name.get(name)
            if holds_nul(v, json_text=f is not None and f.type == "json"):
                raise server_error(f"{res.name}.{name} holds a NUL character, which PostgreSQL refuses")

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

    @staticmethod
    def coerce_body(res: Resource, body: dict, mode: str, pseudo=frozenset()) -> dict:
        values = {}
        for k, v in body.items():
            f = res.by_name.get(k)
            if f is None or f.hidden or (f.expr and not f.input) or k in pseudo:
                continue  # unknown, computed and read-only keys are ignored, as pine does
            if (mode == "post" and not f.post) or (mode == "patch" and not f.patch):
                continue
            values[k] = coerce(res, k, v)
        return values

    @staticmethod
    def _stored_only(res: Resource, values: dict) -> dict:
        return {k: v for k, v in values.items() if not (k in res.by_name and res.by_name[k].expr)}

    def create(self, res: Resource, body: dict, auth: Auth, answer: bool = True) -> dict:
        """POST: the created row as the caller would GET it (``answer=False``: only ``{"id"}``, for the
        sandbox's own writes, which never show the answer)."""
        if res.readonly:
            raise ApiError(401)
        access_filter(res, auth, "t0", write=True)  # raises 401 for guests / read-only roles
        rules = REGISTRY.get(res.name)
        with self.tx():
            ctx = Ctx(self, auth)
            rules.raw_post(ctx, body)
            values = self.coerce_body(res, body, "post", rules.pseudo_fields)
            rules.before_post(ctx, values, body)
            for f in res.fields:
                if f.name not in values and f.default is not None and not f.expr:
                    values[f.name] = f.default
            values["created_at"] = values.get("created_at") or now_iso()
            values["modified_at"] = values["created_at"]
            stored = self._stored_only(res, values)
            self.refuse_nul(res, stored)
            try:
                new_id = self.raw_insert(res.name, stored)
            except sqlite3.IntegrityError as e:
                raise self.integrity(res, e) from None
            rules.after_post(ctx, new_id, values)
            where = access_filter(res, auth, "t0", write=True)
            if not self.conn.execute(f"SELECT 1 FROM {q(res.name)} t0 WHERE t0.id = ? AND {where}",
                                     (new_id,)).fetchone():
                raise ApiError(401)
            if not answer:
                return {"id": new_id}
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
        rules = REGISTRY.get(res.name)
        with self.tx():
            values = self.coerce_body(res, body, "patch", rules.pseudo_fields)
            ctx = Ctx(self, auth)
            # a body key the rules resolve themselves (a membership's username) counts as something to do
            if not values and not any(k in rules.pseudo_fields and k not in res.by_name for k in body):
                raise server_error("PATCH requests must update at least one field")
            rules.validate_patch(ctx, values, body)
            ids = self.matching_ids(res, auth, key, opts)
            if not ids:
                return
            rules.before_patch(ctx, ids, values, body)
            stored = self._stored_only(res, values)
            self.refuse_nul(res, stored)
            if stored:
                sets = ", ".join(f"{q(k)} = ?" for k in stored)
                marks = ",".join("?" * len(ids))
                try:
                    self.conn.execute(f"UPDATE {q(res.name)} SET {sets} WHERE id IN ({marks})",
                                      list(stored.values()) + ids)
                except sqlite3.IntegrityError as e:
                    raise self.integrity(res, e) from None
            rules.after_patch(ctx, ids, values)

    def delete(self, res: Resource, auth: Auth, key, opts: dict) -> None:
        if res.readonly:
            raise ApiError(401)
        access_filter(res, auth, "t0", write=True)
        rules = REGISTRY.get(res.name)
        with self.tx():
            ctx = Ctx(self, auth)
            rules.validate_delete(ctx)
            ids = self.matching_ids(res, auth, key, opts)
            if not ids:
                rules.nothing_deleted(ctx, key)
                return
            rules.before_delete(ctx, ids)
            marks = ",".join("?" * len(ids))
            try:
                self.conn.execute(f"DELETE FROM {q(res.name)} WHERE id IN ({marks})", ids)
            except sqlite3.IntegrityError:
                raise ApiError(409, f"Data is referenced by {self.referencing(res, ids)}.") from None
            rules.after_delete(ctx, ids)
