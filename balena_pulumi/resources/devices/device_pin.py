"""``DevicePin``: run one release on one device, whatever its fleet targets (``is_pinned_on__release``).

Type token ``pulumi-python:dynamic/balena:DevicePin``. Import id: the device uuid or the numeric device
id (the pin's id is the device id). Exactly one selector names the release; it must belong to the
device's fleet and have status ``success``. Another release is an update (one PATCH); the same release
named another way changes nothing; another device replaces. Deleting the pin unpins the device, which then
follows its fleet again. The device's ``should_be_running__release`` is computed by the API and never
written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import dynamic

from balena_pulumi.client import BalenaClient, NotFound

from .. import refs
from ..base import Args, BalenaProvider, Replacement, resource_props
from ..fields import Change, field

OUTPUTS = ("device_id", "fleet_id", "release_selector")


class DevicePinArgs(Args):
    device: refs.DeviceUuid = field(refs.DEVICE_DOC, change=Change.PARENT)
    release_version: refs.ReleaseVersion = field(refs.RELEASE_DOCS["release_version"], change=Change.RELEASE, default=None)
    release_commit: refs.ReleaseCommit = field(refs.RELEASE_DOCS["release_commit"], change=Change.RELEASE, default=None)
    release_id: refs.ReleaseId = field(refs.RELEASE_DOCS["release_id"], change=Change.RELEASE, default=None)


class DevicePinProvider(BalenaProvider):
    kind = "DevicePin"
    noun = "device pin"
    args_model = DevicePinArgs
    parents = {"device": ("device", "device_id")}
    import_id = refs.ImportId(("device",), "<UUID>", "0123456789abcdef0123456789abcdef")
    other_release = Change.UPDATE
    replacement = Replacement.CREATE_FIRST  # pins of two devices never collide

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"DevicePin {inputs.get('device')} ({refs.selector_text(inputs)})"

    def _release(self, client: BalenaClient, fleet_id: int, args: Any) -> Any:
        try:
            return refs.find_release(client, fleet_id, args)
        except NotFound:
            where = f"{refs.fleet_slug_of(client, fleet_id)} (the fleet of device {args.device})"
            raise refs.missing_release(args, f"fleet {where}") from None

    def validate_remote(self, client: BalenaClient, args: DevicePinArgs, changed: set[str]) -> list[str]:
        fleet_id = refs.device_fleet_id(client, args.device)
        release = self._release(client, fleet_id, args)
        problem = refs.unpinnable(release, args, f"the fleet of device {args.device}")
        return [str(problem)] if problem else []

    def create_object(self, client: BalenaClient, args: DevicePinArgs) -> tuple[str, dict[str, Any]]:
        device = refs.device(client, args.device)
        fleet_id = refs.device_fleet_id(client, args.device)
        release = self._release(client, fleet_id, args)
        client.devices.pin(device.id, release.id)
        selector, _ = refs.given_selector(args)  # type: ignore[misc]
        return str(device.id), {"device_id": device.id, "fleet_id": fleet_id, **refs.release_outputs(release, selector)}

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        device_id = int(id_) if id_.isdigit() else refs.device(client, id_).id
        device, pinned = client.devices.get_with_pin(device_id)
        if pinned is None:
            return None  # unpinned (or moved to another fleet, which clears the pin): the pin is gone
        selector = props.get(refs.SELECTOR_KEY) or "release_version"
        return {
            "device": props.get("device") or device.uuid,
            "device_id": device.id,
            "fleet_id": device.belongs_to__application,
            **refs.release_outputs(pinned, selector),
            "__id": device.id,
        }

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: DevicePinArgs) -> dict[str, Any]:
        fleet_id = int(olds.get("fleet_id") or client.devices.get(int(id_)).belongs_to__application or 0)
        release = self._release(client, fleet_id, args)
        if release.id != olds.get("release_id"):
            client.devices.pin(int(id_), release.id)
        selector, _ = refs.given_selector(args)  # type: ignore[misc]
        return {"device_id": int(id_), "fleet_id": fleet_id, **refs.release_outputs(release, selector)}

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        client.devices.pin(int(id_), None)  # the device follows its fleet's target again


class DevicePin(dynamic.Resource, module="balena", name="DevicePin"):
    """Pins a device to one release of its fleet. Outputs: every input, ``device_id``, ``fleet_id`` and
    the resolved ``release_id``, ``release_version``, ``release_commit``."""

    device: pulumi.Output[str]
    release_version: pulumi.Output[str]
    release_commit: pulumi.Output[str]
    release_id: pulumi.Output[int]
    device_id: pulumi.Output[int]
    fleet_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        device: pulumi.Input[str],
        release_version: pulumi.Input[str] | None = None,
        release_commit: pulumi.Input[str] | None = None,
        release_id: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "device": device,
            "release_version": release_version,
            "release_commit": release_commit,
            "release_id": release_id,
        }
        super().__init__(DevicePinProvider(), resource_name, resource_props(inputs, OUTPUTS), opts)
