"""Pulumi dynamic resources for balena, one kind per module, grouped by family.

Families are the subpackages (``fleets``, ``devices``, ``variables``, ``tags``, ``access``, ``keys``); a
kind is a module in one of them whose name is the kind in snake case (``variables/fleet_env_var.py``
defines ``FleetEnvVar``). ``REGISTRY`` (kind -> module path) is derived from the files themselves, without
importing them, so adding a kind is adding its module; a test checks that every kind has its module,
test file, doc page and type token. Classes are loaded on first access, so importing the package stays
cheap inside the provider process.

The shared layers: ``base`` (the provider base), ``fields`` (field declarations and text rules), ``refs``
(parents by natural key), ``guard`` (one resource per object), ``errors``, ``tokens`` (for policies),
``lookups`` (program-time lookups).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

from . import _compat


def _camel(stem: str) -> str:
    return "".join(part.capitalize() for part in stem.split("_"))


def _derive() -> dict[str, str]:
    found: dict[str, str] = {}
    here = Path(__file__).resolve().parent
    for family in sorted(info.name for info in pkgutil.iter_modules([str(here)]) if info.ispkg):
        for info in pkgutil.iter_modules([str(here / family)]):
            if not info.name.startswith("_") and not info.ispkg:
                found[_camel(info.name)] = f"{family}.{info.name}"
    return dict(sorted(found.items()))


# kind -> module (within this package) that defines the resource class of the same name.
REGISTRY: dict[str, str] = _derive()
_compat.install(REGISTRY)


def provider_class(kind: str) -> type:
    """The provider class of a kind (``FleetEnvVar`` -> ``FleetEnvVarProvider``)."""
    return getattr(importlib.import_module(f"{__name__}.{REGISTRY[kind]}"), f"{kind}Provider")


def __getattr__(name: str) -> Any:
    module = REGISTRY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = sorted(REGISTRY)
