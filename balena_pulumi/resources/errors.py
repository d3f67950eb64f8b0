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


# The name earlier releases exported; kept for programs and tests that catch it.
BalenaResourceError = ResourceError

__all__ = ["ResourceError", "BalenaResourceError"]
