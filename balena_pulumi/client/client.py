"""``BalenaClient``: the entry point of the wire client, and ``get_client``, the per-process cache.

A client owns one :class:`~.transport.Transport` (pooled session, retries), one natural-key
:class:`~.services._base.LookupCache` and one service object per family. It is thread-safe. The Pulumi
provider must not hold one in its pickled state: call :func:`get_client` from inside a provider method.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from .services import (
    ApiKeys,
    DeviceTypes,
    Devices,
    FleetMembers,
    Fleets,
    Invites,
    OrganizationMembers,
    Organizations,
    Releases,
    Roles,
    ServiceInstalls,
    Services,
    SshKeys,
    Tags,
    Users,
    Variables,
    WhoamiCache,
)
from .services._base import LookupCache
from .transport import DEFAULT_API_URL, Transport

__all__ = ["BalenaClient", "get_client", "clear_clients", "default_concurrency", "CONCURRENCY_ENV"]

T = TypeVar("T")

# How many requests one client sends at once on behalf of one caller that has many to send (a bulk
# resource writing 30 variables). Shared by all such callers of the client, so it is also the most a whole
# provider process sends this way at any moment.
DEFAULT_CONCURRENCY = 16
CONCURRENCY_ENV = "BALENA_PULUMI_CONCURRENCY"


def default_concurrency() -> int:
    """``$BALENA_PULUMI_CONCURRENCY`` when it is a positive integer, else 16."""
    raw = os.environ.get(CONCURRENCY_ENV, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_CONCURRENCY


class BalenaClient:
    """Typed access to the balena API v7.

    ``BalenaClient(api_url, token, connect_timeout=5, read_timeout=30, max_retries=4, max_retry_wait=60)``;
    ``pool_maxsize`` (connections kept open) defaults to :func:`~.transport.set_default_pool_maxsize`'s value;
    ``concurrency`` (default :func:`default_concurrency`) bounds :meth:`concurrently`.
    ``token`` is a session JWT or an API key (``token_kind`` tells which); it never appears in ``repr``,
    logs or errors.
    """

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
        concurrency: int | None = None,
    ) -> None:
        self.concurrency = int(concurrency or default_concurrency())
        self._fan_out: ThreadPoolExecutor | None = None
        self.transport = Transport(
            api_url,
            token,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            backoff_factor=backoff_factor,
            pool_maxsize=pool_maxsize,
        )
        self.lookup_cache = LookupCache()
        self._lock = threading.Lock()
        self._scoped: dict[tuple[str, str], Any] = {}
        self.organizations = Organizations(self)
        self.fleets = Fleets(self)
        self.device_types = DeviceTypes(self)
        self.releases = Releases(self)
        self.services = Services(self)
        self.service_installs = ServiceInstalls(self)
        self.devices = Devices(self)
        self.users = Users(self)
        self.roles = Roles(self)
        self.fleet_members = FleetMembers(self)
        self.organization_members = OrganizationMembers(self)
        self.api_keys = ApiKeys(self)
        self.ssh_keys = SshKeys(self)
        self.whoami = WhoamiCache(self)

    @property
    def api_url(self) -> str:
        return self.transport.api_url

    @property
    def token_kind(self) -> str | None:
        """"session" (JWT), "api_key", or None without a token."""
        return self.transport.token_kind

    def __repr__(self) -> str:
        return f"<BalenaClient {self.transport.api_url} ({self.token_kind or 'anonymous'})>"

    def _scoped_service(self, family: str, kind: str, factory) -> Any:
        with self._lock:
            svc = self._scoped.get((family, kind))
            if svc is None:
                svc = self._scoped[(family, kind)] = factory(self, kind)
            return svc

    def variables(self, kind: str) -> Variables:
        """Variables of one kind: fleet_env, fleet_config, fleet_build, service_env, device_env,
        device_config, device_service_env."""
        return self._scoped_service("variables", kind, Variables)

    def tags(self, kind: str) -> Tags:
        """Tags of one kind: fleet, device, release."""
        return self._scoped_service("tags", kind, Tags)

    def invites(self, kind: str) -> Invites:
        """Invites of one kind: fleet, organization."""
        return self._scoped_service("invites", kind, Invites)

    def user_id(self) -> int:
        """The logged-in user's id (from the cached ``/actor/v1/whoami``)."""
        me = self.whoami()
        if me.user_id is None:
            raise ValueError(f"logged in as a {me.actor_type}, not a user")
        return me.user_id

    def clear_cache(self) -> None:
        """Forget natural-key lookups (not whoami)."""
        self.lookup_cache.clear()

    def concurrently(self, calls: Sequence[Callable[[], T]]) -> list[tuple[T | None, Exception | None]]:
        """Run every call, at most ``concurrency`` at once across all callers of this client.

        Returns ``(result, None)`` or ``(None, exception)`` per call, in the order given: one failure
        never stops the others, so a caller always learns the fate of each. The threads are the client's
        own (started on first use, shared by every caller), so the whole process never has more than
        ``concurrency`` such requests in flight, however many callers fan out at once; each request
        still has its retries, and a 429 holds back every thread (see ``transport.RateGate``). A single
        call runs in the caller's thread.
        """
        if len(calls) <= 1:
            return [_outcome(call) for call in calls]
        with self._lock:
            if self._fan_out is None:
                self._fan_out = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="balena-fan-out")
            pool = self._fan_out
        futures = [pool.submit(_outcome, call) for call in calls]
        return [future.result() for future in futures]

    def close(self) -> None:
        with self._lock:
            pool, self._fan_out = self._fan_out, None
        if pool is not None:
            pool.shutdown(wait=False)
        self.transport.close()

    def __enter__(self) -> "BalenaClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _outcome(call: Callable[[], T]) -> tuple[T | None, Exception | None]:
    try:
        return call(), None
    except Exception as exc:  # noqa: BLE001 - handed back to the caller, which decides
        return None, exc


_CLIENTS: dict[tuple[str, str | None], BalenaClient] = {}
_CLIENTS_LOCK = threading.Lock()


def get_client(api_url: str = DEFAULT_API_URL, token: str | None = None, **options: Any) -> BalenaClient:
    """The process-wide client for (api_url, token), built on first use.

    For Pulumi dynamic providers: call it inside ``create``/``read``/... rather than storing a client on
    the provider (which would be pickled into state). ``options`` apply only when the client is built.
    """
    cache_key = (api_url.rstrip("/"), token or None)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(cache_key)
        if client is None:
            client = _CLIENTS[cache_key] = BalenaClient(api_url, token, **options)
        return client


def clear_clients() -> None:
    """Close and forget every cached client (tests, or after a fork)."""
    with _CLIENTS_LOCK:
        for c in _CLIENTS.values():
            c.close()
        _CLIENTS.clear()
