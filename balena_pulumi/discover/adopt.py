"""Which import id adopts each resource the program will register.

A resource whose kind has a natural key adopts by it (``Record.natural_key``, from the kind's own
``natural_key``). A resource of a kind adopted by numeric id (API keys, provisioning keys, SSH keys, and
a release tag or invite without a natural key) is paired with the discovered object whose inputs it
carries, in order, and adopts by that object's id.

A resource the stack already holds keeps its entry only when the state records that very import id (the
engine then does nothing more with it, and the entry keeps it protected); otherwise it is left out: the
engine would "import-replace" a resource it holds under another import id, deleting the object
(docs/adopt.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import DiscoverError
from .plan import Record
from .snapshot import FoundObject

__all__ = ["Adoption", "DiscoverError", "adopt"]


@dataclass
class Adoption:
    resources: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> name -> import id
    managed: list[str] = field(default_factory=list)  # "Kind name" the stack holds under no or another id
    kept: list[str] = field(default_factory=list)  # "Kind name" the stack adopted already with the same id
    duplicates: list[tuple[Record, FoundObject | None]] = field(default_factory=list)
    unmatched: list[Record] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.resources.values())


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def adopt(
    records: Iterable[Record], objects: Iterable[FoundObject], managed: Mapping[tuple[str, str], str | None]
) -> Adoption:
    """Import ids for ``records``; ``managed`` maps (kind, name) of each resource already in the stack to the
    import id its state records (None when the stack created it)."""
    pool: dict[str, list[FoundObject]] = {}
    for obj in objects:
        pool.setdefault(obj.kind, []).append(obj)
    result = Adoption()
    seen: set[tuple[str, str]] = set()
    matched: list[tuple[Record, FoundObject | None, str | None]] = []
    for record in records:
        match: FoundObject | None = None
        import_id = record.natural_key
        if import_id is None:
            wanted = _plain(record.inputs)
            candidates = pool.get(record.kind, [])
            match = next((o for o in candidates if _plain(o.inputs) == wanted), None)
            if match is not None:
                candidates.remove(match)
                import_id = str(match.id)
        matched.append((record, match, import_id))
    # The program registers resources in no fixed order; of two that share a name, the older object (lower
    # id) is the one kept, whatever order the registrations arrived in.
    matched.sort(key=lambda m: (m[0].kind, m[0].name, m[1].id if m[1] is not None else float("inf")))
    for record, match, import_id in matched:
        if (record.kind, record.name) in seen:
            result.duplicates.append((record, match))
            continue
        seen.add((record.kind, record.name))
        if (record.kind, record.name) in managed:
            if import_id is None or managed[(record.kind, record.name)] != import_id:
                result.managed.append(record.label)
                continue
            result.kept.append(record.label)
        elif import_id is None:
            result.unmatched.append(record)
            continue
        result.resources.setdefault(record.kind, {})[record.name] = import_id
    result.resources = {kind: dict(sorted(ids.items())) for kind, ids in sorted(result.resources.items())}
    return result
