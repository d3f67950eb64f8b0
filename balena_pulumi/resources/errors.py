"""The errors the resources raise for a user to read.

``ResourceError`` is a ``balena_pulumi.errors.BalenaPulumiError`` (the package's one root) and a
``pulumi.RunError``: raised in a program (the duplicate-management guard, a bad stack config), the Pulumi
SDK prints its message alone, without a traceback; raised in the provider process, the provider host
reports its message alone (see ``balena_pulumi.provider_host``). Its text names the resource, the field
and the rule, or quotes the API; it never holds a secret.
"""

from __future__ import annotations

import pulumi

from balena_pulumi.errors import BalenaPulumiError


class ResourceError(BalenaPulumiError, pulumi.RunError):
    """An expected failure, worded for the person running ``pulumi up``."""


class ProgramError(ResourceError):
    """An error a Pulumi program raises (not the provider): a one-line headline, then the detail.

    The engine prints a program's error twice, once in its live display and once under Diagnostics; the
    live display shows only the first line. With a headline first, the detail is printed once.
    """

    def __init__(self, headline: str, detail: str) -> None:
        super().__init__(f"{headline}\n{detail}")
        self.headline = headline
        self.detail = detail


# The name earlier releases exported; kept for programs and tests that catch it.
BalenaResourceError = ResourceError

__all__ = ["ResourceError", "ProgramError", "BalenaResourceError"]
