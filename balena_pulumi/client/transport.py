"""HTTP transport for the balena API: one pooled ``requests.Session``, timeouts, retries, typed errors.

The transport knows URLs, headers and status codes; it knows nothing of balena resources. It is safe to
share between threads: the provider host serves many engine calls at once through one client, so the
connection pool is sized to the host's thread count (:func:`set_default_pool_maxsize`) and no thread
waits for, or throws away, a connection.

Retry policy (urllib3 :class:`~urllib3.util.Retry`, through :class:`BalenaRetry`):

* a request whose repetition cannot create a second object (GET, HEAD, OPTIONS, PUT, PATCH to given
  values, DELETE) is retried after 429, 500, 502, 503, 504, a refused, dropped or reset connection and a
  read timeout;
* a POST is retried only when nothing can have happened server-side: a connect error (nothing was
  sent), 429 and 503 (answered before any processing). After a dropped or reset connection, a read
  timeout or another 5xx, the POST may have been stored: it is not sent again and the caller gets
  :class:`~balena_pulumi.client.errors.OutcomeUnknown`;
* at most ``max_retries`` retries per call; between attempts the server's ``Retry-After`` (429, 503) is
  honoured, otherwise the wait is exponential backoff with jitter (``backoff_factor`` x 2^n, scaled by a
  random factor in [0.5, 1] so that many threads hit by one outage do not retry in step);
* the total time spent *waiting* between attempts of one call is bounded by ``max_retry_wait``; a wait
  that does not fit in what is left ends the retries at once (after a 429 the caller gets
  :class:`~balena_pulumi.client.errors.RateLimited` with ``retry_after``);
* a 429 holds back the whole transport, not only the call that received it: until its ``Retry-After``
  has passed, every other call of the same client waits before it sends anything (see
  :class:`RateGate`); calls already on the wire when the 429 is read are not recalled (each may get
  its own 429 and then waits too). Many threads writing at once (a bulk resource, the engine's
  parallel steps) then come back when the server asked, instead of each spending its retries on more
  429s.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import random
import threading
import time
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from .. import __version__
from .errors import (
    OutcomeUnknown,
    RateLimited,
    TransportError,
    UnexpectedResponse,
    error_for_status,
    safe_path,
)

__all__ = [
    "Transport",
    "BalenaRetry",
    "RateGate",
    "token_kind_of",
    "DEFAULT_API_URL",
    "set_default_pool_maxsize",
    "default_pool_maxsize",
]

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.balena-cloud.com"
USER_AGENT = f"balena-pulumi/{__version__} (+python-requests/{requests.__version__})"

# Methods whose repetition cannot create a second object. PATCH here only sets fields to given values;
# DELETE of something already gone is 200 (or 404 for a keyed application delete, which callers treat
# as done).
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
# Statuses the API answers before touching anything, so even a POST may be repeated.
_ANSWERED_BEFORE_PROCESSING = frozenset({429, 503})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_pool_lock = threading.Lock()
_default_pool_maxsize = 16


def set_default_pool_maxsize(size: int) -> None:
    """Connections kept per API host by transports built from now on (at least the caller's threads).

    The provider host calls it with its thread count before any client exists; a client built with an
    explicit ``pool_maxsize`` is not affected.
    """
    global _default_pool_maxsize
    if size < 1:
        raise ValueError(f"a connection pool needs at least one connection, not {size}")
    with _pool_lock:
        _default_pool_maxsize = int(size)


def default_pool_maxsize() -> int:
    with _pool_lock:
        return _default_pool_maxsize


class RateGate:
    """When the server last asked this client to slow down: a 429's ``Retry-After``, shared by every thread.

    :meth:`hold` is called with the wait a 429 asked for; :meth:`wait` (before each request is sent)
    sleeps until that moment has passed. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)

    def remaining(self) -> float:
        with self._lock:
            return max(0.0, self._until - time.monotonic())

    def wait(self) -> float:
        """Sleep until the last 429's Retry-After has passed (a later 429 extends it); the seconds slept."""
        slept = 0.0
        while (left := self.remaining()) > 0:
            time.sleep(left)
            slept += left
        return slept


class BalenaRetry(Retry):
    """urllib3 ``Retry`` with a POST rule and a budget on the total wait of one call.

    ``waited`` is carried from one attempt to the next (urllib3 builds a new ``Retry`` per attempt
    through :meth:`new`), and so is ``gate``, the transport's :class:`RateGate`, which learns of every
    429's Retry-After.
    """

    def __init__(
        self, *args: Any, max_retry_wait: float = 60.0, waited: float = 0.0, gate: RateGate | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_retry_wait = float(max_retry_wait)
        self.waited = float(waited)
        self.gate = gate

    def new(self, **kw: Any) -> "BalenaRetry":
        kw.setdefault("max_retry_wait", self.max_retry_wait)
        kw.setdefault("waited", self.waited)
        kw.setdefault("gate", self.gate)
        return super().new(**kw)  # type: ignore[return-value]

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method and method.upper() == "POST":
            return status_code in _ANSWERED_BEFORE_PROCESSING and status_code in (self.status_forcelist or ())
        return super().is_retry(method, status_code, has_retry_after)

    def get_backoff_time(self) -> float:
        """Exponential in the number of consecutive failures, from the first retry on, with jitter."""
        failures = 0
        for attempt in reversed(self.history):
            if attempt.redirect_location is not None:
                break
            failures += 1
        if failures == 0 or self.backoff_factor <= 0:
            return 0.0
        ceiling = min(self.backoff_max, self.backoff_factor * (2 ** (failures - 1)))
        return ceiling * (0.5 + random.random() / 2)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if response is not None and response.status == 429 and self.gate is not None:
            # Every other call of this client holds back too, whether this one retries or gives up.
            asked = self.get_retry_after(response) if self.respect_retry_after_header else None
            self.gate.hold(asked if asked is not None else 1.0)
        new_retry = super().increment(method, url, response, error, _pool, _stacktrace)
        assert isinstance(new_retry, BalenaRetry)
        wait = None
        if response is not None and self.respect_retry_after_header:
            wait = new_retry.get_retry_after(response)
        if wait is None:
            wait = new_retry.get_backoff_time()
        if self.waited + wait > self.max_retry_wait:
            reason = error or ResponseError(
                f"retry budget of {self.max_retry_wait:g}s would be exceeded by a {wait:g}s wait"
            )
            raise MaxRetryError(_pool, url, reason) from reason
        new_retry.waited = self.waited + wait
        new_retry.next_wait = wait
        return new_retry

    next_wait: float = 0.0

    def sleep(self, response=None) -> None:
        # The wait was chosen (and charged to the budget) in increment(); jitter must not pick another.
        if self.next_wait > 0:
            time.sleep(self.next_wait)


def token_kind_of(token: str | None) -> str | None:
    """"session" for a JWT (three base64url segments, JSON header), "api_key" otherwise, None without."""
    if not token:
        return None
    parts = token.split(".")
    if len(parts) == 3 and all(parts[:2]):
        try:
            head = parts[0] + "=" * (-len(parts[0]) % 4)
            header = json.loads(base64.urlsafe_b64decode(head.encode("ascii")))
            if isinstance(header, dict):
                return "session"
        except (ValueError, UnicodeError):
            pass
    return "api_key"


class Transport:
    """One pooled HTTP session against one API URL with one credential."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        token: str | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_retries: int = 4,
        max_retry_wait: float = 60.0,
        backoff_factor: float = 0.5,
        pool_maxsize: int | None = None,
    ) -> None:
        if not api_url.startswith(("http://", "https://")):
            raise ValueError(f"api_url must be an http(s) URL, not {api_url!r}")
        self.api_url = api_url.rstrip("/")
        self._token = token or None
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.gate = RateGate()
        self.retry = BalenaRetry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=0,
            redirect=0,
            backoff_factor=backoff_factor,
            backoff_max=max(1.0, float(max_retry_wait)),
            status_forcelist=RETRY_STATUSES,
            allowed_methods=_IDEMPOTENT,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
            max_retry_wait=max_retry_wait,
            gate=self.gate,
        )
        self.pool_maxsize = int(pool_maxsize) if pool_maxsize else default_pool_maxsize()
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self.pool_maxsize, max_retries=self.retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if self._token:
            self._session.headers["Authorization"] = f"Bearer {self._token}"
        # requests would otherwise read ~/.netrc and proxy variables per request; the credential is ours.
        self._session.trust_env = False
        self._closed = False
        self._lock = threading.Lock()

    @property
    def token_kind(self) -> str | None:
        return token_kind_of(self._token)

    def __repr__(self) -> str:
        cred = {None: "no token", "session": "session token", "api_key": "API key"}[self.token_kind]
        return f"<Transport {self.api_url} ({cred})>"

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._session.close()
                self._closed = True

    def request(
        self,
        method: str,
        path: str,
        *,
        query: str | None = None,
        json_body: Any = None,
        ok: tuple[int, ...] = (200, 201),
    ) -> Any:
        """Send one call (plus retries) and return the decoded JSON body, or None for an empty body.

        ``path`` starts with ``/`` (``/v7/application(5)``, ``/actor/v1/whoami``); ``query`` is an already
        encoded query string. Raises a :mod:`errors` class for any status outside ``ok`` or any
        transport failure; for a POST whose fate is unknown, :class:`~.errors.OutcomeUnknown`.
        """
        method = method.upper()
        url = self.api_url + path + (f"?{query}" if query else "")
        shown = safe_path(path + (f"?{query}" if query else ""))
        kwargs: dict[str, Any] = {"timeout": self.timeout, "allow_redirects": False}
        if json_body is not None:
            kwargs["data"] = json.dumps(json_body, separators=(",", ":")).encode("utf-8")
            kwargs["headers"] = {"Content-Type": "application/json"}
        held = self.gate.remaining()
        if held > 0:
            # A 429 answered to any call of this client holds back every call until its Retry-After.
            if held > self.retry.max_retry_wait:
                raise RateLimited(
                    method=method, path=shown, status=429, retry_after=math.ceil(held),
                    api_message="not sent: the API asked this client to wait (429 Retry-After)",
                )
            self.gate.wait()
        started = time.monotonic()
        try:
            resp = self._session.request(method, url, **kwargs)
        except requests.exceptions.RequestException as exc:
            reason, sent = _transport_failure(exc, self.timeout[1])
            error = TransportError(reason, method=method, path=shown)
            if sent and method == "POST":
                raise OutcomeUnknown(cause=error) from None
            raise error from None
        elapsed = (time.monotonic() - started) * 1000
        log.debug("%s %s -> %s (%.0f ms)", method, shown, resp.status_code, elapsed)
        if resp.status_code not in ok:
            error = error_for_status(
                method,
                shown,
                resp.status_code,
                resp.content,
                resp.headers.get("Content-Type"),
                resp.headers.get("Retry-After"),
                token_kind=self.token_kind or "none",
            )
            if method == "POST" and resp.status_code >= 500 and resp.status_code not in _ANSWERED_BEFORE_PROCESSING:
                raise OutcomeUnknown(cause=error)
            raise error
        if not resp.content or not resp.content.strip():
            return None
        try:
            return resp.json()
        except ValueError:
            raise UnexpectedResponse(
                f"expected JSON, got {resp.headers.get('Content-Type') or 'no content type'}",
                method=method,
                path=shown,
                status=resp.status_code,
            ) from None


def _transport_failure(exc: BaseException, read_timeout: float) -> tuple[str, bool]:
    """A short cause for a transport failure, without URLs (they could hold a query secret), and whether
    the request may have reached the server (False only when no connection was made)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect timeout", False
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no answer within the read timeout of {read_timeout:g}s", True
    if isinstance(exc, requests.exceptions.RetryError):
        return "retries exhausted", True
    reason: BaseException | None = exc
    # Walk to the innermost cause: MaxRetryError -> ProtocolError -> RemoteDisconnected, ...
    seen = 0
    while reason is not None and seen < 6:
        inner = getattr(reason, "reason", None)
        if inner is None:
            inner = next((a for a in reason.args if isinstance(a, BaseException)), None)
        if inner is None or inner is reason:
            break
        reason = inner
        seen += 1
    name = type(reason).__name__ if reason is not None else type(exc).__name__
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return "connection refused or unreachable", False
    if isinstance(reason, urllib3.exceptions.ConnectTimeoutError):
        return "connect timeout", False
    # RemoteDisconnected (a clean close) is a ConnectionResetError too: test it first.
    if name in ("RemoteDisconnected", "IncompleteRead"):
        return "connection closed before an answer", True
    if isinstance(reason, ConnectionResetError):
        return "connection reset before an answer", True
    if isinstance(reason, urllib3.exceptions.ProtocolError):
        return "connection closed before an answer", True
    if isinstance(reason, urllib3.exceptions.ReadTimeoutError):
        return f"no answer within the read timeout of {read_timeout:g}s", True
    return f"connection error ({name})", True
