"""Variables and tags: scopes as data.

One generic service works over a table that maps each kind to its OData resource, parent FK field and
natural key fields. Adding a scope is one table row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .. import odata
from ..errors import NotFound
from ..models import Tag, Variable
from ._base import V7 as _V7
from ._base import Service as _Service


@dataclass(frozen=True)
class Scope:
    kind: str
    resource: str
    parent_field: str  # FK to the parent entity
    key_field: str  # "name" for variables, "tag_key" for tags
    label: str

    @property
    def natural_key(self) -> tuple[str, str]:
        return (self.parent_field, self.key_field)


VARIABLE_SCOPES: dict[str, Scope] = {
    s.kind: s
    for s in (
        Scope("fleet_env", "application_environment_variable", "application", "name", "fleet environment variable"),
        Scope("fleet_config", "application_config_variable", "application", "name", "fleet config variable"),
        Scope("fleet_build", "build_environment_variable", "application", "name", "fleet build variable"),
        Scope("service_env", "service_environment_variable", "service", "name", "service environment variable"),
        Scope("device_env", "device_environment_variable", "device", "name", "device environment variable"),
        Scope("device_config", "device_config_variable", "device", "name", "device config variable"),
        # v7: device service variables hang off service_install, not device + service.
        Scope(
            "device_service_env",
            "device_service_environment_variable",
            "service_install",
            "name",
            "device service environment variable",
        ),
    )
}

TAG_SCOPES: dict[str, Scope] = {
    s.kind: s
    for s in (
        Scope("fleet", "application_tag", "application", "tag_key", "fleet tag"),
        Scope("device", "device_tag", "device", "tag_key", "device tag"),
        Scope("release", "release_tag", "release", "tag_key", "release tag"),
    )
}


class _Scoped(_Service[Any]):
    scope: Scope

    def __init__(self, client, scope: Scope) -> None:
        super().__init__(client)
        self.scope = scope
        self.resource = scope.resource
        self.label = scope.label

    def _from_wire(self, row: Mapping[str, Any]) -> Any:
        data = dict(row)
        data["parent_id"] = _fk_id(row.get(self.scope.parent_field))
        data["kind"] = self.scope.kind
        return self.model.model_validate(data)

    def find(self, parent_id: int, name: str) -> Any:
        """By natural key (parent, name or tag key): one request, not cached (values change)."""
        rows = self._get_rows({self.scope.parent_field: int(parent_id), self.scope.key_field: name})
        if not rows:
            raise NotFound(f"{self.label} {name!r} of {self.scope.parent_field} {parent_id} not found", status=None)
        return self._from_wire(rows[0])

    def list(self, parent_id: int, where: odata.Filter | None = None) -> list[Any]:
        """All of a parent's entries, optionally narrowed by an extra filter (one request)."""
        return self._list(odata.and_(odata.eq(self.scope.parent_field, int(parent_id)), where))

    def create(self, parent_id: int, name: str, value: str) -> Any:
        """One POST; a duplicate (parent, name) raises Conflict with ``is_unique_violation``."""
        return self._create({self.scope.parent_field: int(parent_id), self.scope.key_field: name, "value": value})

    def update(self, id: int, *, value: str | None = None, name: str | None = None) -> None:
        body: dict[str, Any] = {}
        if value is not None:
            body["value"] = value
        if name is not None:
            body[self.scope.key_field] = name
        self._patch(id, body)

    def delete_many(self, parent_id: int, ids: list[int]) -> None:
        """Delete several entries of one parent in ONE request (``DELETE`` with ``$filter``); missing ids
        are no error. Nothing is sent for an empty list. The parent filter keeps it to that parent."""
        if not ids:
            return
        where = odata.and_(odata.eq(self.scope.parent_field, int(parent_id)), odata.in_("id", sorted(int(i) for i in ids)))
        self._http.request("DELETE", _V7 + self.resource, query=odata.query(filter=where))


def _fk_id(value: Any) -> int | None:
    if isinstance(value, dict):
        return value.get("__id")
    if isinstance(value, list):
        return value[0].get("id") if value else None
    return value


class Variables(_Scoped):
    """Variables of one kind (``fleet_env``, ``device_service_env``, ...)."""

    model = Variable

    def __init__(self, client, kind: str) -> None:
        if kind not in VARIABLE_SCOPES:
            raise ValueError(f"unknown variable kind {kind!r}; one of {sorted(VARIABLE_SCOPES)}")
        super().__init__(client, VARIABLE_SCOPES[kind])


class Tags(_Scoped):
    """Tags of one kind (``fleet``, ``device``, ``release``)."""

    model = Tag

    def __init__(self, client, kind: str) -> None:
        if kind not in TAG_SCOPES:
            raise ValueError(f"unknown tag kind {kind!r}; one of {sorted(TAG_SCOPES)}")
        super().__init__(client, TAG_SCOPES[kind])
