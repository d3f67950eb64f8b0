"""Compile parsed OData (see :mod:`.odata`) to SQLite with bound parameters, run it, shape the rows.

Every literal from the URL is a bound parameter; identifiers come only from the schema. ``eq``/``ne``
compile to ``IS``/``IS NOT`` (null-safe, as pine's IsNotDistinctFrom/IsDistinctFrom).

Fidelity gaps: permission filters are applied to the addressed resource and to expands, not inside
``$filter`` lambdas (pine applies them everywhere; with one user's organization the answers agree).
"""

from __future__ import annotations

import dataclasses
import json

from .access import Auth, access_filter
from .errors import ApiError, not_implemented, server_error
from .schema import BY_NAME, Field, Resource, q
from .values import holds_nul, parse_date

def nul_in_url():
    """A NUL in a string literal reaches PostgreSQL as a bound parameter, which it refuses: a 500."""
    return server_error("a string literal in the URL holds a NUL character, which PostgreSQL refuses")


_OPS = {"eq": "IS", "ne": "IS NOT", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_ARITH = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%"}


# ---------------------------------------------------------------------------------------------
# $filter compilation


class Compiler:
    def __init__(self):
        self.n = 0

    def alias(self):
        self.n += 1
        return f"t{self.n}"

    def field_sql(self, res: Resource, alias: str, name: str) -> tuple[str, Field]:
        name = res.field_aliases.get(name, name)
        f = res.by_name.get(name)
        if f is None or f.hidden:
            raise server_error(f"unknown field {name!r} on {res.name}")
        if f.expr:
            return f.expr.format(t=alias), f
        return f"{alias}.{q(name)}", f

    def nav(self, res: Resource, name: str):
        nav = res.navs.get(name)
        if nav is None:
            raise server_error(f"unknown navigation {name!r} on {res.name}")
        return nav, BY_NAME[nav.target]

    def expr(self, e, res, alias, scope):
        """-> (sql, params, kind); kind is a field type or a literal kind."""
        tag = e[0]
        if tag == "lit":
            return self.lit(e[1])
        if tag == "path":
            return self.path(e[1], res, alias, scope)
        if tag == "op":
            op = e[1]
            if op in ("and", "or"):
                ls, lp, _ = self.expr(e[2], res, alias, scope)
                rs, rp, _ = self.expr(e[3], res, alias, scope)
                return f"({ls} {op.upper()} {rs})", lp + rp, "bool"
            ls, lp, lk = self.expr(e[2], res, alias, scope)
            rs, rp, rk = self.expr(e[3], res, alias, scope)
            if op in _ARITH:
                return f"({ls} {_ARITH[op]} {rs})", lp + rp, "float"
            self.check_types(lk, rk)
            if op not in ("eq", "ne") and (lk == "null" or rk == "null"):
                return "(NULL)", lp + rp, "bool"
            return f"({ls} {_OPS[op]} {rs})", lp + rp, "bool"
        if tag == "not":
            s, p, _ = self.expr(e[1], res, alias, scope)
            return f"(NOT {s})", p, "bool"
        if tag == "in":
            ls, lp, lk = self.expr(e[1], res, alias, scope)
            parts, params = [], list(lp)
            for item in e[2]:
                s, p, k = self.expr(item, res, alias, scope)
                self.check_types(lk, k)
                parts.append(s)
                params += p
            return f"({ls} IN ({', '.join(parts)}))", params, "bool"
        if tag == "call":
            return self.call(e[1], e[2], res, alias, scope)
        if tag == "lambda":
            return self.lam(e, res, alias, scope)
        if tag == "count":
            return self.count(e[1], e[2], res, alias, scope)
        raise server_error(f"cannot compile {e!r}")

    @staticmethod
    def check_types(a, b):
        # pine: comparing an integer column with a decimal literal fails in the database -> 500
        if {a, b} in ({"int", "float_lit"}, {"fk", "float_lit"}, {"serial", "float_lit"}):
            raise server_error("decimal literal compared with an integer field")

    @staticmethod
    def lit(v):
        if v is None:
            return "NULL", [], "null"
        if isinstance(v, bool):
            return "?", [1 if v else 0], "bool"
        if isinstance(v, int):
            return "?", [v], "int_lit"
        if isinstance(v, float):
            return "?", [v], "float_lit"
        if isinstance(v, tuple) and v[0] == "datetime":
            iso = parse_date(v[1])
            if iso is None:
                raise ApiError(400, f"Malformed url: datetime'{v[1]}'")
            return "?", [iso], "date"
        if holds_nul(v):
            raise nul_in_url()
        return "?", [v], "str"

    def path(self, segs, res, alias, scope):
        if segs[0] in scope:
            res, alias = scope[segs[0]]
            segs = segs[1:]
            if not segs:
                raise not_implemented("comparing a lambda variable itself")
        if len(segs) == 1:
            s, f = self.field_sql(res, alias, segs[0])
            return s, [], f.type
        nav, target = self.nav(res, segs[0])
        if not nav.to_one:
            raise server_error(f"path through to-many navigation {segs[0]!r} needs any()/all()")
        c = self.alias()
        inner, params, kind = self.path(segs[1:], target, c, scope)
        cond = nav.cond.format(p=alias, c=c)
        return f"(SELECT {inner} FROM {q(target.name)} {c} WHERE {cond} LIMIT 1)", params, kind

    def lam(self, e, res, alias, scope):
        _, segs, kind, var, body = e
        if segs[0] in scope:
            res, alias = scope[segs[0]]
            segs = segs[1:]
        nav, target = self.nav(res, segs[0])
        c = self.alias()
        cond = nav.cond.format(p=alias, c=c)
        if len(segs) > 1:
            inner, params, _ = self.lam(("lambda", segs[1:], kind, var, body), target, c, scope)
            return f"EXISTS (SELECT 1 FROM {q(target.name)} {c} WHERE {cond} AND {inner})", params, "bool"
        if var is None:
            body_sql, params = "1", []
        else:
            body_sql, params, _ = self.expr(body, target, c, {**scope, var: (target, c)})
        if kind == "any":
            return f"EXISTS (SELECT 1 FROM {q(target.name)} {c} WHERE {cond} AND ({body_sql}))", params, "bool"
        return (f"NOT EXISTS (SELECT 1 FROM {q(target.name)} {c} WHERE {cond} AND NOT COALESCE(({body_sql}), 0))",
                params, "bool")

    def count(self, segs, flt, res, alias, scope):
        if segs[0] in scope:
            res, alias = scope[segs[0]]
            segs = segs[1:]
        if len(segs) != 1:
            raise not_implemented("$count through a multi-segment path")
        nav, target = self.nav(res, segs[0])
        c = self.alias()
        cond = nav.cond.format(p=alias, c=c)
        params = []
        if flt is not None:
            fs, params, _ = self.expr(flt, target, c, scope)
            cond = f"{cond} AND {fs}"
        return f"(SELECT COUNT(*) FROM {q(target.name)} {c} WHERE {cond})", params, "int"

    def call(self, name, args, res, alias, scope):
        compiled = [self.expr(a, res, alias, scope) for a in args]
        params = [p for _, ps, _ in compiled for p in ps]
        s = [c[0] for c in compiled]
        if name == "contains":
            return f"(instr({s[0]}, {s[1]}) > 0)", params, "bool"
        if name == "substringof":  # substringof(needle, haystack)
            return f"(instr({s[1]}, {s[0]}) > 0)", params, "bool"
        if name == "startswith":
            return f"(substr({s[0]}, 1, length({s[1]})) = {s[1]})", params + params[len(compiled[0][1]):], "bool"
        if name == "endswith":
            p0, p1 = compiled[0][1], compiled[1][1]
            return (f"(length({s[1]}) = 0 OR substr({s[0]}, -length({s[1]})) = {s[1]})",
                    p1 + p0 + p1 + p1, "bool")
        if name == "tolower":
            return f"pylower({s[0]})", params, "str"
        if name == "toupper":
            return f"pyupper({s[0]})", params, "str"
        if name == "length":
            return f"length({s[0]})", params, "int"
        if name == "trim":
            return f"pytrim({s[0]})", params, "str"
        raise not_implemented(f"the OData function {name}()")

    def orderby(self, items, res, alias):
        parts, params = [], []
        for e, direction in items:
            s, p, _ = self.expr(e, res, alias, {})
            parts.append(f"{s} {direction.upper()}")
            params += p
        return parts, params


# ---------------------------------------------------------------------------------------------
# Reading


def output_fields(res: Resource, select, expanded=()):
    """Fields to shape. A navigation named in ``$select`` is fine when it is also expanded (the SDK's
    ``service.get_all_by_application`` sends ``$select=service&$expand=service``): the expand fills it."""
    if select is None:
        return [f for f in res.fields if not f.hidden]
    out = []
    for name in select:
        if name in res.field_aliases:  # a to-one read alias reads as its FK
            out.append(dataclasses.replace(res.by_name[res.field_aliases[name]], name=name,
                                           source=res.field_aliases[name]))
            continue
        f = res.by_name.get(name)
        if f is None or f.hidden:
            if name in res.navs and name in expanded:
                continue
            if name in res.navs:
                raise not_implemented(f"$select of the navigation {name!r} without $expand")
            raise server_error(f"unknown field {name!r} in $select on {res.name}")
        out.append(f)
    return out


def select_columns(res: Resource, alias: str, fields) -> str:
    """The columns the answer needs: ``id`` (expands join on it) and the stored or computed source of each
    output field; computed fields cost a subquery per row, so only the selected ones are computed."""
    names = ["id"] + [f.source or f.name for f in fields]
    cols = []
    for name in dict.fromkeys(names):
        f = res.by_name[name]
        cols.append(f"{f.expr.format(t=alias)} AS {q(f.name)}" if f.expr else f"{alias}.{q(f.name)}")
    return ", ".join(cols)


def shape(res: Resource, row: dict, fields) -> dict:
    out = {}
    for f in fields:
        v = row.get(f.source or f.name)
        if f.type == "fk":
            v = {"__id": v} if v is not None else None
        elif f.type == "bool":
            v = bool(v) if v is not None else None
        elif f.type == "json" and v is not None:
            v = json.loads(v)
        elif f.type == "bigint" and v is not None:
            v = str(v)  # sbvr-types reads Big Integer as a string (JavaScript numbers would lose digits)
        out[f.name] = v
    return out


def _rows(conn, sql, params):
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def select_rows(conn, res: Resource, auth: Auth, where_sql: str, where_params: list, opts: dict,
                write=False):
    """Top-level GET: rows shaped for the wire (with expands)."""
    comp = Compiler()
    alias = "t0"
    conds = [access_filter(res, auth, alias, write), where_sql or "1"]
    params = list(where_params)
    if opts.get("filter") is not None:
        s, p, _ = comp.expr(opts["filter"], res, alias, {})
        conds.append(s)
        params += p
    order = []
    if opts.get("orderby"):
        order, op = comp.orderby(opts["orderby"], res, alias)
        params += op
    order.append(f"{alias}.id ASC")
    fields = output_fields(res, opts.get("select"), {i["nav"] for i in opts.get("expand") or []})
    sql = (f"SELECT {select_columns(res, alias, fields)} FROM {q(res.name)} {alias} WHERE "
           f"{' AND '.join(conds)} ORDER BY {', '.join(order)}")
    if opts.get("top") is not None or opts.get("skip") is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [opts["top"] if opts.get("top") is not None else -1, opts.get("skip") or 0]
    rows = _rows(conn, sql, params)
    out = [shape(res, r, fields) for r in rows]
    for item in opts.get("expand") or []:
        apply_expand(conn, res, auth, rows, out, item)
    return out


def count_rows(conn, res, auth, where_sql, where_params, opts) -> int:
    comp = Compiler()
    conds = [access_filter(res, auth, "t0", False), where_sql or "1"]
    params = list(where_params)
    if opts.get("filter") is not None:
        s, p, _ = comp.expr(opts["filter"], res, "t0", {})
        conds.append(s)
        params += p
    return conn.execute(f"SELECT COUNT(*) FROM {q(res.name)} t0 WHERE {' AND '.join(conds)}", params).fetchone()[0]


def apply_expand(conn, res: Resource, auth: Auth, rows, out, item):
    name = item["nav"]
    nav = res.navs.get(name)
    if nav is None:
        raise server_error(f"unknown navigation {name!r} in $expand on {res.name}")
    target = BY_NAME[nav.target]
    opts = item["options"]
    ids = [r["id"] for r in rows]
    comp = Compiler()
    c = "c0"
    cond = nav.cond.format(p="p0", c=c)
    try:
        vis = access_filter(target, auth, c, False)
    except ApiError:
        vis = "0"  # an expand into something the caller cannot read is empty, not an error
    extra, extra_params = [vis], []
    if opts.get("filter") is not None:
        s, p, _ = comp.expr(opts["filter"], target, c, {})
        extra.append(s)
        extra_params += p
    by_parent: dict[int, list] = {i: [] for i in ids}
    if item["count"]:
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            sql = (f"SELECT p0.id, COUNT({c}.id) FROM {q(res.name)} p0 LEFT JOIN {q(target.name)} {c} ON {cond} "
                   f"AND {' AND '.join(extra)} WHERE p0.id IN ({marks}) GROUP BY p0.id")
            counts = dict(conn.execute(sql, extra_params + list(chunk)).fetchall())
            for i in chunk:
                by_parent[i] = counts.get(i, 0)
        for r, o in zip(rows, out):
            o[name] = by_parent[r["id"]]
        return
    order, order_params = [], []
    if opts.get("orderby"):
        order, order_params = comp.orderby(opts["orderby"], target, c)
    order.append(f"{c}.id ASC")
    fields = output_fields(target, opts.get("select"), {i["nav"] for i in opts.get("expand") or []})
    child_rows = []
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        sql = (f"SELECT p0.id AS __pid, {select_columns(target, c, fields)} FROM {q(res.name)} p0 "
               f"JOIN {q(target.name)} {c} ON {cond} WHERE p0.id IN ({marks}) AND {' AND '.join(extra)} "
               f"ORDER BY {', '.join(order)}")
        child_rows += _rows(conn, sql, list(chunk) + extra_params + order_params)
    grouped: dict[int, list] = {i: [] for i in ids}
    for cr in child_rows:
        grouped[cr["__pid"]].append(cr)
    skip, top = opts.get("skip") or 0, opts.get("top")
    for r, o in zip(rows, out):
        kids = grouped[r["id"]][skip:]
        if top is not None:
            kids = kids[:top]
        shaped = [shape(target, k, fields) for k in kids]
        for sub in opts.get("expand") or []:
            apply_expand(conn, target, auth, kids, shaped, sub)
        o[name] = shaped


def _chunks(ids, n=500):
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


# ---------------------------------------------------------------------------------------------
# Keys


def key_condition(res: Resource, key, alias="t0"):
    """SQL for ``resource(<key>)``; only the alternate keys the reference lists are accepted."""
    if key is None:
        return "1", []
    if not isinstance(key, dict):
        if isinstance(key, bool) or not isinstance(key, int):
            raise server_error(f"non-integer primary key {key!r} for {res.name}")
        return f"{alias}.id = ?", [key]
    names = tuple(sorted(key))
    allowed = {tuple(sorted(k)) for k in res.alt_keys} | {("id",)}
    if names not in allowed:
        raise server_error(f"Specified fields for path key that are not directly unique: {names} on {res.name}")
    conds, params = [], []
    for name in names:
        v = key[name]
        if isinstance(v, tuple):
            v = v[1]
        if isinstance(v, bool):
            v = int(v)
        if holds_nul(v):
            raise nul_in_url()
        conds.append(f"{alias}.{q(name)} IS ?")
        params.append(v)
    return " AND ".join(conds), params

