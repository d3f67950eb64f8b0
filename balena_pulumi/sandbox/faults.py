"""Injected faults and the request log: what the control API (``/_sandbox/...``) manipulates.

A fault matches on methods and a path prefix (both optional) and fires either for the next ``count``
matching requests or with probability ``rate`` (an RNG seeded by ``seed``: the n-th matching request gets
the n-th draw, so a run with one client is reproducible), or, with neither, for every match until cleared.

Before the request is processed:
    ``latency`` (adds ``latency_ms``; several add up), ``status`` (answers ``status`` instead; 429 carries
    ``Retry-After`` and the body ``"Too Many Requests"``), ``rate_limit`` (``status`` 429), ``drop`` (closes
    the connection without answering: FIN), ``reset`` (aborts the connection: RST).
After the request is processed and its write committed:
    ``answer_lost`` (the connection is closed with no response at all: FIN), ``reset_after_write`` (the
    connection is aborted: SO_LINGER 0 then close, so the client sees a reset).
"""

from __future__ import annotations

import itertools
import random
import re
import threading
from collections import deque

from .errors import InputError

BEFORE = ("latency", "status", "rate_limit", "drop", "reset")
AFTER = ("answer_lost", "reset_after_write")
KINDS = BEFORE + AFTER
_STATUS_BODIES = {429: "Too Many Requests", 500: None, 502: None, 503: None, 504: None}
_METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"}


def _methods(method, methods) -> frozenset | None:
    names = []
    if method is not None:
        names.append(method)
    if methods is not None:
        if isinstance(methods, str) or not isinstance(methods, (list, tuple, set, frozenset)):
            raise InputError("methods must be a list of HTTP methods")
        names.extend(methods)
    if not names:
        return None
    out = set()
    for m in names:
        if not isinstance(m, str) or m.upper() not in _METHODS:
            raise InputError(f"unknown HTTP method {m!r}")
        out.add(m.upper())
    return frozenset(out)


def _num(name, v, kind=float):
    if isinstance(v, bool):
        raise InputError(f"{name} must be a number")
    try:
        return kind(v)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number") from None


class Fault:
    def __init__(self, kind, *, status=None, retry_after=None, latency_ms=None, rate=None, count=None,
                 method=None, methods=None, path_prefix=None, seed=None):
        if kind not in KINDS:
            raise InputError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        if kind == "rate_limit":
            kind, status = "status", 429
        if kind == "status":
            if status is None:
                raise InputError("a status fault needs status")
            status = _num("status", status, int)
            if status not in _STATUS_BODIES:
                raise InputError(f"status fault must be one of {sorted(_STATUS_BODIES)}, not {status}")
            if status == 429 and retry_after is None:
                retry_after = 1
        elif status is not None:
            raise InputError(f"status applies only to status faults, not {kind}")
        if kind == "latency" and not latency_ms:
            raise InputError("a latency fault needs latency_ms")
        if latency_ms is not None and (isinstance(latency_ms, bool) or not isinstance(latency_ms, (int, float))
                                       or latency_ms < 0):
            raise InputError("latency_ms must be a number >= 0")
        if rate is not None and not 0 <= _num("rate", rate) <= 1:
            raise InputError("rate must be between 0 and 1")
        if count is not None and _num("count", count, int) < 0:
            raise InputError("count must be >= 0")
        if retry_after is not None and _num("retry_after", retry_after) < 0:
            raise InputError("retry_after must be >= 0")
        if path_prefix is not None and not isinstance(path_prefix, str):
            raise InputError("path_prefix must be a string")
        self.kind, self.status, self.retry_after = kind, status, retry_after
        self.latency_ms = latency_ms
        self.rate = None if rate is None else float(rate)
        self.count = None if count is None else int(count)
        if not isinstance(seed, (int, str, type(None))) or isinstance(seed, bool):
            raise InputError("seed must be an integer or a string")
        self.methods = _methods(method, methods)
        self.path_prefix = path_prefix
        self.seed = seed
        self.rng = random.Random(seed)

    @property
    def after_commit(self) -> bool:
        return self.kind in AFTER

    def to_dict(self):
        return {"kind": self.kind, "status": self.status, "retry_after": self.retry_after,
                "latency_ms": self.latency_ms, "rate": self.rate, "count": self.count,
                "methods": sorted(self.methods) if self.methods else None, "path_prefix": self.path_prefix,
                "seed": self.seed}

    def matches(self, method, path):
        if self.methods and method not in self.methods:
            return False
        if self.path_prefix and not path.startswith(self.path_prefix):
            return False
        return True

    def fires(self):
        """Consume one firing if due. Caller holds the registry lock."""
        if self.count is not None:
            if self.count <= 0:
                return False
            if self.rate is not None and self.rng.random() >= self.rate:
                return False
            self.count -= 1
            return True
        if self.rate is not None:
            return self.rng.random() < self.rate
        return True


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.items: list[Fault] = []

    def add(self, fault: Fault):
        with self.lock:
            self.items.append(fault)

    def clear(self):
        with self.lock:
            self.items.clear()

    def list(self):
        with self.lock:
            return [f.to_dict() for f in self.items]

    def pick(self, method, path):
        """-> (latency_seconds, fault or None) for one incoming API request: every due latency fault adds
        up; the first other due fault decides the outcome."""
        latency = 0.0
        chosen = None
        with self.lock:
            if not self.items:
                return 0.0, None
            for f in self.items:
                if not f.matches(method, path):
                    continue
                if f.kind == "latency":
                    if f.fires():
                        latency += f.latency_ms / 1000
                elif chosen is None and f.fires():
                    chosen = f
                    if f.latency_ms:
                        latency += f.latency_ms / 1000
            self.items = [f for f in self.items if f.count is None or f.count > 0]
        return latency, chosen


_KEY_RE = re.compile(r"\((?:[^()']|'(?:[^']|'')*')*\)")
_ID_RE = re.compile(r"/\d+(?=/|$)")


def count_key(path: str) -> str:
    """``/v7/application(5)`` -> ``/v7/application(...)``: keys and ids are folded for counting."""
    if "(" in path:
        path = _KEY_RE.sub("(...)", path)
    return _ID_RE.sub("/(...)", path)


_FIELDS = ("seq", "method", "path", "query", "status", "fault", "latency_ms")


class RequestLog:
    """Every balena API request, in arrival order, as compact tuples; counts kept as requests arrive.

    Holds the most recent ``limit`` entries (older ones are dropped, ``seq`` keeps counting), so a
    long-running sandbox stays bounded; ``since`` lets a reader fetch only what is new.
    """

    def __init__(self, limit: int = 200_000):
        self.lock = threading.Lock()
        self.items: deque = deque(maxlen=limit)
        self.seq = 0
        self._counts: dict[str, int] = {}

    def add(self, method, path, query, status, fault=None, latency_ms=0):
        key = f"{method} {count_key(path)}"
        with self.lock:
            self.seq += 1
            self.items.append((self.seq, method, path, query, status, fault, latency_ms))
            self._counts[key] = self._counts.get(key, 0) + 1
            self._counts[method] = self._counts.get(method, 0) + 1

    def list(self, since: int = 0):
        with self.lock:
            newer = self.seq - since if since else len(self.items)
            if newer >= len(self.items):
                rows = list(self.items)
            else:  # the newest entries are at the right: walk only those
                rows = list(itertools.islice(reversed(self.items), max(newer, 0)))[::-1]
        return [dict(zip(_FIELDS, r)) for r in rows]

    def clear(self):
        with self.lock:
            self.items.clear()
            self._counts.clear()

    def counts(self):
        with self.lock:
            return dict(self._counts)
