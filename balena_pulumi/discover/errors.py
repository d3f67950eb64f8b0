"""The error `balena-pulumi discover` stops with (imports nothing heavy, so the command line stays light)."""

from __future__ import annotations

from balena_pulumi.errors import BalenaPulumiError


class DiscoverError(BalenaPulumiError):
    """Discovery stopped; the message says why and what to do (printed alone, without a traceback)."""
