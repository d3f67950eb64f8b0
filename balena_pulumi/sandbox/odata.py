"""OData URL parser for the sandbox: resource paths, keys and the query options pine accepts.

Works on the *raw* URL, like pine's odata-parser: text inside single quotes (or ``%27``) is taken raw
and then percent-decoded (``'org%2Fapp'`` is ``org/app``; ``''`` and ``%27%27`` are an apostrophe;
``+`` inside quotes stays ``+``); outside quotes ``+`` and ``%20`` are spaces.

Produces a small tuple AST, compiled to SQL by :mod:`balena_pulumi.sandbox.query`:

- ``("lit", value)``: str, int, float, None, bool, or ``("datetime", iso)``
- ``("path", [seg, ...])``; ``("lambda", [nav...], "any"|"all", var, expr|None)``;
  ``("count", [nav...], filter|None)``
- ``("op", name, left, right)`` for eq/ne/gt/ge/lt/le/and/or/add/sub/mul/div/mod; ``("not", e)``;
  ``("in", e, [e...])``; ``("call", fname, [args])``

``and`` and ``or`` share one precedence level and group left to right (OData v2 / pine).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, unquote_plus

from .errors import ApiError, not_implemented

# Functions pine's grammar accepts. The sandbox compiles SUPPORTED_FUNCTIONS; the rest are 501.
SUPPORTED_FUNCTIONS = {
    "contains": 2, "startswith": 2, "endswith": 2, "substringof": 2,
    "tolower": 1, "toupper": 1, "length": 1, "trim": 1,
}
KNOWN_FUNCTIONS = set(SUPPORTED_FUNCTIONS) | {
    "indexof", "substring", "concat", "replace", "year", "month", "day", "hour", "minute", "second",
    "fractionalseconds", "date", "time", "now", "maxdatetime", "mindatetime", "totalseconds",
    "totaloffsetminutes", "round", "floor", "ceiling", "cast", "isof",
}
COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}


class ParseError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Raw text -> segments (quote aware) -> tokens


def split_quoted(raw: str) -> list[tuple[bool, str]]:
    """Split raw URL text into (is_quoted, text) segments; quoted text is fully decoded."""
    out: list[tuple[bool, str]] = []
    i, n = 0, len(raw)
    buf: list[str] = []

    def at_quote(j: int) -> int:
        if raw.startswith("'", j):
            return 1
        if raw[j:j + 3].lower() == "%27":
            return 3
        return 0

    while i < n:
        q = at_quote(i)
        if not q:
            buf.append(raw[i])
            i += 1
            continue
        if buf:
            out.append((False, "".join(buf)))
            buf = []
        i += q
        text: list[str] = []
        while True:
            if i >= n:
                raise ParseError("unterminated string literal")
            q = at_quote(i)
            if q:
                q2 = at_quote(i + q) if i + q < n else 0
                if q2:  # doubled apostrophe = escaped apostrophe
                    text.append("%27")
                    i += q + q2
                    continue
                i += q
                break
            text.append(raw[i])
            i += 1
        try:
            out.append((True, unquote("".join(text), errors="strict")))
        except UnicodeDecodeError as e:
            raise ParseError(f"bad percent-encoding in string literal: {e}") from None
    if buf:
        out.append((False, "".join(buf)))
    return out


_TOKEN_RE = re.compile(
    r"\s+|(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![A-Za-z_])|(?P<name>[@$A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<punct>[(),/:;=&*])"
)


def tokenize(raw: str, params: dict | None = None) -> list[tuple[str, object]]:
    tokens: list[tuple[str, object]] = []
    for quoted, text in split_quoted(raw):
        if quoted:
            if tokens and tokens[-1] == ("name", "datetime"):
                tokens[-1] = ("lit", ("datetime", text))
            else:
                tokens.append(("lit", text))
            continue
        text = unquote_plus(text)
        pos = 0
        while pos < len(text):
            m = _TOKEN_RE.match(text, pos)
            if not m:
                raise ParseError(f"unexpected character {text[pos]!r}")
            pos = m.end()
            if m.group("num") is not None:
                s = m.group("num")
                v = float(s) if any(c in s for c in ".eE") else int(s)
                tokens.append(("lit", v))
            elif m.group("name") is not None:
                name = m.group("name")
                if name.startswith("@"):
                    if params is None or name not in params:
                        raise ParseError(f"unbound parameter alias {name}")
                    tokens.extend(t for t in tokenize(params[name]) if True)
                    continue
                if name == "null":
                    tokens.append(("lit", None))
                elif name == "true":
                    tokens.append(("lit", True))
                elif name == "false":
                    tokens.append(("lit", False))
                else:
                    tokens.append(("name", name))
            elif m.group("punct") is not None:
                tokens.append(("p", m.group("punct")))
    return tokens


# ---------------------------------------------------------------------------------------------
# Recursive-descent parser


class Parser:
    def __init__(self, tokens):
        self.t = tokens
        self.i = 0

    # helpers
    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else ("eof", None)

    def next(self):
        tok = self.peek()
        self.i += 1
        return tok

    def accept(self, kind, value=None):
        tok = self.peek()
        if tok[0] == kind and (value is None or tok[1] == value):
            self.i += 1
            return tok
        return None

    def expect(self, kind, value=None):
        tok = self.accept(kind, value)
        if tok is None:
            raise ParseError(f"expected {value or kind}, got {self.peek()[1]!r}")
        return tok

    def done(self):
        if self.i != len(self.t):
            raise ParseError(f"unexpected {self.peek()[1]!r}")

    # $filter expressions
    def expr(self):
        left = self.unary()
        while True:
            tok = self.peek()
            if tok[0] == "name" and tok[1] in ("and", "or"):
                self.next()
                right = self.unary()
                left = ("op", tok[1], left, right)
            else:
                return left

    def unary(self):
        if self.peek() == ("name", "not"):
            self.next()
            return ("not", self.unary())
        return self.comparison()

    def comparison(self):
        left = self.additive()
        tok = self.peek()
        if tok[0] == "name" and tok[1] in COMPARISONS:
            self.next()
            return ("op", tok[1], left, self.additive())
        if tok == ("name", "in"):
            self.next()
            self.expect("p", "(")
            items = [self.additive()]
            while self.accept("p", ","):
                items.append(self.additive())
            self.expect("p", ")")
            return ("in", left, items)
        return left

    def additive(self):
        left = self.multiplicative()
        while self.peek()[0] == "name" and self.peek()[1] in ("add", "sub"):
            op = self.next()[1]
            left = ("op", op, left, self.multiplicative())
        return left

    def multiplicative(self):
        left = self.primary()
        while self.peek()[0] == "name" and self.peek()[1] in ("mul", "div", "mod"):
            op = self.next()[1]
            left = ("op", op, left, self.primary())
        return left

    def primary(self):
        tok = self.peek()
        if tok[0] == "lit":
            self.next()
            return ("lit", tok[1])
        if tok == ("p", "("):
            self.next()
            e = self.expr()
            self.expect("p", ")")
            return e
        if tok[0] == "name":
            name = tok[1]
            if self.peek(1) == ("p", "(") and name not in ("any", "all"):
                self.next()
                self.next()
                if name not in KNOWN_FUNCTIONS:
                    raise ParseError(f"unknown function {name}")
                args = []
                if not self.accept("p", ")"):
                    args.append(self.expr())
                    while self.accept("p", ","):
                        args.append(self.expr())
                    self.expect("p", ")")
                if name not in SUPPORTED_FUNCTIONS:
                    raise not_implemented(f"the OData function {name}()")
                if len(args) != SUPPORTED_FUNCTIONS[name]:
                    raise ParseError(f"{name}() takes {SUPPORTED_FUNCTIONS[name]} arguments")
                return ("call", name, args)
            return self.path()
        raise ParseError(f"unexpected {tok[1]!r}")

    def path(self):
        segs = [self.expect("name")[1]]
        while self.accept("p", "/"):
            tok = self.peek()
            if tok in (("name", "any"), ("name", "all")):
                self.next()
                self.expect("p", "(")
                if self.accept("p", ")"):
                    return ("lambda", segs, tok[1], None, None)
                var = self.expect("name")[1]
                self.expect("p", ":")
                body = self.expr()
                self.expect("p", ")")
                return ("lambda", segs, tok[1], var, body)
            if tok == ("name", "$count"):
                self.next()
                flt = None
                if self.accept("p", "("):
                    opts = self.options(allowed={"$filter"})
                    self.expect("p", ")")
                    flt = opts.get("filter")
                return ("count", segs, flt)
            segs.append(self.expect("name")[1])
        return ("path", segs)

    # $select / $orderby / $expand and nested options
    def select(self):
        if self.accept("p", "*"):
            return None
        fields = [self.expect("name")[1]]
        while self.accept("p", ","):
            if self.accept("p", "*"):
                return None
            fields.append(self.expect("name")[1])
        return fields

    def orderby(self):
        items = []
        while True:
            e = self.additive()
            if e[0] == "lit":
                raise ParseError("$orderby takes field paths or expressions over them")
            direction = "desc"  # pine: no direction means DESCENDING
            tok = self.peek()
            if tok in (("name", "asc"), ("name", "desc")):
                self.next()
                direction = tok[1]
            items.append((e, direction))
            if not self.accept("p", ","):
                return items

    def expand(self):
        items = [self.expand_item()]
        while self.accept("p", ","):
            items.append(self.expand_item())
        return items

    def expand_item(self):
        nav = self.expect("name")[1]
        count = False
        if self.accept("p", "/"):
            tok = self.expect("name")
            if tok[1] != "$count":
                raise not_implemented(f"$expand through a path ({nav}/{tok[1]})")
            count = True
        opts = {}
        if self.accept("p", "("):
            opts = self.options()
            self.expect("p", ")")
        return {"nav": nav, "count": count, "options": opts}

    def options(self, allowed=None):
        opts = {}
        while True:
            name = self.expect("name")[1]
            if allowed is not None and name not in allowed:
                raise ParseError(f"option {name} not allowed here")
            self.expect("p", "=")
            parse_option_value(self, name, opts)
            if not (self.accept("p", ";") or self.accept("p", "&")):
                return opts


def parse_option_value(p: Parser, name: str, opts: dict):
    if name == "$filter":
        opts["filter"] = p.expr()
    elif name == "$select":
        opts["select"] = p.select()
    elif name == "$expand":
        opts["expand"] = p.expand()
    elif name == "$orderby":
        opts["orderby"] = p.orderby()
    elif name in ("$top", "$skip"):
        tok = p.expect("lit")
        if not isinstance(tok[1], int) or isinstance(tok[1], bool) or tok[1] < 0:
            raise ParseError(f"{name} takes an unsigned integer")
        opts[name[1:]] = tok[1]
    elif name in ("$count", "$inlinecount", "$format"):
        raise not_implemented(f"the {name} query option")
    else:
        raise ParseError(f"unknown query option {name}")


# ---------------------------------------------------------------------------------------------
# Public entry points


def split_query(raw_query: str) -> list[tuple[str, str]]:
    """Split a raw query string on ``&`` outside quotes; names decoded, values left raw."""
    parts: list[str] = []
    buf: list[str] = []
    in_q = False
    depth = 0  # nested $expand options may also be separated by '&' inside their parentheses
    i, n = 0, len(raw_query)
    while i < n:
        c = raw_query[i]
        if c == "'" or raw_query[i:i + 3].lower() == "%27":
            in_q = not in_q
            step = 1 if c == "'" else 3
            buf.append(raw_query[i:i + step])
            i += step
            continue
        if not in_q:
            lc = raw_query[i:i + 3].lower()
            if c == "(" or lc == "%28":
                depth += 1
            elif (c == ")" or lc == "%29") and depth:
                depth -= 1
        if c == "&" and not in_q and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(c)
        i += 1
    parts.append("".join(buf))
    out = []
    for part in parts:
        if not part:
            continue
        name, _, value = part.partition("=")
        out.append((unquote_plus(name), value))
    return out


def parse_options(pairs: list[tuple[str, str]]) -> dict:
    """Top-level ``$``-options from split_query pairs; other params (apikey, @aliases) are skipped."""
    params = {k: v for k, v in pairs if k.startswith("@")}
    opts: dict = {}
    for name, raw in pairs:
        if not name.startswith("$"):
            continue
        p = Parser(tokenize(raw, params))
        parse_option_value(p, name, opts)
        p.done()
    return opts


def parse_resource_path(raw_path: str, pairs: list[tuple[str, str]]):
    """``/v7/<resource>[(<key>)][/$count]`` -> (resource, key, is_count).

    ``key`` is None, an int/str literal (``(5)``), or a dict of named key values.
    """
    params = {k: v for k, v in pairs if k.startswith("@")}
    rest = raw_path
    m = re.match(r"[^(/]+", rest)
    if not m:
        raise ParseError("missing resource name")
    resource = unquote(m.group(0))
    rest = rest[m.end():]
    key = None
    if rest.startswith("("):
        # find the closing parenthesis outside quotes
        depth_end = None
        in_q = False
        i = 1
        while i < len(rest):
            c = rest[i]
            if c == "'" or rest[i:i + 3].lower() == "%27":
                in_q = not in_q
                i += 1 if c == "'" else 3
                continue
            if c == ")" and not in_q:
                depth_end = i
                break
            i += 1
        if depth_end is None:
            raise ParseError("unclosed key")
        key = parse_key(rest[1:depth_end], params)
        rest = rest[depth_end + 1:]
    rest_decoded = unquote(rest)
    if rest_decoded in ("", "/"):
        return resource, key, False
    if rest_decoded == "/$count":
        return resource, key, True
    if rest_decoded.startswith("/$count"):
        raise not_implemented("options in the $count path segment")
    raise not_implemented(f"navigating through an entity path ({unquote(raw_path)})")


def parse_key(raw: str, params: dict):
    p = Parser(tokenize(raw, params))
    if p.peek()[0] == "lit" and p.peek(1)[0] == "eof":
        return p.next()[1]
    key = {}
    while True:
        name = p.expect("name")[1]
        p.expect("p", "=")
        tok = p.expect("lit")
        key[name] = tok[1]
        if not p.accept("p", ","):
            break
    p.done()
    return key


def parse_filter(raw: str) -> tuple:
    p = Parser(tokenize(raw))
    e = p.expr()
    p.done()
    return e


__all__ = [
    "ApiError", "ParseError", "parse_filter", "parse_key", "parse_options", "parse_resource_path",
    "split_query", "tokenize",
]
