"""``ProvisioningKey``: a fleet's provisioning key (``POST /api-key/application/<id>/provisioning``).

Type token ``pulumi-python:dynamic/balena:ProvisioningKey``. Import id: the numeric key id (an imported key
has no ``key`` output: the secret is shown only once). The secret is the output ``key``, always stored as
a Pulumi secret. Any input change replaces the key: the new key is created before the old one is
deleted, so the fleet is never without one. Delete checks that the key is really gone, because the API
answers 200 to a delete that its permissions silently narrowed to nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import dynamic
from pulumi.dynamic import CheckFailure, CheckResult
from pydantic import Field, field_validator

from balena_pulumi.client import BalenaClient, Forbidden, NotFound, Unauthorized

from ._access import check_expiry, check_fleet_slug, check_length, expiry_wire, same_instant, server_expiry
from .api_key import ExpiringKeyProvider, expiry_failure
from .base import Args, BalenaResourceError, is_unknown


class ProvisioningKeyArgs(Args):
    fleet: str = Field(description="Slug of the fleet, `org_handle/fleet_name`. Changing it replaces the key.")
    name: str | None = Field(default=None, description="At most 50 characters. Changing it replaces the key.")
    description: str | None = Field(default=None, description="At most 150 characters. Changing it replaces the key.")
    expiry_date: str | None = Field(
        default=None,
        description=(
            "ISO 8601 date (`2027-01-31`, midnight UTC) or datetime with a timezone; must be in the future "
            "when set. Changing it replaces the key."
        ),
    )

    @field_validator("fleet")
    @classmethod
    def _fleet(cls, value: str) -> str:
        return check_fleet_slug(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return check_length(value, 1, 50)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        return check_length(value, 0, 150)

    @field_validator("expiry_date")
    @classmethod
    def _expiry(cls, value: str | None) -> str | None:
        return check_expiry(value)


class ProvisioningKeyProvider(ExpiringKeyProvider):
    kind = "ProvisioningKey"
    args_model = ProvisioningKeyArgs
    replace_on = frozenset(ProvisioningKeyArgs.model_fields)
    # No natural key is unique, so the replacement is created first and the fleet always has a key.
    delete_before_replace = False

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"ProvisioningKey {inputs.get('fleet')}:{inputs.get('name') or '(unnamed)'}"

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        if result.failures or any(is_unknown(v) for v in result.inputs.values()):
            return result
        return CheckResult(result.inputs, expiry_failure(result.inputs, olds))

    def validate_remote(self, client: BalenaClient, args: ProvisioningKeyArgs, changed: set[str]) -> list[CheckFailure]:
        if "fleet" in changed:
            try:
                client.fleets.get_by_slug(args.fleet)
            except NotFound:
                return [CheckFailure("fleet", f"fleet: no fleet with slug {args.fleet!r} is visible to this token")]
        return []

    def create_object(self, client: BalenaClient, args: ProvisioningKeyArgs) -> tuple[str, dict[str, Any]]:
        fleet = client.fleets.get_by_slug(args.fleet)
        try:
            new = client.api_keys.create_provisioning_key(
                fleet.id, args.name, args.description, expiry_wire(args.expiry_date), actor_id=fleet.actor
            )
        except (Unauthorized, Forbidden) as exc:
            raise BalenaResourceError(
                f"{self.describe(args.model_dump())}: the API refused to create a provisioning key for fleet "
                f"{args.fleet!r} ({exc.status}): this login may not manage the fleet's keys"
            ) from None
        if new.id is None:
            raise BalenaResourceError(f"{self.describe(args.model_dump())}: the key was created but its id was not found")
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
                raise BalenaResourceError(f"api key {id_} is not a provisioning key of a fleet visible to this token")
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
        raise BalenaResourceError(f"{self.describe(olds)}: a provisioning key cannot be changed, only replaced")

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        try:
            client.api_keys.delete(int(id_))
        except (Unauthorized, Forbidden) as exc:
            raise BalenaResourceError(
                f"{self.describe(props)}: the API refused to delete the key ({exc.status}): this login may not "
                "manage the fleet's provisioning keys"
            ) from None
        # A delete narrowed to nothing by permissions is still 200: check, as a live credential must not leak.
        if client.api_keys.maybe_get(int(id_)) is not None:
            raise BalenaResourceError(
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
        super().__init__(
            ProvisioningKeyProvider(),
            resource_name,
            {
                "fleet": fleet,
                "name": name,
                "description": description,
                "expiry_date": expiry_date,
                "key": None,
                "api_key_id": None,
                "fleet_id": None,
            },
            opts,
        )
