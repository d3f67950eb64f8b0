"""balena API v7 wire client: HTTP, retries, typed errors, OData writing, models and per-family services.

Imports no Pulumi and nothing from ``resources`` or ``sandbox`` (see docs/architecture.md, docs/client.md).
Entry points: :class:`BalenaClient` and :func:`get_client`.
"""

from . import errors, models, odata
from .client import BalenaClient, clear_clients, default_concurrency, get_client
from .errors import (
    ApiError,
    BadRequest,
    BalenaError,
    Conflict,
    Forbidden,
    FreshLoginRequired,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    SessionTokenRequired,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
)
from .transport import DEFAULT_API_URL, set_default_pool_maxsize, token_kind_of

__all__ = [
    "BalenaClient",
    "get_client",
    "clear_clients",
    "default_concurrency",
    "DEFAULT_API_URL",
    "token_kind_of",
    "set_default_pool_maxsize",
    "errors",
    "models",
    "odata",
    "ApiError",
    "BadRequest",
    "BalenaError",
    "Conflict",
    "Forbidden",
    "FreshLoginRequired",
    "NotFound",
    "OutcomeUnknown",
    "RateLimited",
    "ServerError",
    "SessionTokenRequired",
    "TransportError",
    "Unauthorized",
    "UnexpectedResponse",
]
