"""``FleetPin``: hold a fleet on one release (the fleet's ``should_be_running__release``, with
``should_track_latest_release`` false).

Type token ``pulumi-python:dynamic/balena:FleetPin``. Import id: the numeric fleet id or the slug
``org/fleet`` (the pin's id is the fleet id). Exactly one selector names the release; it must belong to
the fleet and have status ``success``. Another selector is an update (one PATCH, none when it names the
same release); another fleet replaces (the new fleet is pinned before the old one is released). Deleting
the pin makes the fleet track its latest release again.
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
from .base import Args, BalenaProvider, is_unknown


class FleetPinArgs(Args):
    fleet: Annotated[str, AfterValidator(_refs.check_fleet_slug)] = Field(
        description="Slug of the fleet to pin (`org_handle/app_name`). Another fleet replaces; a rename does not."
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


class FleetPinProvider(_refs.ReleaseSelectorMixin, BalenaProvider):
    kind = "FleetPin"
    args_model = FleetPinArgs
    # Two pins on two fleets never collide: pin the new fleet first, then release the old one.
    delete_before_replace = False

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"FleetPin {inputs.get('fleet')} ({_refs.selector_text(inputs)})"

    def validate_remote(self, client: BalenaClient, args: FleetPinArgs, changed: set[str]) -> list[CheckFailure]:
        try:
            fleet = client.fleets.get_by_slug(args.fleet)
        except NotFound:
            return [CheckFailure("fleet", f"fleet: no fleet with slug {args.fleet!r} is visible to this token")]
        try:
            release = _refs.find_release(client, fleet.id, args)
        except NotFound:
            return [_refs.missing_release(args, args.fleet)]
        problem = _refs.unpinnable(release, args, f"fleet {args.fleet}")
        return [problem] if problem else []

    def replace_reasons(self, olds: Mapping[str, Any], news: Mapping[str, Any], changed: set[str]) -> set[str]:
        if "fleet" not in changed:
            return set()
        if is_unknown(news.get("fleet")):
            return {"fleet"}
        try:
            same = self.client().fleets.get_by_slug(news["fleet"]).id == olds.get("fleet_id")
        except NotFound:
            same = False
        return set() if same else {"fleet"}

    def create_object(self, client: BalenaClient, args: FleetPinArgs) -> tuple[str, dict[str, Any]]:
        fleet = client.fleets.get_by_slug(args.fleet)
        release = _refs.find_release(client, fleet.id, args)
        client.fleets.pin(fleet.id, release.id)
        selector, _ = _refs.given_selector(args)
        return str(fleet.id), {"fleet_id": fleet.id, **_refs.release_outputs(release, selector)}

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        fleet_id = int(id_) if id_.isdigit() else client.fleets.get_by_slug(id_).id
        fleet, target = client.fleets.get_with_target(fleet_id)
        if fleet.should_track_latest_release or target is None:
            return None  # the fleet follows its latest release again: the pin is gone
        # Another pinned release is drift: report it with the selector the program uses.
        selector = props.get(_refs.SELECTOR_KEY) or "release_version"
        return {
            "fleet": props.get("fleet") or fleet.slug,
            "fleet_id": fleet.id,
            **_refs.release_outputs(target, selector),
            "__id": fleet.id,
        }

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: FleetPinArgs) -> dict[str, Any]:
        fleet_id = int(id_)
        release = _refs.find_release(client, fleet_id, args)
        if release.id != olds.get("release_id"):
            client.fleets.pin(fleet_id, release.id)
        selector, _ = _refs.given_selector(args)
        return {"fleet_id": fleet_id, **_refs.release_outputs(release, selector)}

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
        super().__init__(
            FleetPinProvider(),
            resource_name,
            {
                "fleet": fleet,
                "release_version": release_version,
                "release_commit": release_commit,
                "release_id": release_id,
                "fleet_id": None,
                "release_selector": None,
            },
            opts,
        )
