"""The balena API's per-resource rules, one module per family, registered here explicitly.

``REGISTRY.get(resource_name)`` gives the ``ResourceRules`` the store runs inside the write transaction
(see ``base.py`` for the order). A resource with no entry follows pine's generic behaviour only.
Adding a family: write ``rules/<family>.py`` with ``FAMILY`` and ``RULES``, and list it in ``FAMILIES``.
"""

from __future__ import annotations

from ..schema import RESOURCES
from . import devices, fleets, keys, members, organizations, releases, tags, variables
from .base import Ctx, Registry, ResourceRules

FAMILIES = (organizations, fleets, devices, releases, variables, tags, members, keys)

REGISTRY = Registry(r.name for r in RESOURCES)
for _family in FAMILIES:
    REGISTRY.add(_family.FAMILY, _family.RULES)

__all__ = ["Ctx", "FAMILIES", "REGISTRY", "ResourceRules"]
