"""Which engine call the current thread is serving: its RPC method, the resource's URN, the preview flag.

The provider host (:mod:`balena_pulumi.provider_host`) sets it around every call it passes to a provider,
so provider code can tell, without any argument being threaded through, which resource and which
operation it is working for (to name the resource in a message, to key a journal of writes in flight, to
refuse a write during a preview). It imports nothing from Pulumi, so any layer may read it.

    from balena_pulumi import provider_context

    call = provider_context.current()     # None outside a call served by the host
    if call is not None and call.preview:
        ...
    call.method   # "Create", "Update", "Read", "Delete", "Check", "Diff", "Configure", ...
    call.urn      # "urn:pulumi:dev::acme::pulumi-python:dynamic/balena:FleetTag::owner" ("" if the call has none)
    call.kind     # "FleetTag" (for a balena type), call.name "owner", call.stack "dev", call.project "acme"

``preview`` is True only for the ``Create`` and ``Update`` calls the engine sends while previewing (the
engine says so in those requests); ``Check``, ``Diff`` and ``Read`` carry no such flag and report False.

The value lives in a :class:`contextvars.ContextVar`: each gRPC worker thread sees its own call. Work
handed to other threads does not inherit it; run it with ``contextvars.copy_context().run(fn, ...)``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["CallContext", "current", "serving", "UNKNOWN", "BALENA_TYPE_PREFIX"]

# The engine's placeholder for a value not known yet (during a preview). Providers may return it from
# ``preview_create``/``preview_update`` for outputs they cannot predict.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

BALENA_TYPE_PREFIX = "pulumi-python:dynamic/balena:"


@dataclass(frozen=True)
class CallContext:
    """One engine call: the gRPC method name, the resource's URN and whether it is a preview."""

    method: str
    urn: str = ""
    preview: bool = False

    def _parts(self) -> list[str]:
        # urn:pulumi:STACK::PROJECT::[PARENT$]TYPE::NAME
        return self.urn.split("::") if self.urn.startswith("urn:pulumi:") else []

    @property
    def stack(self) -> str:
        parts = self._parts()
        return parts[0][len("urn:pulumi:") :] if parts else ""

    @property
    def project(self) -> str:
        parts = self._parts()
        return parts[1] if len(parts) >= 4 else ""

    @property
    def type(self) -> str:
        """The resource's own type token, without its parents' types."""
        parts = self._parts()
        return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""

    @property
    def name(self) -> str:
        parts = self._parts()
        return "::".join(parts[3:]) if len(parts) >= 4 else ""

    @property
    def kind(self) -> str:
        """The balena kind (``FleetTag``) for a balena type, else the type token."""
        rtype = self.type
        return rtype[len(BALENA_TYPE_PREFIX) :] if rtype.startswith(BALENA_TYPE_PREFIX) else rtype


_current: contextvars.ContextVar[CallContext | None] = contextvars.ContextVar("balena_provider_call", default=None)


def current() -> CallContext | None:
    """The call the current thread is serving, or None outside one."""
    return _current.get()


@contextmanager
def serving(method: str, urn: str = "", preview: bool = False) -> Iterator[CallContext]:
    """Set the current call for the duration of a ``with`` block (used by the provider host)."""
    call = CallContext(method=method, urn=urn or "", preview=bool(preview))
    token = _current.set(call)
    try:
        yield call
    finally:
        _current.reset(token)
