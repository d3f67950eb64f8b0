"""``ProvisioningKey``: a fleet's provisioning key (``POST /api-key/application/<id>/provisioning``).

Type token ``pulumi-python:dynamic/balena:ProvisioningKey``. Import id: the numeric key id (an imported key
has no ``key`` output: the secret is shown only once). The secret is the output ``key``, always stored as
a Pulumi secret. A change of name, description or expiry replaces the key: the new key is created before
the old one is deleted, so the fleet is never without one. A renamed fleet keeps its keys untouched.
Delete checks that the key is really gone, because the API answers 200 to a delete that its permissions
silently narrowed to nothing. For the same reason (reads narrowed to nothing), the check refuses a login
that cannot be shown to read the fleet's keys back, before any write (:func:`key_reading_problem`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from typing import Annotated, Any, Optional

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator

from balena_pulumi.client import BadRequest, BalenaClient, Forbidden, NotFound, Unauthorized

from .. import refs
from ..base import Args, Replacement, resource_props
from ..errors import ResourceError
from ..fields import Change, check_identifier, check_text, field
from ._expiry import (
    ExpiringKeyProvider,
    check_expiry,
    expiry_failure,
    expiry_wire,
    same_instant,
    server_expiry,
)

OUTPUTS = ("key", "api_key_id", "fleet_id")


def _name(value: Optional[str]) -> Optional[str]:
    return None if value is None else check_identifier(value, max_length=50)


def _description(value: Optional[str]) -> Optional[str]:
    return None if value is None else check_text(value, max_length=150)


class ProvisioningKeyArgs(Args):
    fleet: refs.FleetSlug = field(refs.FLEET_DOC, change=Change.PARENT)
    name: Annotated[Optional[str], AfterValidator(_name)] = field(
        "At most 50 characters.", change=Change.REPLACE, default=None
    )
    description: Annotated[Optional[str], AfterValidator(_description)] = field(
        "At most 150 characters.", change=Change.REPLACE, default=None
    )
    expiry_date: Annotated[Optional[str], AfterValidator(check_expiry)] = field(
        "ISO 8601 date (`2027-01-31`, midnight UTC) or datetime with a timezone; must be in the future when set.",
        change=Change.REPLACE,
        default=None,
        docs_change="replace; the same instant written another way is no change",
    )


def key_reading_problem(client: BalenaClient, fleet: Any, slug: str) -> str | None:
    """Why this login might not find a new key of the fleet again, or None when it can be shown to.

    A new key's id is found by reading the fleet's keys, and the API answers a login that may not read
    them with an empty list, not an error (open-balena shows a user only the user's own keys). So an empty
    list proves nothing, and two facts count as proof: a key of this fleet is shown to this login, or the
    login administers the fleet's organization (balenaCloud's organization administrators read every key of
    its fleets). Without either, creating would risk a key that cannot be recorded: its secret lost, and
    one more on every retry. Refused, before any write.
    """
    with _PROVEN_LOCK:
        if fleet.id in _PROVEN.get(client, ()):
            return None
    try:
        if fleet.actor is not None and client.api_keys.any_of(fleet.actor):
            _remember_proof(client, fleet.id)
            return None
    except (Unauthorized, Forbidden) as exc:
        return (
            f"fleet: this login may not read the API keys of fleet {slug} ({exc.status}), so a provisioning key "
            "it created could not be recorded; use a login that may manage the fleet's keys"
        )
    if administers(client, fleet.organization):
        _remember_proof(client, fleet.id)
        return None
    return (
        f"fleet: this login is shown none of the API keys of fleet {slug} and is not an administrator of its "
        "organization, so it may be unable to read them (the API hides what a login may not read; open-balena "
        "shows users only their own keys): a provisioning key created here could not be found again and its "
        "secret would be lost. Use the login of an administrator of the fleet's organization, or create the "
        "fleet's first key elsewhere and adopt it with import_"
    )


# Fleets whose keys a login was shown it can read back, per client (one client per login and process):
# proven once, so a run creating many keys of one fleet probes once. A refusal is never remembered.
_PROVEN: weakref.WeakKeyDictionary[BalenaClient, set[int]] = weakref.WeakKeyDictionary()
_PROVEN_LOCK = threading.Lock()


def _remember_proof(client: BalenaClient, fleet_id: int) -> None:
    with _PROVEN_LOCK:
        _PROVEN.setdefault(client, set()).add(fleet_id)


def administers(client: BalenaClient, organization_id: int | None) -> bool:
    """Whether this login is an administrator of the organization (balenaCloud's organization roles; a server
    without them, such as open-balena, has no administrators in this sense)."""
    me = client.whoami()
    if organization_id is None or me.user_id is None:
        return False
    try:
        membership = client.organization_members.find(int(organization_id), me.user_id)
        if membership.organization_membership_role is None:
            return False
        return membership.organization_membership_role == client.roles.organization_role("administrator").id
    except (NotFound, Unauthorized, Forbidden, BadRequest):
        return False


class ProvisioningKeyProvider(ExpiringKeyProvider):
    kind = "ProvisioningKey"
    noun = "provisioning key"
    args_model = ProvisioningKeyArgs
    parents = {"fleet": ("fleet", "fleet_id")}
    # No natural key is unique, so the replacement is created first and the fleet always has a key.
    replacement = Replacement.CREATE_FIRST

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"ProvisioningKey {inputs.get('fleet')}:{inputs.get('name') or '(unnamed)'}"

    def validate_local(self, inputs: Mapping[str, Any], olds: Mapping[str, Any]) -> list[str]:
        return expiry_failure(inputs, olds)

    def validate_remote(self, client: BalenaClient, args: ProvisioningKeyArgs, changed: set[str]) -> list[str]:
        if "fleet" not in changed:
            return []  # a new key, or one for another fleet; a replacement in the same fleet reads back as before
        fleet = refs.fleet(client, args.fleet)
        problem = key_reading_problem(client, fleet, args.fleet)
        return [problem] if problem else []

    def create_object(self, client: BalenaClient, args: ProvisioningKeyArgs) -> tuple[str, dict[str, Any]]:
        fleet = refs.fleet(client, args.fleet)
        try:
            new = client.api_keys.create_provisioning_key(
                fleet.id, args.name, args.description, expiry_wire(args.expiry_date), actor_id=fleet.actor
            )
        except (Unauthorized, Forbidden) as exc:
            raise ResourceError(
                f"{self.describe(args.model_dump())}: the API refused to create a provisioning key for fleet "
                f"{args.fleet!r} ({exc.status}): this login may not manage the fleet's keys"
            ) from None
        if new.id is None:
            raise ResourceError(
                f"{self.describe(args.model_dump())}: the key was created but this login cannot read the fleet's "
                "keys back to learn its id; it is not recorded, revoke it in the dashboard"
            )
        return str(new.id), {"key": new.key.get_secret_value(), "api_key_id": new.id, "fleet_id": fleet.id}

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        key = client.api_keys.maybe_get(int(id_))
        if key is None:
            return None
        fleet = props.get("fleet")
        fleet_id = props.get("fleet_id")
        if not fleet:  # import: the key's actor is the fleet's actor
            found = next((f for f in client.fleets.list() if f.actor == key.is_of__actor), None)
            if found is None:
                raise ResourceError(f"ProvisioningKey {id_}: api key {id_} is not a provisioning key of a fleet visible to this token")
            fleet, fleet_id = found.slug, found.id
        expiry = props.get("expiry_date")
        if not same_instant(expiry, key.expiry_date):
            expiry = server_expiry(key.expiry_date)
        return {
            "fleet": fleet,
            "name": key.name,
            "description": key.description,
            "expiry_date": expiry,
            "key": props.get("key"),  # never readable: kept from the creation response
            "api_key_id": key.id,
            "fleet_id": fleet_id,
        }

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: Any) -> dict[str, Any]:
        # Only a new name of the same fleet reaches here (every other change replaces): nothing to send.
        return {"key": olds.get("key"), "api_key_id": int(id_), "fleet_id": olds.get("fleet_id")}

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        try:
            client.api_keys.delete(int(id_))
        except (Unauthorized, Forbidden) as exc:
            raise ResourceError(
                f"{self.describe(props)}: the API refused to delete the key ({exc.status}): this login may not "
                "manage the fleet's provisioning keys"
            ) from None
        # A delete narrowed to nothing by permissions is still 200: check, as a live credential must not leak.
        if client.api_keys.maybe_get(int(id_)) is not None:
            raise ResourceError(
                f"{self.describe(props)}: the API accepted the delete but the key still exists: this login may "
                "not delete the fleet's provisioning keys; revoke it in the dashboard or with an owner's login"
            )


class ProvisioningKey(dynamic.Resource, module="balena", name="ProvisioningKey"):
    """A provisioning key of a fleet. Output ``key`` is the secret (a Pulumi secret), ``api_key_id``."""

    fleet: pulumi.Output[str]
    name: pulumi.Output[str | None]
    description: pulumi.Output[str | None]
    expiry_date: pulumi.Output[str | None]
    key: pulumi.Output[str]
    api_key_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        expiry_date: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["key"]))
        inputs = {"fleet": fleet, "name": name, "description": description, "expiry_date": expiry_date}
        super().__init__(ProvisioningKeyProvider(), resource_name, resource_props(inputs, OUTPUTS), opts)
