"""``DevicePin``: run one release on one device, whatever its fleet targets (``is_pinned_on__release``).

Type token ``pulumi-python:dynamic/balena:DevicePin``. Import id: the numeric device id or the device
uuid (the pin's id is the device id). Exactly one selector names the release; it must belong to the
device's fleet and have status ``success``. Another selector is an update (one PATCH); another device
replaces. Deleting the pin unpins the device, which then follows its fleet again. The device's
``should_be_running__release`` is computed by the API and never written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Optional

import pulumi
from pulumi import dynamic
from pulumi.dynamic import CheckFailure
from pydantic import AfterValidator, Field

from balena_pulumi.client import BalenaClient, NotFound

from . import _refs
from .base import Args, BalenaProvider


class DevicePinArgs(Args):
    device: Annotated[str, AfterValidator(_refs.check_device_uuid)] = Field(
        description="Full uuid of the device to pin (32 or 62 hex characters). Another device replaces."
    )
    release_version: Annotated[Optional[str], AfterValidator(_refs.check_release_version)] = Field(
        default=None, description="Raw version of the release: `1.2.3` and `1.2.3+rev1` are different releases."
    )
    release_commit: Annotated[Optional[str], AfterValidator(_refs.check_release_commit)] = Field(
        default=None, description="Full commit hash of the release (32 or 40 hex characters)."
    )
    release_id: Annotated[Optional[int], AfterValidator(_refs.check_release_id)] = Field(
        default=None, description="Numeric id of the release."
    )


class DevicePinProvider(_refs.ReleaseSelectorMixin, BalenaProvider):
    kind = "DevicePin"
    args_model = DevicePinArgs
    replace_on = frozenset({"device"})
    delete_before_replace = False  # pins of two devices never collide

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"DevicePin {inputs.get('device')} ({_refs.selector_text(inputs)})"

    def validate_remote(self, client: BalenaClient, args: DevicePinArgs, changed: set[str]) -> list[CheckFailure]:
        try:
            device = client.devices.get_by_uuid(args.device)
        except NotFound:
            return [CheckFailure("device", f"device: no device with uuid {args.device} is visible to this token")]
        fleet_id = device.belongs_to__application
        if fleet_id is None:
            return [CheckFailure("device", f"device: device {args.device} belongs to no fleet, so it cannot be pinned")]
        try:
            release = _refs.find_release(client, fleet_id, args)
        except NotFound:
            return [_refs.missing_release(args, f"{client.fleets.get(fleet_id).slug} (the fleet of device {args.device})")]
        problem = _refs.unpinnable(release, args, f"the fleet of device {args.device}")
        return [problem] if problem else []

    def create_object(self, client: BalenaClient, args: DevicePinArgs) -> tuple[str, dict[str, Any]]:
        device = client.devices.get_by_uuid(args.device)
        release = _refs.find_release(client, int(device.belongs_to__application or 0), args)
        client.devices.pin(device.id, release.id)
        selector, _ = _refs.given_selector(args)
        return str(device.id), {
            "device_id": device.id,
            "fleet_id": device.belongs_to__application,
            **_refs.release_outputs(release, selector),
        }

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        device_id = int(id_) if id_.isdigit() else client.devices.get_by_uuid(id_).id
        device, pinned = client.devices.get_with_pin(device_id)
        if pinned is None:
            return None  # unpinned (or moved to another fleet, which clears the pin): the pin is gone
        selector = props.get(_refs.SELECTOR_KEY) or "release_version"
        return {
            "device": props.get("device") or device.uuid,
            "device_id": device.id,
            "fleet_id": device.belongs_to__application,
            **_refs.release_outputs(pinned, selector),
            "__id": device.id,
        }

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: DevicePinArgs) -> dict[str, Any]:
        fleet_id = int(olds.get("fleet_id") or client.devices.get(int(id_)).belongs_to__application or 0)
        release = _refs.find_release(client, fleet_id, args)
        if release.id != olds.get("release_id"):
            client.devices.pin(int(id_), release.id)
        selector, _ = _refs.given_selector(args)
        return {"device_id": int(id_), "fleet_id": fleet_id, **_refs.release_outputs(release, selector)}

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
        super().__init__(
            DevicePinProvider(),
            resource_name,
            {
                "device": device,
                "release_version": release_version,
                "release_commit": release_commit,
                "release_id": release_id,
                "device_id": None,
                "fleet_id": None,
                "release_selector": None,
            },
            opts,
        )
