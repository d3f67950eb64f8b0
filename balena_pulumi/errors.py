"""The one root of every error this package raises: ``BalenaPulumiError``.

Imports nothing, so every layer may use it (the wire client derives ``BalenaError`` from it, the
resources derive their user-facing errors from it). Whatever reaches a user from this package is an
instance of this class, and its ``str()`` is the whole message: what failed, on which resource and
field, and the rule or the API's own words, with no secret in it.
"""

from __future__ import annotations


class BalenaPulumiError(Exception):
    """Root of every error raised by balena-pulumi."""


__all__ = ["BalenaPulumiError"]
