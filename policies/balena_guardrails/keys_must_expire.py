"""API keys and provisioning keys must expire, and no later than a configured number of days ahead.

A key without ``expiry_date`` lives until someone remembers to revoke it (balena API 5.12).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Callable

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, Severity

from ._common import UNKNOWN, config, kind_of, plain, shown

NAME = "keys-must-expire"
DEFAULT_MAX_DAYS = 90
KINDS = ("ApiKey", "ProvisioningKey")

clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # noqa: E731 - replaced by tests


def parse_expiry(text: str) -> datetime:
    """An ISO 8601 date or datetime as an aware UTC datetime (a bare date means its midnight UTC)."""
    text = text.strip()
    if len(text) == 10:
        d = date.fromisoformat(text)
        return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def validate(args: ResourceValidationArgs, report) -> None:
    kind = kind_of(args.resource_type)
    if kind not in KINDS:
        return
    max_days = int(config(args, "maxDays", DEFAULT_MAX_DAYS))
    expiry = plain(args.props, "expiry_date")
    if expiry is UNKNOWN:
        return
    if expiry is None or expiry == "":
        report(f"{kind} has no expiry_date; set one at most {max_days} days ahead.")
        return
    try:
        when = parse_expiry(str(expiry))
    except ValueError:
        report(f"{kind} expiry_date {shown(args.props, 'expiry_date')} is not an ISO 8601 date or datetime.")
        return
    limit = clock() + timedelta(days=max_days)
    if when > limit:
        report(f"{kind} expiry_date {shown(args.props, 'expiry_date')} is later than the allowed "
               f"{max_days} days (latest {limit.date().isoformat()}).")


policy = ResourceValidationPolicy(
    name=NAME,
    description="ApiKey and ProvisioningKey must set an expiry_date no further ahead than the configured maximum.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(properties={
        "maxDays": {"type": "integer", "minimum": 1, "default": DEFAULT_MAX_DAYS,
                    "description": "How many days ahead an expiry_date may be at most."},
    }),
    remediation_steps="Set expiry_date to a date within the allowed window and rotate the key before it expires.",
    tags=["credentials"],
)
