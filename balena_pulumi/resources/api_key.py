"""``ApiKey``: a named API key of the logged-in user (``POST /api-key/user/full``, resource ``api_key``).

Type token ``pulumi-python:dynamic/balena:ApiKey``. Import id: the numeric key id (an imported key has no
``key`` output: the API shows the secret only once, in the creation response). The secret is the output
``key``, always stored as a Pulumi secret and never read back. Name, description and expiry are updated
in place by one PATCH that re-sends all three. Creating or changing a key needs a session token
(a JWT from a login); a stack logged in with an API key fails in preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import dynamic
from pulumi.dynamic import CheckFailure, CheckResult
from pydantic import Field, field_validator

from balena_pulumi.client import BalenaClient, Unauthorized

from ._access import check_expiry, check_length, expiry_in_future, expiry_wire, same_expiry, same_instant, server_expiry
from .base import Args, BalenaProvider, BalenaResourceError, is_unknown

SESSION_NEEDED = (
    "balena:apiToken: creating or changing an ApiKey needs a session token (a JWT from `balena login`, "
    "valid for recent logins), but this stack is logged in with an API key, which the API refuses (401) "
    "for user key routes. Set balena:apiToken to a session token for this change."
)


class ApiKeyArgs(Args):
    name: str = Field(description="Key name, 1 to 50 characters. Updated in place.")
    description: str | None = Field(default=None, description="At most 150 characters. Updated in place.")
    expiry_date: str | None = Field(
        default=None,
        description=(
            "ISO 8601 date (`2027-01-31`, midnight UTC) or datetime with a timezone; must be in the future "
            "when set. Without it the key never expires. Updated in place."
        ),
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        check_length(value, 1, 50)
        return value

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        return check_length(value, 0, 150)

    @field_validator("expiry_date")
    @classmethod
    def _expiry(cls, value: str | None) -> str | None:
        return check_expiry(value)


def expiry_failure(inputs: Mapping[str, Any], olds: Mapping[str, Any]) -> list[CheckFailure]:
    """A new or changed expiry must lie in the future; a stored one that has passed since is left alone."""
    expiry = inputs.get("expiry_date")
    if expiry is None or (olds and same_expiry(olds.get("expiry_date"), expiry)):
        return []
    problem = expiry_in_future(expiry)
    return [CheckFailure("expiry_date", f"expiry_date: {problem}")] if problem else []


class ExpiringKeyProvider(BalenaProvider):
    """Keys with an `expiry_date`: a date and the API's timestamp of the same instant are no change."""

    def equivalent(self, field: str, old: Any, new: Any, olds: Mapping[str, Any]) -> bool:
        if field == "expiry_date":
            return same_expiry(old, new)
        return old == new


class ApiKeyProvider(ExpiringKeyProvider):
    kind = "ApiKey"
    args_model = ApiKeyArgs

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"ApiKey {inputs.get('name')}"

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        if result.failures:
            return result
        inputs = result.inputs
        if any(is_unknown(v) for v in inputs.values()):
            return result  # unknowns: checked again when known
        failures = expiry_failure(inputs, olds)
        changed = not olds or any(inputs.get(k) != olds.get(k) for k in self.input_fields)
        if changed and self.client().token_kind == "api_key":
            failures.append(CheckFailure("balena:apiToken", SESSION_NEEDED))
        return CheckResult(inputs, failures)

    def create_object(self, client: BalenaClient, args: ApiKeyArgs) -> tuple[str, dict[str, Any]]:
        try:
            new = client.api_keys.create_user_key(args.name, args.description, expiry_wire(args.expiry_date))
        except Unauthorized:
            raise BalenaResourceError(f"{self.describe(args.model_dump())}: {SESSION_NEEDED}") from None
        if new.id is None:
            raise BalenaResourceError(f"{self.describe(args.model_dump())}: the key was created but its id was not found")
        return str(new.id), {"key": new.key.get_secret_value(), "api_key_id": new.id}

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        key = client.api_keys.maybe_get(int(id_))
        if key is None:
            return None
        expiry = props.get("expiry_date")
        if not same_instant(expiry, key.expiry_date):
            expiry = server_expiry(key.expiry_date)
        return {
            "name": key.name,
            "description": key.description,
            "expiry_date": expiry,
            "key": props.get("key"),  # never readable: kept from the creation response
            "api_key_id": key.id,
        }

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: ApiKeyArgs) -> dict[str, Any]:
        try:
            client.api_keys.update(
                int(id_), name=args.name, description=args.description, expiry_date=expiry_wire(args.expiry_date)
            )
        except Unauthorized:
            raise BalenaResourceError(f"{self.describe(args.model_dump())}: {SESSION_NEEDED}") from None
        return {"key": olds.get("key"), "api_key_id": int(id_)}

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        try:
            client.api_keys.delete(int(id_))
        except Unauthorized:
            raise BalenaResourceError(
                f"{self.describe(props)}: the API refused to delete the key (401): deleting an API key needs a "
                "session token, not an API key login"
            ) from None


class ApiKey(dynamic.Resource, module="balena", name="ApiKey"):
    """A named API key of the logged-in user. Output ``key`` is the secret (a Pulumi secret), ``api_key_id``."""

    name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    expiry_date: pulumi.Output[str | None]
    key: pulumi.Output[str]
    api_key_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        expiry_date: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["key"]))
        super().__init__(
            ApiKeyProvider(),
            resource_name,
            {"name": name, "description": description, "expiry_date": expiry_date, "key": None, "api_key_id": None},
            opts,
        )
