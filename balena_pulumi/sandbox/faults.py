"""Injected faults and the request log: what the control API (``/_sandbox/...``) manipulates.

A fault matches on method and path prefix and fires either for the next ``count`` matching requests or
with probability ``rate`` (seedable RNG). Kinds: ``latency`` (adds ``latency_ms``), ``status`` (answers
``status``; 429 carries ``Retry-After`` and the body ``"Too Many Requests"``), ``rate_limit`` (shorthand for
status 429) and ``drop`` (closes the socket without answering).
"""

from __future__ import annotations

import random
import re
import threading

KINDS = ("latency", "status", "rate_limit", "drop")
_STATUS_BODIES = {429: "Too Many Requests", 500: None, 502: None, 503: None, 504: None}


class Fault:
    def __init__(self, kind, *, status=None, retry_after=None, latency_ms=None, rate=None, count=None,
                 method=None, path_prefix=None, seed=None):
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        if kind == "rate_limit":
            kind, status = "status", 429
        if kind == "status":
            if status is None:
                raise ValueError("a status fault needs status")
            status = int(status)
            if status not in _STATUS_BODIES:
                raise ValueError(f"status fault must be one of {sorted(_STATUS_BODIES)}, not {status}")
            if status == 429 and retry_after is None:
                retry_after = 1
        if kind == "latency" and not latency_ms:
            raise ValueError("a latency fault needs latency_ms")
        if rate is not None and not 0 <= float(rate) <= 1:
            raise ValueError("rate must be between 0 and 1")
        self.kind, self.status, self.retry_after = kind, status, retry_after
        self.latency_ms = latency_ms
        self.rate = None if rate is None else float(rate)
        self.count = None if count is None else int(count)
        self.method = method.upper() if method else None
        self.path_prefix = path_prefix
        self.rng = random.Random(seed)

    def to_dict(self):
        return {"kind": self.kind, "status": self.status, "retry_after": self.retry_after,
                "latency_ms": self.latency_ms, "rate": self.rate, "count": self.count, "method": self.method,
                "path_prefix": self.path_prefix}

    def matches(self, method, path):
        if self.method and self.method != method:
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
        """-> (latency_seconds, fault or None) for one incoming API request."""
        latency = 0.0
        chosen = None
        with self.lock:
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


def count_key(path: str) -> str:
    """``/v7/application(5)`` -> ``/v7/application(...)``: keys and ids are folded for counting."""
    path = _KEY_RE.sub("(...)", path)
    return re.sub(r"/\d+(?=/|$)", "/(...)", path)


class RequestLog:
    def __init__(self):
        self.lock = threading.Lock()
        self.items: list[dict] = []

    def add(self, method, path, query, status):
        with self.lock:
            self.items.append({"method": method, "path": path, "query": query, "status": status})

    def list(self):
        with self.lock:
            return [dict(i) for i in self.items]

    def clear(self):
        with self.lock:
            self.items.clear()

    def counts(self):
        out: dict[str, int] = {}
        with self.lock:
            for i in self.items:
                k = f"{i['method']} {count_key(i['path'])}"
                out[k] = out.get(k, 0) + 1
                out[i["method"]] = out.get(i["method"], 0) + 1
        return out
