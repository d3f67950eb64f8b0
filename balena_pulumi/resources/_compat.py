"""Old module paths of the resource kinds, kept importable.

Until this release every kind lived in a flat module (``balena_pulumi.resources.fleet_env_var``). Stacks
created then hold, in their state, the serialized provider of each resource, which names its class by
that module path; refresh and destroy unpickle it. This finder makes the old paths import the kind's
module in its family package (and the old shared modules their successors), so existing stacks keep
working and old imports in programs too.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from collections.abc import Mapping
from types import ModuleType

PACKAGE = "balena_pulumi.resources"
# Shared modules that moved or were split: old name -> new module.
MOVED_SHARED = {
    "_refs": "refs",
    "_variables": "variables._scope",
    "_tags": "tags._scope",
    "_access": "access._rules",
    "_invites": "access._invites",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, moved: Mapping[str, str]) -> None:
        self.moved = dict(moved)

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001 (importlib protocol)
        if fullname in self.moved:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec) -> ModuleType:  # noqa: ANN001
        # The real module itself, so classes unpickled through the old path are the very same classes.
        return importlib.import_module(self.moved[spec.name])

    def exec_module(self, module: ModuleType) -> None:
        pass


def install(registry: Mapping[str, str]) -> None:
    moved = {f"{PACKAGE}.{path.rsplit('.', 1)[-1]}": f"{PACKAGE}.{path}" for path in registry.values()}
    moved.update({f"{PACKAGE}.{old}": f"{PACKAGE}.{new}" for old, new in MOVED_SHARED.items()})
    for finder in sys.meta_path:
        if isinstance(finder, _MovedModules):
            finder.moved.update(moved)
            return
    sys.meta_path.append(_MovedModules(moved))
