"""Errors of the sandbox.

``ApiError(status, message)`` is an answer of the balena API, never seen by Python callers: it becomes a
JSON-string body (``"\\"slug\\" must be unique."``) with ``application/json; charset=utf-8``;
``message=None`` gives an empty body; ``plain=True`` sends the text unquoted (the custom routes that use
``res.send``).

``SandboxError`` (a ``BalenaPulumiError``) is what the sandbox's Python API and command report to their
caller; ``InputError`` is bad input to the control API or the Python API (answered 400 over HTTP).
"""

from __future__ import annotations

import sys

from ..errors import BalenaPulumiError


class SandboxError(BalenaPulumiError):
    """An error the sandbox reports to whoever runs or drives it (not an answer of the balena API)."""


class InputError(SandboxError, ValueError):
    """Bad input to the control API (a 400 there) or to the Python API."""


class StateFileError(SandboxError):
    """A state file this sandbox cannot use (written by a sandbox with another table layout)."""


class ApiError(Exception):
    def __init__(self, status: int, message: str | None = None, *, plain: bool = False, headers=None):
        super().__init__(f"{status} {message!r}")
        self.status = status
        self.message = message
        self.plain = plain
        self.headers = dict(headers or {})


def bad_request(message: str | None = None) -> ApiError:
    return ApiError(400, message)


def unauthorized() -> ApiError:
    return ApiError(401)


def server_error(reason: str) -> ApiError:
    """A 500 with an empty body, as pine answers translation failures; the reason goes to stderr."""
    print(f"balena sandbox: 500 (as the real API would): {reason}", file=sys.stderr, flush=True)
    return ApiError(500)


def not_implemented(feature: str) -> ApiError:
    """Something the real API supports but the sandbox does not: loud, never silently wrong."""
    msg = f"balena sandbox does not implement {feature}"
    print(f"balena sandbox: 501: {msg}", file=sys.stderr, flush=True)
    return ApiError(501, msg)


def malformed(url: str, reason: str = "") -> ApiError:
    if reason:
        print(f"balena sandbox: malformed url {url!r}: {reason}", file=sys.stderr, flush=True)
    return ApiError(400, f"Malformed url: '{url}'")
