"""HTTP transport for the balena API: one pooled ``requests.Session``, timeouts, retries, typed errors.

The transport knows URLs, headers and status codes; it knows nothing of balena resources. It is safe to
share between threads (the Pulumi provider process serves four gRPC threads with one provider).

Retry policy (urllib3 :class:`~urllib3.util.Retry`, through :class:`BalenaRetry`):

* 429 (honouring ``Retry-After`` in seconds), 502, 503, 504 and connection errors are retried, at most
  ``max_retries`` times, with exponential backoff between attempts when the server gives no Retry-After;
* the total time spent *waiting* between attempts of one call is bounded by ``max_retry_wait``; a
  ``Retry-After`` that does not fit in what is left ends the retries at once (the caller gets
  :class:`~balena_pulumi.client.errors.RateLimited` with ``retry_after``);
* POST is retried only when nothing can have happened server-side: a connect error (nothing was sent),
  429 and 503 (answered before any processing). A read timeout, a dropped connection, 502 or 504 after a
  POST are NOT retried: the entity may exist.
"""

from __future__ import annotations

import base64
import json
import logging
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
    BalenaError,
    TransportError,
    UnexpectedResponse,
    error_for_status,
    safe_path,
)

__all__ = ["Transport", "BalenaRetry", "token_kind_of", "DEFAULT_API_URL"]

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.balena-cloud.com"
USER_AGENT = f"balena-pulumi/{__version__} (+python-requests/{requests.__version__})"

# Methods whose repetition cannot create a second object. PATCH here only sets fields to given values;
# DELETE of something already gone is 200 (or 404 for a keyed application delete, which callers treat
# as done).
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
# Statuses the API answers before touching anything, so even a POST may be repeated.
_ANSWERED_BEFORE_PROCESSING = frozenset({429, 503})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class BalenaRetry(Retry):
    """urllib3 ``Retry`` with a POST rule and a budget on the total wait of one call.

    ``waited`` is carried from one attempt to the next (urllib3 builds a new ``Retry`` per attempt
    through :meth:`new`).
    """

    def __init__(self, *args: Any, max_retry_wait: float = 60.0, waited: float = 0.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_retry_wait = float(max_retry_wait)
        self.waited = float(waited)

    def new(self, **kw: Any) -> "BalenaRetry":
        kw.setdefault("max_retry_wait", self.max_retry_wait)
        kw.setdefault("waited", self.waited)
        return super().new(**kw)  # type: ignore[return-value]

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method and method.upper() == "POST":
            return status_code in _ANSWERED_BEFORE_PROCESSING and status_code in (self.status_forcelist or ())
        return super().is_retry(method, status_code, has_retry_after)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
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
        return new_retry


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
        pool_maxsize: int = 16,
    ) -> None:
        if not api_url.startswith(("http://", "https://")):
            raise ValueError(f"api_url must be an http(s) URL, not {api_url!r}")
        self.api_url = api_url.rstrip("/")
        self._token = token or None
        self.timeout = (float(connect_timeout), float(read_timeout))
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
        )
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=self.retry)
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
        transport failure.
        """
        method = method.upper()
        url = self.api_url + path + (f"?{query}" if query else "")
        shown = safe_path(path + (f"?{query}" if query else ""))
        kwargs: dict[str, Any] = {"timeout": self.timeout, "allow_redirects": False}
        if json_body is not None:
            kwargs["data"] = json.dumps(json_body, separators=(",", ":")).encode("utf-8")
            kwargs["headers"] = {"Content-Type": "application/json"}
        started = time.monotonic()
        try:
            resp = self._session.request(method, url, **kwargs)
        except requests.exceptions.RequestException as exc:
            raise TransportError(_transport_reason(exc), method=method, path=shown) from None
        elapsed = (time.monotonic() - started) * 1000
        log.debug("%s %s -> %s (%.0f ms)", method, shown, resp.status_code, elapsed)
        if resp.status_code not in ok:
            raise error_for_status(
                method,
                shown,
                resp.status_code,
                resp.content,
                resp.headers.get("Content-Type"),
                resp.headers.get("Retry-After"),
            )
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


def _transport_reason(exc: BaseException) -> str:
    """A short cause for a transport failure, without URLs (they could hold a query secret)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "read timeout (the request may have been processed; not retried if unsafe)"
    if isinstance(exc, requests.exceptions.RetryError):
        return "retries exhausted"
    reason: BaseException | None = exc
    # Walk to the innermost cause: MaxRetryError -> ProtocolError -> RemoteDisconnected, ...
    seen = 0
    while reason is not None and seen < 6:
        inner = getattr(reason, "reason", None)
        if inner is None and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        if inner is None or inner is reason:
            break
        reason = inner
        seen += 1
    name = type(reason).__name__ if reason is not None else type(exc).__name__
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return "connection refused or unreachable"
    if isinstance(reason, urllib3.exceptions.ProtocolError) or name in ("RemoteDisconnected", "ConnectionResetError"):
        return "connection dropped before a response (the request may have been processed)"
    return f"connection error ({name})"
