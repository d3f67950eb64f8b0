"""``FleetPin``: hold a fleet on one release (the fleet's ``should_be_running__release``, with
``should_track_latest_release`` false).

Type token ``pulumi-python:dynamic/balena:FleetPin``. Import id: the slug ``org/fleet`` or the numeric
fleet id (the pin's id is the fleet id). Exactly one selector names the release; it must belong to the
fleet and have status ``success``. Another release is an update (one PATCH); the same release named
another way, or a renamed fleet, changes nothing; another fleet replaces (the new fleet is pinned before
the old one is released). Deleting the pin makes the fleet track its latest release again.
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

OUTPUTS = ("fleet_id", "release_selector")


class FleetPinArgs(Args):
    fleet: refs.FleetSlug = field("Slug of the fleet to pin (pass the Fleet's `slug` output).", change=Change.PARENT)
    release_version: refs.ReleaseVersion = field(refs.RELEASE_DOCS["release_version"], change=Change.RELEASE, default=None)
    release_commit: refs.ReleaseCommit = field(refs.RELEASE_DOCS["release_commit"], change=Change.RELEASE, default=None)
    release_id: refs.ReleaseId = field(refs.RELEASE_DOCS["release_id"], change=Change.RELEASE, default=None)


class FleetPinProvider(BalenaProvider):
    kind = "FleetPin"
    noun = "fleet pin"
    args_model = FleetPinArgs
    parents = {"fleet": ("fleet", "fleet_id")}
    import_id = refs.ImportId(("fleet",), "<FLEET>", "acme/production")
    other_release = Change.UPDATE
    # Two pins on two fleets never collide: pin the new fleet first, then release the old one.
    replacement = Replacement.CREATE_FIRST

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"FleetPin {inputs.get('fleet')} ({refs.selector_text(inputs)})"

    def _release(self, client: BalenaClient, fleet: int, args: Any) -> Any:
        try:
            return refs.find_release(client, fleet, args)
        except NotFound:
            raise refs.missing_release(args, f"fleet {args.fleet}") from None

    def validate_remote(self, client: BalenaClient, args: FleetPinArgs, changed: set[str]) -> list[str]:
        fleet = refs.fleet_id(client, args.fleet)
        problem = refs.unpinnable(self._release(client, fleet, args), args, f"fleet {args.fleet}")
        return [str(problem)] if problem else []

    def create_object(self, client: BalenaClient, args: FleetPinArgs) -> tuple[str, dict[str, Any]]:
        fleet = refs.fleet_id(client, args.fleet)
        release = self._release(client, fleet, args)
        client.fleets.pin(fleet, release.id)
        selector, _ = refs.given_selector(args)  # type: ignore[misc]
        return str(fleet), {"fleet_id": fleet, **refs.release_outputs(release, selector)}

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        fleet_id = int(id_) if id_.isdigit() else refs.fleet_id(client, id_)
        fleet, target = client.fleets.get_with_target(fleet_id)
        if fleet.should_track_latest_release or target is None:
            return None  # the fleet follows its latest release again: the pin is gone
        # Another pinned release is drift: report it with the selector the program uses.
        selector = props.get(refs.SELECTOR_KEY) or "release_version"
        return {
            "fleet": props.get("fleet") or fleet.slug,
            "fleet_id": fleet.id,
            **refs.release_outputs(target, selector),
            "__id": fleet.id,
        }

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: FleetPinArgs) -> dict[str, Any]:
        fleet_id = int(id_)
        release = self._release(client, fleet_id, args)
        if release.id != olds.get("release_id"):
            client.fleets.pin(fleet_id, release.id)
        selector, _ = refs.given_selector(args)  # type: ignore[misc]
        return {"fleet_id": fleet_id, **refs.release_outputs(release, selector)}

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        # Unpinning is tracking latest again, with the latest release set in the same PATCH (no hook does it).
        client.fleets.track_latest(int(id_))


class FleetPin(dynamic.Resource, module="balena", name="FleetPin"):
    """Pins a fleet to one release. Outputs: every input, ``fleet_id`` and the resolved ``release_id``,
    ``release_version``, ``release_commit``."""

    fleet: pulumi.Output[str]
    release_version: pulumi.Output[str]
    release_commit: pulumi.Output[str]
    release_id: pulumi.Output[int]
    fleet_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        release_version: pulumi.Input[str] | None = None,
        release_commit: pulumi.Input[str] | None = None,
        release_id: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "fleet": fleet,
            "release_version": release_version,
            "release_commit": release_commit,
            "release_id": release_id,
        }
        super().__init__(FleetPinProvider(), resource_name, resource_props(inputs, OUTPUTS), opts)
