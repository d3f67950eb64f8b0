"""Shared machinery of the resource services: the generic OData service and the natural-key cache."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Generic, Mapping, TypeVar

from pydantic import BaseModel

from .. import odata
from ..errors import NotFound, UnexpectedResponse

if TYPE_CHECKING:
    from ..client import BalenaClient

M = TypeVar("M", bound=BaseModel)

V7 = "/v7/"


class LookupCache:
    """Natural key -> model, shared by one client's services, safe across threads.

    Entries are indexed by (namespace, id) as well, so an update or delete by id drops every natural
    key that pointed at that entity.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[tuple[str, Hashable], BaseModel] = {}
        self._keys_by_id: dict[tuple[str, int], set[Hashable]] = {}
        self._fill_locks: dict[tuple[str, Hashable], threading.Lock] = {}

    def fill_lock(self, ns: str, key: Hashable) -> threading.Lock:
        """One lock per natural key, so concurrent misses on one key send one request, not one each.

        The provider host serves as many engine calls at once as the engine sends; without this, N
        resources of one fleet created in parallel on a cold cache would each look the fleet up.
        """
        with self._lock:
            return self._fill_locks.setdefault((ns, key), threading.Lock())

    def get(self, ns: str, key: Hashable) -> Any:
        with self._lock:
            return self._by_key.get((ns, key))

    def put(self, ns: str, key: Hashable, model: BaseModel) -> None:
        with self._lock:
            self._by_key[(ns, key)] = model
            self._keys_by_id.setdefault((ns, model.id), set()).add(key)  # type: ignore[attr-defined]

    def drop_id(self, ns: str, id_: int) -> None:
        with self._lock:
            for k in self._keys_by_id.pop((ns, id_), ()):
                self._by_key.pop((ns, k), None)

    def clear(self) -> None:
        with self._lock:
            self._by_key.clear()
            self._keys_by_id.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_key)


class Service(Generic[M]):
    """CRUD over one OData resource. Subclasses add the family's own calls.

    Every create, update, delete and get-by-id is exactly one HTTP request.
    """

    resource: str = ""
    model: type[M]
    label: str = ""  # used in messages: "fleet 5 not found"
    cache_ns: str | None = None  # namespace in the lookup cache, when the family caches

    def __init__(self, client: "BalenaClient") -> None:
        self._client = client
        self._http = client.transport
        self._cache = client.lookup_cache

    # -- wire helpers -------------------------------------------------------------------------
    def _from_wire(self, row: Mapping[str, Any]) -> M:
        return self.model.model_validate(row)

    def _rows(self, data: Any, method: str, path: str) -> list[dict[str, Any]]:
        if not isinstance(data, dict) or not isinstance(data.get("d"), list):
            raise UnexpectedResponse('expected {"d": [...]}', method=method, path=path, status=200)
        return data["d"]

    def _get_rows(self, path_key: int | Mapping[str, Any] | None = None, **opts: Any) -> list[dict[str, Any]]:
        path = V7 + odata.entity_path(self.resource, path_key)
        qs = odata.query(**opts)
        return self._rows(self._http.request("GET", path, query=qs or None), "GET", path)

    def _not_found(self, what: str) -> NotFound:
        return NotFound(f"{self.label or self.resource} {what} not found", status=None)

    # -- CRUD -----------------------------------------------------------------------------------
    def get(self, id: int) -> M:
        """The entity with this id (one request); :class:`NotFound` when missing or invisible."""
        rows = self._get_rows(int(id))
        if not rows:
            raise self._not_found(f"with id {id}")
        return self._from_wire(rows[0])

    def maybe_get(self, id: int) -> M | None:
        try:
            return self.get(id)
        except NotFound:
            return None

    def _list(self, filter: odata.Filter | None = None, **opts: Any) -> list[M]:
        opts.setdefault("orderby", "id asc")
        return [self._from_wire(r) for r in self._get_rows(filter=filter, **opts)]

    def _create(self, body: Mapping[str, Any]) -> M:
        data = self._http.request("POST", V7 + self.resource, json_body=dict(body), ok=(201, 200))
        if not isinstance(data, dict) or "id" not in data:
            raise UnexpectedResponse("POST answered without the created entity", method="POST", path=V7 + self.resource)
        if set(data) == {"id"}:  # returnResource=false or not readable back: fetch it
            return self.get(data["id"])
        return self._from_wire(data)

    def _patch(self, id: int, body: Mapping[str, Any], *, invalidate: bool = True) -> None:
        # invalidate=False for writes that cannot change a natural key (pins), so lookups stay warm.
        if not body:
            raise ValueError("nothing to update")
        self._http.request("PATCH", V7 + odata.entity_path(self.resource, int(id)), json_body=dict(body))
        if self.cache_ns and invalidate:
            self._cache.drop_id(self.cache_ns, int(id))

    def delete(self, id: int) -> None:
        """Delete by id (one request). Deleting something already gone is not an error."""
        try:
            self._http.request("DELETE", V7 + odata.entity_path(self.resource, int(id)))
        except NotFound:
            pass
        if self.cache_ns:
            self._cache.drop_id(self.cache_ns, int(id))

    # -- cached natural-key lookups ------------------------------------------------------------
    def _cached(self, key: Hashable, fetch: Callable[[], M | None], what: str) -> M:
        assert self.cache_ns
        hit = self._cache.get(self.cache_ns, key)
        if hit is not None:
            return hit
        with self._cache.fill_lock(self.cache_ns, key):
            hit = self._cache.get(self.cache_ns, key)
            if hit is not None:
                return hit
            found = fetch()
            if found is None:
                raise self._not_found(what)
            self._cache.put(self.cache_ns, key, found)
            return found

    def _remember(self, key: Hashable, model: M) -> M:
        if self.cache_ns:
            self._cache.put(self.cache_ns, key, model)
        return model


def first(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return rows[0] if rows else None


def drop_none(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}
