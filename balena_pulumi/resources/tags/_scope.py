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

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from balena_pulumi.client import BalenaClient, Conflict, NotFound

from .. import refs
from ..base import BalenaProvider, Replacement
from ..bulk import BulkParent, BulkScope, EntryRules, entries_type, map_field
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

    @property
    def claim_family(self) -> str:
        """The duplicate-management family of this scope's tags (single and bulk kinds alike)."""
        return f"{self.api_kind}_tag"

    @property
    def parent_inputs(self) -> tuple[str, ...]:
        return ("device",) if self.api_kind == "device" else ("fleet", *refs.RELEASE_SELECTORS) if self.api_kind == "release" else ("fleet",)


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


def resolve_parent(client: BalenaClient, scope: TagScope, values: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    """A tag parent's id and outputs from the inputs that name it. Cached lookups: no request once warm."""
    if scope.api_kind == "device":
        dev = refs.device(client, values["device"])
        return dev.id, {"device_id": dev.id}
    fleet = refs.fleet_id(client, values["fleet"])
    if scope.api_kind == "fleet":
        return fleet, {"fleet_id": fleet}
    try:
        release = refs.find_release(client, fleet, values)
    except NotFound:
        raise refs.missing_release(values, f"fleet {values['fleet']}") from None
    selector, _ = refs.given_selector(values)  # type: ignore[misc]
    return release.id, {"fleet_id": fleet, **refs.release_outputs(release, selector)}


def parent_from_id(client: BalenaClient, scope: TagScope, parent_id: int) -> dict[str, Any]:
    """Parent inputs and outputs of a tag parent known only by id (import by id, out-of-band move)."""
    if scope.api_kind == "device":
        return {"device": client.devices.get(parent_id).uuid, "device_id": parent_id}
    if scope.api_kind == "fleet":
        return {"fleet": refs.fleet_slug_of(client, parent_id), "fleet_id": parent_id}
    release = client.releases.get(parent_id)
    fleet_id = int(release.fleet_id or 0)
    return {"fleet": refs.fleet_slug_of(client, fleet_id), "fleet_id": fleet_id, **refs.release_outputs(release, "release_version")}


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
        return resolve_parent(client, self.scope, values.model_dump(mode="json") if hasattr(values, "model_dump") else values)

    def parent_from_id(self, client: BalenaClient, parent_id: int) -> dict[str, Any]:
        """Parent inputs and outputs for a parent known only by id (import by id, out-of-band move)."""
        return parent_from_id(client, self.scope, parent_id)

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
        named = "device" if self.scope.api_kind == "device" else "fleet"
        moved = new_inputs.get(named) != olds.get(named)
        if self.scope.api_kind == "release":
            # The outputs hold the release under all three selectors, the inputs only the one given.
            moved = moved or not refs.same_release(olds, new_inputs)
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




def tag_props(scope: TagScope, resource_name: str, inputs: dict[str, Any], outputs: tuple[str, ...]) -> dict[str, Any]:
    """The property bag of a single-tag resource, through the duplicate-management guard."""
    from ..base import resource_props
    from ..guard import claim_inputs, one_name

    owner = f'{scope.kind} "{resource_name}"'
    routed = claim_inputs(scope.claim_family, scope.label, owner, inputs, scope.parent_inputs, one_name(inputs["key"]))
    return resource_props(routed, outputs)


# -- the bulk kinds ---------------------------------------------------------------------------------------

_COMMIT = re.compile(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40})$")


class TagParent(BulkParent):
    """A tag scope's parent for the bulk kinds: a fleet, a device, or a release (``<FLEET>@<RELEASE>``)."""

    def __init__(self, scope: TagScope) -> None:
        self.scope = scope
        self.inputs = scope.parent_inputs
        if scope.api_kind == "device":
            self.outputs, self.fk_output = ("device_id",), "device_id"
            self.shape, self.example = "<UUID>", "0123456789abcdef0123456789abcdef"
            self.judged = {"device": ("device", "device_id")}
        elif scope.api_kind == "fleet":
            self.outputs, self.fk_output = ("fleet_id",), "fleet_id"
            self.shape, self.example = "<FLEET>", "acme/production"
            self.judged = {"fleet": ("fleet", "fleet_id")}
        else:
            self.outputs = ("fleet_id", *refs.RELEASE_SELECTORS, refs.SELECTOR_KEY)
            self.fk_output = "release_id"
            self.shape, self.example = "<FLEET>@<VERSION|COMMIT|ID>", "acme/production@1.1.0"
            self.judged = {"fleet": ("fleet", "fleet_id")}

    @property
    def id_parts(self) -> int:
        return 1

    def resolve(self, client: BalenaClient, values: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        return resolve_parent(client, self.scope, values)

    def from_id(self, client: BalenaClient, fk: int) -> tuple[dict[str, Any], dict[str, Any]]:
        found = parent_from_id(client, self.scope, fk)
        inputs = {k: found[k] for k in ("device", "fleet") if k in found}
        if self.scope.api_kind == "release":
            inputs["release_version"] = found["release_version"]
        return inputs, {k: v for k, v in found.items() if k not in ("device", "fleet")}

    def exists(self, client: BalenaClient, fk: int) -> bool:
        service = {"device": client.devices, "fleet": client.fleets, "release": client.releases}[self.scope.api_kind]
        return service.maybe_get(int(fk)) is not None

    def key(self, values: Mapping[str, Any]) -> str:
        if self.scope.api_kind == "device":
            return str(values.get("device"))
        if self.scope.api_kind == "fleet":
            return str(values.get("fleet"))
        found = refs.given_selector(values)
        return f"{values.get('fleet')}@{found[1] if found else None}"

    def parse(self, kind: str, text: str) -> dict[str, Any]:
        if self.scope.api_kind != "release":
            if not text or ":" in text:
                raise ResourceError(f"{kind}: malformed import id {quote(text)}: expected {self.shape}")
            return {self.inputs[0]: text}
        slug, at, release = text.partition("@")
        if not at or not slug or not release:
            raise ResourceError(
                f"{kind}: malformed import id {quote(text)}: expected {self.shape}, the release by raw version, "
                "full commit or id (e.g. acme/production@1.1.0)"
            )
        if _COMMIT.match(release):
            return {"fleet": slug, "release_commit": release.lower()}
        if release.isdigit():
            return {"fleet": slug, "release_id": int(release)}
        return {"fleet": slug, "release_version": release}


def bulk_scope(kind: str, single: TagScope) -> BulkScope:
    """The bulk kind over the same API resource, parent and rules as the single tag kind of ``single``."""
    return BulkScope(
        kind=kind,
        family="tags",
        api_kind=single.api_kind,
        label=single.label,
        claim_family=single.claim_family,
        parent=TagParent(single),
        rules=EntryRules("key", key_rule(single), value_rule(single)),
        example_keys=("environment", "owner"),
    )


def tags_type(single: TagScope) -> Any:
    return entries_type(EntryRules("key", key_rule(single), value_rule(single)))


def tags_field(single: TagScope) -> Any:
    return map_field(
        "tags",
        f"Keys: no whitespace, not `io.resin.`/`io.balena.`, 1 to {single.key_max} characters, case-sensitive. "
        f"Values: at most {single.value_max} characters, may be empty.",
    )

__all__ = [
    "TagScope",
    "FLEET_TAGS",
    "DEVICE_TAGS",
    "RELEASE_TAGS",
    "TagProvider",
    "TagParent",
    "bulk_scope",
    "key_rule",
    "tag_props",
    "tags_field",
    "tags_type",
    "value_rule",
]
