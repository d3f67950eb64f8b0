"""Typed errors raised by the balena API wire client.

Every HTTP failure becomes one class of this tree, chosen by status code::

    BalenaError
     +-- ApiError                      the server answered with an error status
     |    +-- BadRequest               400 (validation, rules, malformed URL)
     |    +-- Unauthorized             401 (no/invalid credentials, no permission, unknown resource)
     |    |    +-- SessionTokenRequired  401 on a route that needs a session (JWT) login, sent with an API key
     |    |    +-- FreshLoginRequired    401 "Fresh authentication token required": the session is too old
     |    +-- Forbidden                403
     |    +-- NotFound                 404, and natural-key lookups that found nothing
     |    +-- Conflict                 409 (``is_unique_violation`` for duplicate natural keys)
     |    +-- RateLimited              429 after retries ran out (``retry_after`` in seconds)
     |    +-- ServerError              5xx after retries ran out (a POST's 5xx other than 503: OutcomeUnknown)
     +-- TransportError                no usable HTTP answer (connect error, timeout, dropped connection)
     |    +-- OutcomeUnknown           a POST was sent and then failed in a way that leaves unknown whether
     |                                 the API stored it (dropped or reset connection, read timeout, 5xx
     |                                 other than 503); ``cause`` is the ServerError or TransportError
     +-- UnexpectedResponse            a 2xx answer whose body is not what the API documents

Each error carries ``method``, ``path`` (query secrets such as ``apikey=`` removed), ``status`` (None for
transport errors) and ``api_message`` (the decoded body: JSON strings decoded, empty bodies None, plain
text as is). ``str()`` reads like ``POST /v7/application_environment_variable -> 409 Conflict: "application"
and "name" must be unique.``. A refusal (401, 403) also carries ``refusal``: what the API refused and the
likely cause, worked out from the method, the resource and the kind of credential (see
:mod:`.refusals`); it stands in for the API's usually empty body in ``str()``. No error ever holds the
bearer token or an API key value.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from balena_pulumi.errors import BalenaPulumiError

from .refusals import explain, is_fresh_login_refusal

__all__ = [
    "BalenaError",
    "ApiError",
    "BadRequest",
    "Unauthorized",
    "SessionTokenRequired",
    "FreshLoginRequired",
    "Forbidden",
    "NotFound",
    "Conflict",
    "RateLimited",
    "ServerError",
    "TransportError",
    "OutcomeUnknown",
    "UnexpectedResponse",
    "error_for_status",
    "decode_api_message",
    "safe_path",
]

_SECRET_QUERY_KEYS = {"apikey", "api_key", "token", "_token", "access_token"}

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def safe_path(url_or_path: str) -> str:
    """Return the path and query of a URL with secret query parameters dropped.

    The scheme and host are dropped (they add noise, not information); ``apikey=`` and similar are
    removed so an error message can never leak a credential passed in the query string.
    """
    parts = urlsplit(url_or_path)
    path = parts.path or "/"
    if not parts.query:
        return path
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _SECRET_QUERY_KEYS]
    if not kept:
        return path
    return path + "?" + urlencode(kept, safe="$(),'/:*@=")


def decode_api_message(body: bytes | str | None, content_type: str | None = None) -> str | None:
    """Decode an error body the way the balena API writes them.

    OData errors are JSON-encoded strings (``"\\"slug\\" must be unique."``); some custom routes send plain
    text; many 401/500 answers are empty. Returns None for an empty body.
    """
    if body is None:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else body
    text = text.strip()
    if not text:
        return None
    if text[:1] in '"{[':
        try:
            decoded: Any = json.loads(text)
        except ValueError:
            return text
        if isinstance(decoded, str):
            return decoded or None
        if isinstance(decoded, dict):
            for key in ("message", "error", "msg"):
                if isinstance(decoded.get(key), str):
                    return decoded[key]
        return json.dumps(decoded, sort_keys=True)
    return text


class BalenaError(BalenaPulumiError):
    """Base of every error raised by the client (a ``BalenaPulumiError``)."""

    status: int | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None | object = ...,
        api_message: str | None = None,
        hint: str | None = None,
        refusal: str | None = None,
    ) -> None:
        self.method = method.upper() if method else None
        self.path = safe_path(path) if path else None
        if status is not ...:  # None is meaningful: a lookup miss has no HTTP status
            self.status = status  # type: ignore[assignment]
        self.api_message = api_message
        self.hint = hint
        self.refusal = refusal
        self._message = message
        super().__init__(self.__str__())

    def _reason(self) -> str:
        if self.status is None:
            return type(self).__name__
        return _REASONS.get(self.status, type(self).__name__)

    def __str__(self) -> str:
        head = ""
        if self.method and self.path:
            head = f"{self.method} {self.path} -> "
            head += f"{self.status} {self._reason()}" if self.status is not None else type(self).__name__
        detail = self._message or self.api_message
        if self.refusal and not self._message:
            detail = self.refusal
            if self.api_message:
                detail += f' (the API said: "{self.api_message}")'
        if not detail and self.status is not None:
            detail = "(empty response body)"
        text = f"{head}: {detail}" if head and detail else (head or detail or type(self).__name__)
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self):  # keep errors picklable across the provider's process boundary
        return (
            _rebuild_error,
            (type(self), self._message, self.method, self.path, self.status, self.api_message, self.hint, self.__dict__),
        )


def _rebuild_error(cls, message, method, path, status, api_message, hint, state):
    err = cls.__new__(cls)
    err.__dict__.update(state)  # before __init__: subclasses' __str__ may read their own fields
    BalenaError.__init__(
        err, message, method=method, path=path, status=status, api_message=api_message, hint=hint,
        refusal=state.get("refusal"),
    )
    err.__dict__.update(state)
    return err


class ApiError(BalenaError):
    """The API answered with an error status."""


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    """401: the balena API also uses it for "no permission", writes to an invisible parent and unknown resources."""

    status = 401


class SessionTokenRequired(Unauthorized):
    """401 on a route that only accepts a session (JWT) login, such as creating a named user API key."""


class FreshLoginRequired(Unauthorized):
    """401 ``"Fresh authentication token required"``: the route wants a session token issued recently.

    The real ``POST /api-key/user/full`` refuses a session token older than 20 minutes this way. The
    remedy is to log in again, not another kind of credential.
    """


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    """404, or a lookup by natural key that matched nothing (then ``status`` is None)."""

    status = 404


_UNIQUE_RE = re.compile(r"unique", re.IGNORECASE)


class Conflict(ApiError):
    status = 409

    @property
    def is_unique_violation(self) -> bool:
        """True for a duplicate natural key (the API's 409 body always says "unique")."""
        return bool(self.api_message and _UNIQUE_RE.search(self.api_message))


class RateLimited(ApiError):
    status = 429

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        if retry_after is not None and not kwargs.get("hint"):
            kwargs["hint"] = f"retry after {retry_after:g}s"
        super().__init__(*args, **kwargs)


class ServerError(ApiError):
    status = 500


class TransportError(BalenaError):
    """No usable answer: connection refused or reset, timeout, dropped connection, retries exhausted."""

    status = None


class OutcomeUnknown(TransportError):
    """A POST was sent, and then the exchange failed in a way that leaves unknown whether the API stored it.

    A ``TransportError`` (no usable answer), so code that settles any transport failure by looking the
    object up handles it too.

    Raised instead of retrying (a second POST could create a second object): after a dropped or reset
    connection, a read timeout, or a 5xx other than 503 (the API answers 503 and 429 before processing
    anything, and those are retried). ``cause`` is the :class:`ServerError` or :class:`TransportError`
    that was observed; ``status`` is its status (None without an HTTP answer). The caller should look
    the object up by its natural key before deciding anything.
    """

    def __init__(self, *args: Any, cause: BalenaError | None = None, **kwargs: Any) -> None:
        self.cause = cause
        if cause is not None:
            kwargs.setdefault("method", cause.method)
            kwargs.setdefault("path", cause.path)
            kwargs.setdefault("status", cause.status)
            kwargs.setdefault("api_message", cause.api_message)
        else:
            kwargs.setdefault("status", None)
        super().__init__(*args, **kwargs)

    def __str__(self) -> str:
        cause = self.cause
        if cause is not None and cause.status is not None:
            what = f"{cause.status} {_REASONS.get(cause.status, 'Server Error')}"
        elif cause is not None:
            what = cause._message or type(cause).__name__
        else:
            what = self._message or "no answer"
        head = f"{self.method} {self.path} -> " if self.method and self.path else ""
        return (
            f"{head}outcome unknown ({what}): the request reached the API, which may or may not have "
            "stored it; nothing was sent again"
        )


class UnexpectedResponse(BalenaError):
    """A success status with a body the API does not document (e.g. not JSON)."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


def parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime
        import datetime as _dt

        when = parsedate_to_datetime(value)
        return max(0.0, (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None


def error_for_status(
    method: str,
    path: str,
    status: int,
    body: bytes | str | None,
    content_type: str | None = None,
    retry_after: str | None = None,
    token_kind: str | None = None,
) -> ApiError:
    """Build the typed error for an HTTP error answer.

    ``token_kind`` (``"session"``, ``"api_key"`` or None) is the credential the request was sent with;
    it shapes the explanation of a refusal.
    """
    api_message = decode_api_message(body, content_type)
    if status == 429:
        return RateLimited(
            method=method, path=path, status=status, api_message=api_message, retry_after=parse_retry_after(retry_after)
        )
    refusal = explain(method, path, status, api_message, token_kind)
    if is_fresh_login_refusal(status, api_message):
        return FreshLoginRequired(method=method, path=path, status=status, api_message=api_message, refusal=refusal)
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else ApiError
    return cls(method=method, path=path, status=status, api_message=api_message, refusal=refusal)
