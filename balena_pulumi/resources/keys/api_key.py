"""``ApiKey``: a named API key of the logged-in user (``POST /api-key/user/full``, resource ``api_key``).

Type token ``pulumi-python:dynamic/balena:ApiKey``. Import id: the numeric key id (an imported key has no
``key`` output: the API shows the secret only once, in the creation response). The secret is the output
``key``, always stored as a Pulumi secret and never read back. Name, description and expiry are updated
in place by one PATCH that re-sends all three. Creating or changing a key needs a session token from a
login less than 20 minutes old; a stack logged in with an API key fails in preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Optional

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator

from balena_pulumi.client import BalenaClient, BalenaError, Unauthorized

from ..base import Args, resource_props
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

OUTPUTS = ("key", "api_key_id")

SESSION_NEEDED = (
    "balena:apiToken: creating or changing an ApiKey needs a session token (a JWT from `balena login`), "
    "but this stack is logged in with an API key, which the API refuses (401) for user key routes. Set "
    "balena:apiToken to a session token for this change."
)
FRESH_LOGIN_NEEDED = (
    "balena:apiToken: the API refused with \"Fresh authentication token required\": creating an API key needs "
    "a session token from a login less than 20 minutes old. Log in again (`balena login`), set balena:apiToken "
    "to the new token, and run `pulumi up` again."
)


def _name(value: str) -> str:
    return check_identifier(value, max_length=50)


def _description(value: Optional[str]) -> Optional[str]:
    return None if value is None else check_text(value, max_length=150)


class ApiKeyArgs(Args):
    name: Annotated[str, AfterValidator(_name)] = field("Key name, 1 to 50 characters.", change=Change.UPDATE)
    description: Annotated[Optional[str], AfterValidator(_description)] = field(
        "At most 150 characters.", change=Change.UPDATE, default=None
    )
    expiry_date: Annotated[Optional[str], AfterValidator(check_expiry)] = field(
        "ISO 8601 date (`2027-01-31`, midnight UTC) or datetime with a timezone; must be in the future when set. "
        "Without it the key never expires.",
        change=Change.UPDATE,
        default=None,
        docs_change="update in place; the same instant written another way is no change",
    )


def refusal(describe: str, error: BalenaError) -> ResourceError:
    """The user key routes' 401s: a stale session and an API key login read differently."""
    if "fresh authentication token" in (error.api_message or "").lower():
        return ResourceError(f"{describe}: {FRESH_LOGIN_NEEDED}")
    return ResourceError(f"{describe}: {SESSION_NEEDED}")


class ApiKeyProvider(ExpiringKeyProvider):
    kind = "ApiKey"
    noun = "API key"
    args_model = ApiKeyArgs

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"ApiKey {inputs.get('name')}"

    def validate_local(self, inputs: Mapping[str, Any], olds: Mapping[str, Any]) -> list[str]:
        lines = expiry_failure(inputs, olds)
        changed = not olds or any(inputs.get(k) != olds.get(k) for k in self.input_fields)
        if changed and self.client().token_kind == "api_key":  # the token's form, no request
            lines.append(SESSION_NEEDED)
        return lines

    def create_object(self, client: BalenaClient, args: ApiKeyArgs) -> tuple[str, dict[str, Any]]:
        try:
            new = client.api_keys.create_user_key(args.name, args.description, expiry_wire(args.expiry_date))
        except Unauthorized as exc:
            raise refusal(self.describe(args.model_dump()), exc) from None
        if new.id is None:
            raise ResourceError(
                f"{self.describe(args.model_dump())}: the key was created but this login cannot read it back to "
                "learn its id; it is not recorded, revoke it in the dashboard"
            )
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
        except Unauthorized as exc:
            raise refusal(self.describe(args.model_dump()), exc) from None
        return {"key": olds.get("key"), "api_key_id": int(id_)}

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        try:
            client.api_keys.delete(int(id_))
        except Unauthorized:
            raise ResourceError(
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
        inputs = {"name": name, "description": description, "expiry_date": expiry_date}
        super().__init__(ApiKeyProvider(), resource_name, resource_props(inputs, OUTPUTS), opts)
