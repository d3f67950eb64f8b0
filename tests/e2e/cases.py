"""How each kind is adopted: the import case every kind's own e2e test file declares as ``IMPORT_CASE``.

``tests/e2e/test_import.py`` collects them (one per kind in the registry) and adopts each on the engine,
so a new kind brings its adoption case in its own test file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from balena_pulumi.sandbox.seed import PRODUCTION_DEVICE_UUIDS

DEVICE = PRODUCTION_DEVICE_UUIDS[0]
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ3NTinf2J+6qrj8R0yTV78ySkvJlv0Oexn8kaWYPWYk ops@laptop"


@dataclass(frozen=True)
class Case:
    kind: str
    inputs: dict[str, Any]
    # The import id, from the origin stack's resource id (numeric where the kind has no natural key).
    import_id: Callable[[str], str]
    # Outputs that the adopted resource must report as the origin's did.
    same_outputs: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return self.kind


def natural(key: str) -> Callable[[str], str]:
    return lambda _id: key


def numeric(resource_id: str) -> str:
    return resource_id


def by_natural_key(kind: str, inputs: dict[str, Any]) -> Callable[[str], str]:
    """The import id the kind's provider computes for these inputs (what `balena-pulumi discover` uses)."""

    def import_id(_resource_id: str) -> str:
        from balena_pulumi.resources import provider_class

        key = provider_class(kind)().natural_key(inputs)
        assert key is not None, f"{kind} has no natural key for {inputs}"
        return key

    return import_id
