"""What FleetTag, DeviceTag and ReleaseTag share: the tag scopes as data, their key and value rules,
and one provider for every scope.

A tag's identity is (parent, key): a key change or another parent replaces the tag, deleting the old one
first (the API refuses a duplicate (parent, tag_key) with 409). A parent named differently but resolving
to the same object (a renamed fleet's new slug, another selector of the same release) is no replacement.
A value change is one PATCH. The rules are the API's: keys hold no whitespace (nor any control
character), do not start with ``io.resin.`` or ``io.balena.``, and are 1 to 100 characters (164 for
release tags); values are at most 1000 characters (10000 for device tags) and hold no NUL byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from balena_pulumi.client import BalenaClient, Conflict, NotFound

from .. import refs
from ..base import BalenaProvider, Replacement
from ..errors import ResourceError
from ..fields import Change, check_identifier, check_text, field, quote

RESERVED_KEY_PREFIXES = ("io.resin.", "io.balena.")


@dataclass(frozen=True)
class TagScope:
    kind: str  # resource kind, e.g. "FleetTag"
    api_kind: str  # client.tags(api_kind): "fleet", "device" or "release"
    label: str  # "fleet tag", in messages
    key_max: int  # the API's tag_key length limit for this scope
    value_max: int  # the API's value length limit for this scope
    import_id: refs.ImportId


FLEET_TAGS = TagScope(
    "FleetTag", "fleet", "fleet tag", 100, 1000, refs.ImportId(("fleet", "key"), "<FLEET>:<KEY>", "acme/production:owner")
)
DEVICE_TAGS = TagScope(
    "DeviceTag",
    "device",
    "device tag",
    100,
    10000,
    refs.ImportId(("device", "key"), "<UUID>:<KEY>", "0123456789abcdef0123456789abcdef:ring"),
)
RELEASE_TAGS = TagScope(
    "ReleaseTag",
    "release",
    "release tag",
    164,
    1000,
    refs.ImportId(("release", "key"), "<FLEET>@<VERSION>:<KEY>", "acme/production@1.1.0:qa"),
)


def key_rule(scope: TagScope):
    """The API's tag key rules for one scope, as a pydantic after-validator."""

    def check(value: str) -> str:
        check_identifier(value, max_length=scope.key_max)
        if any(ch.isspace() for ch in value):
            raise ValueError(f"tag keys cannot contain whitespace; got {quote(value)}")
        for prefix in RESERVED_KEY_PREFIXES:
            if value.startswith(prefix):
                raise ValueError(f"tag keys beginning with {prefix} are reserved; got {quote(value)}")
        return value

    return check


def value_rule(scope: TagScope):
    """The API's value length limit for one scope. The value itself never appears in the message."""

    def check(value: str) -> str:
        return check_text(value, max_length=scope.value_max)

    return check


def key_field(scope: TagScope) -> Any:
    return field(
        f"Tag key: no whitespace, not `io.resin.`/`io.balena.`, 1 to {scope.key_max} characters, case-sensitive.",
        change=Change.REPLACE,
    )


def value_field(scope: TagScope) -> Any:
    return field(
        f"Tag value, at most {scope.value_max} characters (may be empty).", change=Change.UPDATE, default=""
    )


class TagProvider(BalenaProvider):
    """One provider for every tag scope; a kind sets ``scope`` and ``args_model``."""

    scope: ClassVar[TagScope]
    replacement = Replacement.DELETE_FIRST  # (parent, key) is unique: the old tag must go first
    other_release = Change.REPLACE  # a tag on another release is another tag

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.scope.kind
        cls.noun = cls.scope.label
        cls.import_id = cls.scope.import_id
        cls.parents = {"device": ("device", "device_id")} if cls.scope.api_kind == "device" else {
            "fleet": ("fleet", "fleet_id")
        }

    # -- parents -------------------------------------------------------------------------------------

    def key_of(self, values: Mapping[str, Any]) -> str:
        """The natural-key import id, e.g. ``acme/prod:owner`` or ``acme/prod@1.1.0:qa``."""
        if self.scope.api_kind == "release":
            version = values.get("release_version") or refs.selector_text(values)
            return f"{values.get('fleet')}@{version}:{values.get('key')}"
        return self.import_id.format(values)  # type: ignore[union-attr]

    def natural_key(self, inputs: Mapping[str, Any]) -> str | None:
        if self.scope.api_kind == "release" and not inputs.get("release_version"):
            return None  # a release named by commit or id: its version is known once resolved
        return self.key_of(inputs)

    def find_existing(self, client: BalenaClient, args: Any) -> dict[str, Any] | None:
        parent_id, parent = self.resolve_parent(client, args)
        try:
            tag = client.tags(self.scope.api_kind).find(parent_id, args.key)
        except NotFound:
            return None
        inputs = {k: v for k, v in args.model_dump(mode="json").items() if k not in ("key", "value")}
        return {**inputs, **parent, "key": tag.tag_key, "value": tag.value, "tag_id": tag.id, "__id": tag.id}

    def describe(self, inputs: Mapping[str, Any]) -> str:
        if self.scope.api_kind == "release":
            return f"{self.kind} {inputs.get('fleet')} ({refs.selector_text(inputs)}):{inputs.get('key')}"
        return f"{self.kind} {self.key_of(inputs)}"

    def resolve_parent(self, client: BalenaClient, values: Any) -> tuple[int, dict[str, Any]]:
        """The parent's id and the parent outputs. Cached lookups: no request once warm."""
        if self.scope.api_kind == "device":
            dev = refs.device(client, values.device)
            return dev.id, {"device_id": dev.id}
        fleet = refs.fleet_id(client, values.fleet)
        if self.scope.api_kind == "fleet":
            return fleet, {"fleet_id": fleet}
        try:
            release = refs.find_release(client, fleet, values)
        except NotFound:
            raise refs.missing_release(values, f"fleet {values.fleet}") from None
        selector, _ = refs.given_selector(values)  # type: ignore[misc]
        return release.id, {"fleet_id": fleet, **refs.release_outputs(release, selector)}

    def parent_from_id(self, client: BalenaClient, parent_id: int) -> dict[str, Any]:
        """Parent inputs and outputs for a parent known only by id (import by id, out-of-band move)."""
        if self.scope.api_kind == "device":
            return {"device": client.devices.get(parent_id).uuid, "device_id": parent_id}
        if self.scope.api_kind == "fleet":
            return {"fleet": refs.fleet_slug_of(client, parent_id), "fleet_id": parent_id}
        release = client.releases.get(parent_id)
        fleet_id = int(release.fleet_id or 0)
        return {"fleet": refs.fleet_slug_of(client, fleet_id), "fleet_id": fleet_id, **refs.release_outputs(release, "release_version")}

    # -- lifecycle -----------------------------------------------------------------------------------

    def validate_remote(self, client: BalenaClient, args: Any, changed: set[str]) -> list[str]:
        parent_inputs = {"device"} if self.scope.api_kind == "device" else {"fleet", *refs.RELEASE_SELECTORS}
        if changed & parent_inputs:
            self.resolve_parent(client, args)
        return []

    def create_object(self, client: BalenaClient, args: Any) -> tuple[str, dict[str, Any]]:
        parent_id, outs = self.resolve_parent(client, args)
        try:
            tag = client.tags(self.scope.api_kind).create(parent_id, args.key, args.value)
        except Conflict as exc:
            if not exc.is_unique_violation:
                raise
            key = self.key_of({**args.model_dump(mode="json"), **outs})
            raise ResourceError(
                f"{self.describe(args.model_dump(mode='json'))}: the {self.scope.label} already exists and is not "
                f"managed by this resource: adopt it with import id {key!r} "
                f"(pulumi.ResourceOptions(import_={key!r})), or delete it first (the API said: {exc.api_message})"
            ) from None
        return str(tag.id), {**outs, "tag_id": tag.id}

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        tags = client.tags(self.scope.api_kind)
        parent_id_output = "device_id" if self.scope.api_kind == "device" else (
            "fleet_id" if self.scope.api_kind == "fleet" else "release_id"
        )
        if id_.isdigit():
            tag = tags.maybe_get(int(id_))
        else:
            tag = self._find_by_import_id(client, id_)
        if tag is None:
            return None
        if tag.parent_id == props.get(parent_id_output):
            # The usual refresh: one GET, the parent's names are reused from state.
            keep = ("device", "device_id") if self.scope.api_kind == "device" else ("fleet", "fleet_id")
            parent = {k: props.get(k) for k in keep}
            if self.scope.api_kind == "release":
                parent.update(refs.kept_release_outputs(props))
        else:
            parent = self.parent_from_id(client, int(tag.parent_id or 0))
        return {**parent, "key": tag.tag_key, "value": tag.value, "tag_id": tag.id, "__id": tag.id}

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: Any) -> dict[str, Any]:
        # A parent change that reaches here names the same parent (diff judged it): refresh its outputs.
        new_inputs = args.model_dump(mode="json")
        field = "device" if self.scope.api_kind == "device" else "fleet"
        moved = new_inputs.get(field) != olds.get(field)
        if self.scope.api_kind == "release" and not refs.same_release(olds, new_inputs):
            moved = True
        if moved:
            _, parent = self.resolve_parent(client, args)
        else:
            keep = ("device_id",) if self.scope.api_kind == "device" else ("fleet_id",)
            parent = {k: olds.get(k) for k in keep}
            if self.scope.api_kind == "release":
                parent.update(refs.kept_release_outputs(olds))
        if args.value != olds.get("value"):
            client.tags(self.scope.api_kind).update(int(id_), value=args.value)
        return {**parent, "tag_id": int(id_)}

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        client.tags(self.scope.api_kind).delete(int(id_))

    # -- import by natural key -----------------------------------------------------------------------

    def _find_by_import_id(self, client: BalenaClient, id_: str) -> Any:
        parts = self.import_id.parse(self.kind, id_)  # type: ignore[union-attr]
        key = parts["key"]
        if self.scope.api_kind == "device":
            parent_id = refs.device(client, parts["device"]).id
        elif self.scope.api_kind == "fleet":
            parent_id = refs.fleet_id(client, parts["fleet"])
        else:
            slug, at, version = parts["release"].partition("@")
            if not at or not version:
                raise ResourceError(
                    f"{self.kind}: malformed import id {quote(id_)}: expected {self.import_id.shape} "  # type: ignore[union-attr]
                    f"(e.g. {self.import_id.example}) or the numeric id"  # type: ignore[union-attr]
                )
            try:
                parent_id = client.releases.find_by_version(refs.fleet_id(client, slug), version).id
            except NotFound:
                return None
        try:
            return client.tags(self.scope.api_kind).find(parent_id, key)
        except NotFound:
            return None


__all__ = ["TagScope", "FLEET_TAGS", "DEVICE_TAGS", "RELEASE_TAGS", "TagProvider", "key_rule", "value_rule"]
