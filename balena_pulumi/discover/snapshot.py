"""From what the API holds to the stack config the root program reads (``balena-org:*``).

:func:`snapshot` turns an :class:`~balena_pulumi.client.services.inventory.OrganizationInventory` into

* ``config``: the plain config, in the program's schema and key names (``organization``, ``fleets``, ...);
* ``secrets``: the values of credential-looking variables, in the shape of the secret config ``secrets``
  (``fleets.<name>.variables.<NAME>``, ...), never in ``config``;
* ``objects``: every object that made it into the config, with its kind, its inputs and its numeric id
  (kinds without a natural key are adopted by that id);
* ``notes``: what the user must know: secrets and why, what is not recoverable, what was left out and why.

Each object is checked against its kind's own input rules before it is written, so the config holds
nothing the program would refuse; what fails is left out with the rule it breaks. Nothing here sends a
request.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from balena_pulumi.client.services.inventory import Entry, OrganizationInventory, ReleaseRef
from balena_pulumi.credentials import why_credential
from balena_pulumi.resources import provider_class

# Variable scopes of the client, as (kind, where the values go in a fleet or device item).
VARIABLE_KINDS: dict[str, tuple[str, str]] = {
    "fleet_env": ("FleetEnvVar", "variables"),
    "fleet_config": ("FleetConfigVar", "config_variables"),
    "fleet_build": ("FleetBuildVar", "build_variables"),
    "service_env": ("ServiceEnvVar", "service_variables"),
    "device_env": ("DeviceEnvVar", "variables"),
    "device_config": ("DeviceConfigVar", "config_variables"),
    "device_service_env": ("DeviceServiceEnvVar", "service_variables"),
}


@dataclass(frozen=True)
class FoundObject:
    """One object written to the config: its kind, the inputs its resource gets, and its numeric id."""

    kind: str
    inputs: dict[str, Any]
    id: int
    label: str  # how messages name it, e.g. "fleet env var acme/production:LOG_LEVEL"


@dataclass
class Snapshot:
    organization: str
    config: dict[str, Any]
    secrets: dict[str, Any]
    objects: list[FoundObject] = field(default_factory=list)
    secret_notes: list[str] = field(default_factory=list)  # "fleets.production.variables.API_TOKEN: has ..."
    unrecoverable: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # Config items holding a numeric-id object, so a duplicate can be taken out again (object id -> (list, item)).
    items: dict[tuple[str, int], tuple[list[Any], Any]] = field(default_factory=dict)

    def count(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for obj in self.objects:
            counts[obj.kind] = counts.get(obj.kind, 0) + 1
        return dict(sorted(counts.items()))


def server_expiry(value: _dt.datetime | None) -> str | None:
    """An expiry as the key kinds read it back from the API (UTC, milliseconds, ``Z``)."""
    if value is None:
        return None
    utc = value.astimezone(_dt.timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _rule_failure(kind: str, inputs: Mapping[str, Any]) -> str | None:
    """The first input rule of ``kind`` these inputs break (field and rule, never the value), or None."""
    try:
        provider_class(kind).args_model.model_validate(dict(inputs))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        message = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
        # The rules quote bad values (at most 80 characters, never from a secret field); keep the
        # message short and free of anything after "; got".
        message = message.split("; got ")[0]
        return f"{where}: {message}" if where else message
    return None


def _release_selector(release: ReleaseRef | None) -> dict[str, Any] | None:
    if release is None:
        return None
    if release.raw_version:
        return {"release_version": release.raw_version}
    if release.commit:
        return {"release_commit": release.commit}
    return {"release_id": release.id}


class _Builder:
    def __init__(self, inv: OrganizationInventory) -> None:
        self.inv = inv
        self.snap = Snapshot(organization=inv.handle, config={}, secrets={})
        self.fleet_by_id = {f.id: f for f in inv.fleets}
        self.device_by_id = {d.id: d for d in inv.devices}
        self.fleet_items: dict[int, dict[str, Any]] = {}
        self.device_items: dict[int, dict[str, Any]] = {}

    # -- helpers ----------------------------------------------------------------------------------

    def accept(self, kind: str, inputs: dict[str, Any], id_: int, label: str) -> bool:
        problem = _rule_failure(kind, inputs)
        if problem:
            self.snap.skipped.append(f"{label} (id {id_}): left out, the program would refuse it: {problem}")
            return False
        self.snap.objects.append(FoundObject(kind, inputs, id_, label))
        return True

    def fleet_item(self, fleet_id: int | None) -> dict[str, Any] | None:
        return None if fleet_id is None else self.fleet_items.get(fleet_id)

    def device_item(self, device_id: int | None) -> dict[str, Any] | None:
        if device_id is None or device_id not in self.device_by_id:
            return None
        item = self.device_items.get(device_id)
        if item is None:
            item = self.device_items[device_id] = {"uuid": self.device_by_id[device_id].uuid}
        return item

    def secret(self, path: tuple[str, ...], name: str, value: str, why: str) -> None:
        node = self.snap.secrets
        for part in path:
            node = node.setdefault(part, {})
        node[name] = value
        self.snap.secret_notes.append(f"{'.'.join((*path, name))}: {why}")

    # -- the parts --------------------------------------------------------------------------------

    def organization(self) -> None:
        inv = self.inv
        config = self.snap.config
        config["organization"] = inv.handle
        if self.accept("Organization", {"name": inv.name, "handle": inv.handle}, inv.organization_id,
                       f"organization {inv.handle}"):
            config["organizationName"] = inv.name
        members: dict[str, str] = {}
        for m in inv.organization_members:
            if m.username is None or m.role is None:
                continue
            label = f"organization member {inv.handle}:{m.username}"
            if m.username == inv.username:
                self.snap.skipped.append(
                    f"{label}: left out, it is the user this token logs in as (a stack does not manage its own "
                    "membership)"
                )
                continue
            if self.accept("OrganizationMember", {"organization": inv.handle, "username": m.username, "role": m.role},
                           m.id, label):
                members[m.username] = m.role
        if members:
            config["members"] = members
        invites = []
        for i in inv.organization_invites:
            item = _invite_item(i.email, i.role, i.message)
            if item and self.accept("OrganizationInvite", {"organization": inv.handle, **item}, i.id,
                                    f"organization invite {inv.handle}:{i.email}"):
                invites.append(item)
        if invites:
            config["invites"] = invites

    def user_keys(self) -> None:
        inv = self.inv
        keys: list[dict[str, Any]] = []
        for k in inv.api_keys:
            item = _drop_none({"name": k.name, "description": k.description, "expiry_date": server_expiry(k.expiry_date)})
            if self.accept("ApiKey", item, k.id, f"API key {k.name!r}"):
                keys.append(item)
                self.snap.items[("ApiKey", k.id)] = (keys, item)
                self.snap.unrecoverable.append(
                    f"API key {k.name!r} (id {k.id}): adopted by its name, description and expiry; its value is "
                    "not readable from the API, so the stack has no `key` output for it"
                )
        if keys:
            self.snap.config["apiKeys"] = keys
        ssh: list[dict[str, Any]] = []
        for s in inv.ssh_keys:
            item = {"title": s.title, "public_key": s.public_key.strip()}
            if self.accept("SshKey", item, s.id, f"SSH key {s.title!r}"):
                ssh.append(item)
                self.snap.items[("SshKey", s.id)] = (ssh, item)
        if ssh:
            self.snap.config["sshKeys"] = ssh

    def fleets(self) -> None:
        inv = self.inv
        fleets: list[dict[str, Any]] = []
        for f in inv.fleets:
            item: dict[str, Any] = {"name": f.name, "device_type": f.device_type, "fleet_class": f.fleet_class}
            if not self.accept("Fleet", {"organization": inv.handle, "name": f.name, "device_type": f.device_type,
                                         "fleet_class": f.fleet_class}, f.id, f"fleet {f.slug}"):
                continue
            fleets.append(item)
            self.fleet_items[f.id] = item
            if f.is_archived:
                self.snap.skipped.append(f"fleet {f.slug}: archived; adopted as it is (the Fleet kind does not manage archiving)")
            selector = _release_selector(f.pinned)
            if selector and self.accept("FleetPin", {"fleet": f.slug, **selector}, f.id, f"fleet pin {f.slug}"):
                item["pin"] = selector
        if fleets:
            self.snap.config["fleets"] = fleets

    def variables(self) -> None:
        for scope, (kind, place) in VARIABLE_KINDS.items():
            for e in self.inv.variables.get(scope, []):
                self.variable(scope, kind, place, e)

    def variable(self, scope: str, kind: str, place: str, e: Entry) -> None:
        on_device = scope.startswith("device")
        if on_device:
            device = self.device_by_id.get(e.device_id) if e.device_id is not None else None
            if device is None or self.fleet_item(device.fleet_id) is None:
                return
            owner_key, group, owner = device.uuid, "devices", device.uuid
            inputs: dict[str, Any] = {"device": device.uuid}
        else:
            if self.fleet_item(e.fleet_id) is None:
                return
            fleet = self.fleet_by_id[e.fleet_id]  # type: ignore[index]
            owner_key, group, owner = fleet.slug, "fleets", fleet.name
            inputs = {"fleet": fleet.slug}
        if e.service is not None:
            inputs["service"] = e.service
        inputs.update(name=e.name, value=e.value)
        label = f"{kind} {owner_key}:{'' if e.service is None else e.service + ':'}{e.name}"
        if not self.accept(kind, inputs, e.id, label):
            return
        item = self.device_item(e.device_id) if on_device else self.fleet_item(e.fleet_id)
        assert item is not None
        why = why_credential(e.name, e.value) if e.value else None
        path: tuple[str, ...] = (group, owner, place) + (() if e.service is None else (e.service,))
        if why:
            self.secret(path, e.name, e.value, why)
            return
        target = item.setdefault(place, {})
        if e.service is not None:
            target = target.setdefault(e.service, {})
        target[e.name] = e.value

    def tags(self) -> None:
        inv = self.inv
        for e in inv.tags.get("fleet", []):
            item = self.fleet_item(e.fleet_id)
            if item is None:
                continue
            slug = self.fleet_by_id[e.fleet_id].slug  # type: ignore[index]
            if self.accept("FleetTag", {"fleet": slug, "key": e.name, "value": e.value}, e.id, f"fleet tag {slug}:{e.name}"):
                item.setdefault("tags", {})[e.name] = e.value
        for e in inv.tags.get("device", []):
            device = self.device_by_id.get(e.device_id) if e.device_id is not None else None
            if device is None or self.fleet_item(device.fleet_id) is None:
                continue
            if self.accept("DeviceTag", {"device": device.uuid, "key": e.name, "value": e.value}, e.id,
                           f"device tag {device.uuid}:{e.name}"):
                item = self.device_item(device.id)
                assert item is not None
                item.setdefault("tags", {})[e.name] = e.value
        for e in inv.tags.get("release", []):
            item = self.fleet_item(e.fleet_id)
            selector = _release_selector(e.release)
            if item is None or selector is None:
                continue
            slug = self.fleet_by_id[e.fleet_id].slug  # type: ignore[index]
            tag = {**selector, "key": e.name, "value": e.value}
            label = f"release tag {slug}@{next(iter(selector.values()))}:{e.name}"
            if self.accept("ReleaseTag", {"fleet": slug, **tag}, e.id, label):
                item.setdefault("release_tags", []).append(tag)

    def fleet_people(self) -> None:
        for m in self.inv.fleet_members:
            item = self.fleet_item(m.parent_id)
            if item is None or m.username is None or m.role is None:
                continue
            slug = self.fleet_by_id[m.parent_id].slug  # type: ignore[index]
            if self.accept("FleetMember", {"fleet": slug, "username": m.username, "role": m.role}, m.id,
                           f"fleet member {slug}:{m.username}"):
                item.setdefault("members", {})[m.username] = m.role
        for i in self.inv.fleet_invites:
            item = self.fleet_item(i.parent_id)
            invite = _invite_item(i.email, i.role, i.message)
            if item is None or invite is None:
                continue
            slug = self.fleet_by_id[i.parent_id].slug  # type: ignore[index]
            if self.accept("FleetInvite", {"fleet": slug, **invite}, i.id, f"fleet invite {slug}:{i.email}"):
                item.setdefault("invites", []).append(invite)

    def provisioning_keys(self) -> None:
        by_actor = {f.actor: f for f in self.inv.fleets if f.actor is not None}
        for k in self.inv.provisioning_keys:
            fleet = by_actor.get(k.actor)
            item = self.fleet_item(fleet.id) if fleet else None
            if item is None or fleet is None:
                continue
            key = _drop_none({"name": k.name, "description": k.description, "expiry_date": server_expiry(k.expiry_date)})
            label = f"provisioning key {fleet.slug}:{k.name or '(unnamed)'}"
            if self.accept("ProvisioningKey", {"fleet": fleet.slug, **key}, k.id, label):
                keys = item.setdefault("provisioning_keys", [])
                keys.append(key)
                self.snap.items[("ProvisioningKey", k.id)] = (keys, key)
                self.snap.unrecoverable.append(
                    f"{label} (id {k.id}): adopted by its metadata; its value is not readable from the API, so the "
                    "stack has no `key` output for it"
                )

    def device_pins(self) -> None:
        for d in self.inv.devices:
            selector = _release_selector(d.pinned)
            if selector is None or self.fleet_item(d.fleet_id) is None:
                continue
            if self.accept("DevicePin", {"device": d.uuid, **selector}, d.id, f"device pin {d.uuid}"):
                item = self.device_item(d.id)
                if item is not None:
                    item["pin"] = selector

    def finish(self) -> Snapshot:
        if self.device_items:
            # Devices in the order the API listed them; only those with something to manage.
            self.snap.config["devices"] = [self.device_items[d.id] for d in self.inv.devices if d.id in self.device_items]
        # Lists by what names each item, not by object id: ids follow the order things were created in,
        # which differs between two organizations made alike (a clone's fleets are created concurrently).
        # Sorted in place and stably, so equal names keep id order and `items` keep pointing at their lists.
        config = self.snap.config
        _sort(config.get("invites"), "invitee")
        _sort(config.get("apiKeys"), "name")
        _sort(config.get("sshKeys"), "title")
        _sort(config.get("fleets"), "name")
        for fleet in config.get("fleets") or ():
            _sort(fleet.get("invites"), "invitee")
            _sort(fleet.get("provisioning_keys"), "name")
            if fleet.get("release_tags"):
                fleet["release_tags"].sort(key=lambda t: (str(next(iter(t.values()))), t["key"]))
        return self.snap


def _sort(items: list[dict[str, Any]] | None, name: str) -> None:
    if items:
        items.sort(key=lambda item: str(item.get(name) or ""))


def _invite_item(email: str | None, role: str | None, message: str | None) -> dict[str, Any] | None:
    if not email:
        return None
    return _drop_none({"invitee": email, "role": role, "message": message or None})


def _drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def snapshot(inv: OrganizationInventory) -> Snapshot:
    """The stack config that describes ``inv``, its secret values apart, with notes (see the module doc)."""
    b = _Builder(inv)
    b.organization()
    b.user_keys()
    b.fleets()
    b.variables()
    b.tags()
    b.fleet_people()
    b.provisioning_keys()
    b.device_pins()
    return b.finish()
