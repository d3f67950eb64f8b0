"""The one root of every error this package raises: ``BalenaPulumiError``.

Imports nothing, so every layer may use it (the wire client derives ``BalenaError`` from it, the
resources derive their user-facing errors from it). Whatever reaches a user from this package is an
instance of this class, and its ``str()`` is the whole message: what failed, on which resource and
field, and the rule or the API's own words, with no secret in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class BalenaPulumiError(Exception):
    """Root of every error raised by balena-pulumi."""


class PartialFailure(BalenaPulumiError):
    """A create or update that wrote part of what it had to, then failed: what exists now goes with it.

    ``id`` and ``outputs`` describe the object exactly as it stands after the failure (for a bulk
    resource: the entries that exist, with the values they hold). The provider host hands them to the
    engine with the error (the engine's ``ErrorResourceInitFailed``), so the state records what was done
    and the next ``pulumi up`` finishes the rest; the message is what the user reads.
    """

    def __init__(self, message: str, *, id: str, outputs: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.id = str(id)
        self.outputs = dict(outputs)

    def __reduce__(self) -> Any:
        return (_rebuild_partial, (type(self), str(self), self.id, self.outputs))


def _rebuild_partial(cls: type, message: str, id: str, outputs: Mapping[str, Any]) -> PartialFailure:
    return cls(message, id=id, outputs=outputs)


__all__ = ["BalenaPulumiError", "PartialFailure"]
