"""What FleetTag, DeviceTag and ReleaseTag share: the tag scopes as data, their key and value rules,
and one provider that works for every scope.

A tag's identity is (parent, key): a key change or a move to another parent replaces the tag, deleting
the old one first (the API refuses a duplicate (parent, tag_key) with 409). A parent named differently
but resolving to the same object (a renamed fleet's new slug, another selector of the same release) is
no replacement. A value change is one PATCH.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult

from balena_pulumi.client import BalenaClient, Conflict, NotFound

from . import _refs
from .base import BalenaProvider, BalenaResourceError, is_unknown
from .tokens import RELEASE_SELECTORS

RESERVED_KEY_PREFIXES = ("io.resin.", "io.balena.")


@dataclass(frozen=True)
class TagScope:
    kind: str  # resource kind, e.g. "FleetTag"
    api_kind: str  # client.tags(api_kind): "fleet", "device" or "release"
    label: str  # "fleet tag", in messages
    key_max: int  # the API's tag_key length limit for this scope
    value_max: int  # the API's value length limit for this scope
    parent_inputs: tuple[str, ...]  # inputs that name the parent
    parent_id_output: str  # output holding the parent's numeric id
    import_form: str  # the natural-key import id, for messages


FLEET_TAGS = TagScope("FleetTag", "fleet", "fleet tag", 100, 1000, ("fleet",), "fleet_id", "org/fleet:KEY")
DEVICE_TAGS = TagScope("DeviceTag", "device", "device tag", 100, 10000, ("device",), "device_id", "UUID:KEY")
RELEASE_TAGS = TagScope(
    "ReleaseTag", "release", "release tag", 164, 1000, ("fleet", *RELEASE_SELECTORS), "release_id",
    "org/fleet@VERSION:KEY",
)


def key_rule(scope: TagScope):
    """The API's tag key rules for one scope, as a pydantic after-validator."""

    def check(value: str) -> str:
        if any(ch.isspace() for ch in value):
            raise ValueError(f"tag keys cannot contain whitespace; got {value!r}")
        for prefix in RESERVED_KEY_PREFIXES:
            if value.startswith(prefix):
                raise ValueError(f"tag keys beginning with {prefix} are reserved; got {value!r}")
        if not 1 <= len(value) <= scope.key_max:
            raise ValueError(f"a {scope.label} key must be 1 to {scope.key_max} characters long; got {len(value)}")
        return value

    return check


def value_rule(scope: TagScope):
    """The API's value length limit for one scope. The value itself never appears in the message."""

    def check(value: str) -> str:
        if len(value) > scope.value_max:
            raise ValueError(
                f"a {scope.label} value must be at most {scope.value_max} characters long; got {len(value)}"
            )
        return value

    return check


class TagProvider(_refs.ReleaseSelectorMixin, BalenaProvider):
    """One provider for every tag scope; a kind sets ``scope`` and ``args_model``.

    The release-selector rules of the mixin only take effect for release tags (their outputs carry
    ``release_selector``; an exactly-one check runs only when the scope has selectors).
    """

    scope: ClassVar[TagScope]
    replace_on = frozenset({"key"})

    # -- parents -------------------------------------------------------------------------------------

    def describe(self, inputs: Mapping[str, Any]) -> str:
        parent = inputs.get("device") if self.scope.api_kind == "device" else inputs.get("fleet")
        if self.scope.api_kind == "release":
            parent = f"{parent} {_refs.selector_text(inputs)}"
        return f"{self.scope.kind} {parent}:{inputs.get('key')}"

    def resolve_parent(self, client: BalenaClient, args: Any) -> tuple[int, dict[str, Any]]:
        """The parent's id and the parent outputs. Cached lookups: no request once warm."""
        if self.scope.api_kind == "device":
            device = client.devices.get_by_uuid(args.device)
            return device.id, {"device_id": device.id}
        fleet = client.fleets.get_by_slug(args.fleet)
        if self.scope.api_kind == "fleet":
            return fleet.id, {"fleet_id": fleet.id}
        release = _refs.find_release(client, fleet.id, args)
        selector, _ = _refs.given_selector(args)
        return release.id, {"fleet_id": fleet.id, **_refs.release_outputs(release, selector)}

    def parent_from_id(self, client: BalenaClient, parent_id: int) -> dict[str, Any]:
        """Parent inputs and outputs for a parent known only by id (import by id, out-of-band move)."""
        if self.scope.api_kind == "device":
            return {"device": client.devices.get(parent_id).uuid, "device_id": parent_id}
        if self.scope.api_kind == "fleet":
            return {"fleet": client.fleets.get(parent_id).slug, "fleet_id": parent_id}
        release = client.releases.get(parent_id)
        fleet = client.fleets.get(int(release.fleet_id or 0))
        return {"fleet": fleet.slug, "fleet_id": fleet.id, **_refs.release_outputs(release, "release_id")}

    # -- lifecycle -----------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        if self.scope.api_kind != "release":
            result = BalenaProvider.check(self, olds, news)
        else:
            result = super().check(olds, news)
        # The engine prints `property value value {<value>} has a problem` for a failure naming a property,
        # in plaintext even for a secret: report value failures without the property (the reason names it).
        result.failures = [
            CheckFailure("", f.reason) if f.property == "value" else f for f in result.failures or []
        ]
        return result

    def validate_remote(self, client: BalenaClient, args: Any, changed: set[str]) -> list[CheckFailure]:
        if not changed & set(self.scope.parent_inputs):
            return []
        if self.scope.api_kind == "device":
            try:
                client.devices.get_by_uuid(args.device)
            except NotFound:
                return [CheckFailure("device", f"device: no device with uuid {args.device} is visible to this token")]
            return []
        try:
            fleet = client.fleets.get_by_slug(args.fleet)
        except NotFound:
            return [CheckFailure("fleet", f"fleet: no fleet with slug {args.fleet!r} is visible to this token")]
        if self.scope.api_kind == "release":
            try:
                _refs.find_release(client, fleet.id, args)
            except NotFound:
                return [_refs.missing_release(args, args.fleet)]
        return []

    def replace_reasons(self, olds: Mapping[str, Any], news: Mapping[str, Any], changed: set[str]) -> set[str]:
        reasons = super().replace_reasons(olds, news, changed)
        moved = changed & set(self.scope.parent_inputs)
        if not moved:
            return reasons
        if any(is_unknown(news.get(f)) for f in self.scope.parent_inputs):
            return reasons | moved  # not known yet: assume another parent
        try:
            args = self.args_model.model_validate(self.inputs_of(news))
            parent_id, _ = self.resolve_parent(self.client(), args)
        except (NotFound, ValueError):
            return reasons | moved
        if parent_id != olds.get(self.scope.parent_id_output):
            reasons |= moved
        return reasons

    def create_object(self, client: BalenaClient, args: Any) -> tuple[str, dict[str, Any]]:
        parent_id, outs = self.resolve_parent(client, args)
        try:
            tag = client.tags(self.scope.api_kind).create(parent_id, args.key, args.value)
        except Conflict as exc:
            if not exc.is_unique_violation:
                raise
            raise BalenaResourceError(
                f"{self.describe(args.model_dump())}: a tag with key {args.key!r} already exists there. "
                f"Adopt it with the import id {self.scope.import_form} or remove it first. ({exc})"
            ) from None
        return str(tag.id), {**outs, "tag_id": tag.id}

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        tags = client.tags(self.scope.api_kind)
        if id_.isdigit():
            tag = tags.maybe_get(int(id_))
        else:
            tag = self._find_by_import_id(client, id_)
        if tag is None:
            return None
        if tag.parent_id == props.get(self.scope.parent_id_output):
            # The usual refresh: one GET, the parent's names are reused from state.
            parent = {k: props.get(k) for k in (*self.scope.parent_inputs, self.scope.parent_id_output)}
            if self.scope.api_kind == "release":
                parent.update(_refs.kept_release_outputs(props), fleet_id=props.get("fleet_id"))
        else:
            parent = self.parent_from_id(client, int(tag.parent_id or 0))
            if self.scope.api_kind == "release" and not id_.isdigit():
                parent[_refs.SELECTOR_KEY] = "release_version"
        return {**parent, "key": tag.tag_key, "value": tag.value, "tag_id": tag.id, "__id": tag.id}

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: Any) -> dict[str, Any]:
        new_inputs = args.model_dump(mode="json")
        moved = [
            f for f in self.scope.parent_inputs
            if new_inputs.get(f) != olds.get(f) and not self.equivalent(f, olds.get(f), new_inputs.get(f), olds)
        ]
        if moved:
            _, parent = self.resolve_parent(client, args)  # same parent by another name (diff checked it)
        else:
            parent = {self.scope.parent_id_output: olds.get(self.scope.parent_id_output)}
            if self.scope.api_kind == "release":
                parent.update(_refs.kept_release_outputs(olds), fleet_id=olds.get("fleet_id"))
        if args.value != olds.get("value"):
            client.tags(self.scope.api_kind).update(int(id_), value=args.value)
        return {**parent, "tag_id": int(id_)}

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        client.tags(self.scope.api_kind).delete(int(id_))

    # -- import by natural key -----------------------------------------------------------------------

    def _find_by_import_id(self, client: BalenaClient, id_: str) -> Any:
        parent_text, sep, key = id_.partition(":")
        if not sep or not key:
            raise BalenaResourceError(
                f"{self.scope.kind}: import id must be {self.scope.import_form} or a numeric tag id; got {id_!r}"
            )
        if self.scope.api_kind == "device":
            parent_id = client.devices.get_by_uuid(parent_text).id
        elif self.scope.api_kind == "fleet":
            parent_id = client.fleets.get_by_slug(parent_text).id
        else:
            slug, at, version = parent_text.partition("@")
            if not at:
                raise BalenaResourceError(
                    f"{self.scope.kind}: import id must be {self.scope.import_form} or a numeric tag id; got {id_!r}"
                )
            parent_id = client.releases.find_by_version(client.fleets.get_by_slug(slug).id, version).id
        try:
            return client.tags(self.scope.api_kind).find(parent_id, key)
        except NotFound:
            return None


__all__ = ["TagScope", "FLEET_TAGS", "DEVICE_TAGS", "RELEASE_TAGS", "TagProvider", "key_rule", "value_rule"]
