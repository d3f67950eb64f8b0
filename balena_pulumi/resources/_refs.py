"""References to parents by natural key, shared by tags and pins: fleet slugs, device uuids and the
release selectors (``release_version`` / ``release_commit`` / ``release_id``, exactly one).

A resource that takes a release selector outputs the resolved ``release_id``, ``release_version`` and
``release_commit`` under the same names as the inputs, plus ``release_selector`` (which one the program
gave). :class:`ReleaseSelectorMixin` makes that safe: resolved values of selectors the program did not
give are not inputs (no perpetual diff), and refresh hands back only the given selector as input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Optional

import semver
from pulumi.dynamic import CheckFailure, CheckResult
from pydantic import ValidationError

from balena_pulumi.client import BalenaClient, NotFound
from balena_pulumi.client.models import Release

from .base import PROVIDER_KEY, _failures_from, is_unknown
from .tokens import RELEASE_SELECTORS

SELECTOR_KEY = "release_selector"
_SLUG = re.compile(r"^[a-z0-9_]+/[a-zA-Z0-9_-]+$")
_UUID = re.compile(r"^[0-9a-f]{32}(?:[0-9a-f]{30})?$")
_COMMIT = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{40})$")


# -- local rules (pydantic after-validators) ---------------------------------------------------------


def check_fleet_slug(value: str) -> str:
    if not _SLUG.match(value or ""):
        raise ValueError(f"must be a fleet slug 'org_handle/app_name' (the Fleet's slug output); got {value!r}")
    return value.lower()


def check_device_uuid(value: str) -> str:
    lowered = (value or "").lower()
    if not _UUID.match(lowered):
        raise ValueError(f"must be a full device uuid (32 or 62 hex characters); got {value!r}")
    return lowered


def check_release_version(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    try:
        semver.Version.parse(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"must be a release version as balena writes it, e.g. 1.2.3, 1.2.3+rev1 or 1.2.3-beta.1; got {value!r}"
        ) from None
    return value


def check_release_commit(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    lowered = value.lower()
    if not _COMMIT.match(lowered):
        raise ValueError(f"must be a full commit hash (32 or 40 hex characters, no prefixes); got {value!r}")
    return lowered


def check_release_id(value: Optional[int]) -> Optional[int]:
    if value is not None and (isinstance(value, bool) or value < 1):
        raise ValueError(f"must be a positive release id; got {value!r}")
    return value


# -- selectors -----------------------------------------------------------------------------------------


def selector_problem(news: Mapping[str, Any]) -> CheckFailure | None:
    """The exactly-one rule. An unknown value counts as given (it is known at `up` time)."""
    given = [s for s in RELEASE_SELECTORS if news.get(s) is not None and news.get(s) != ""]
    if len(given) == 1:
        return None
    got = "none" if not given else " and ".join(given)
    field = given[0] if given else RELEASE_SELECTORS[0]
    return CheckFailure(
        field,
        f"{field}: exactly one of release_version, release_commit, release_id must be set (got {got})",
    )


def given_selector(args: Any) -> tuple[str, Any]:
    for name in RELEASE_SELECTORS:
        value = getattr(args, name, None)
        if value is not None:
            return name, value
    raise ValueError("no release selector")


def selector_text(inputs: Mapping[str, Any]) -> str:
    for name in RELEASE_SELECTORS:
        if inputs.get(name) is not None:
            return f"{name} {inputs[name]}"
    return "no release"


def find_release(client: BalenaClient, fleet_id: int, args: Any) -> Release:
    """The release the selector names, within the fleet; NotFound otherwise (releases of other fleets too)."""
    name, value = given_selector(args)
    if name == "release_version":
        return client.releases.find_by_version(fleet_id, value)
    if name == "release_commit":
        return client.releases.find_by_commit(fleet_id, value)
    return client.releases.find_by_id(fleet_id, int(value))


def missing_release(args: Any, fleet: str) -> CheckFailure:
    name, value = given_selector(args)
    what = {"release_version": "version", "release_commit": "commit", "release_id": "id"}[name]
    return CheckFailure(name, f"{name}: fleet {fleet} has no release with {what} {value}")


def unpinnable(release: Release, args: Any, where: str) -> CheckFailure | None:
    """The API's pin rule: only a successful release (drafts and invalidated ones included) may be pinned."""
    if release.status == "success":
        return None
    name, _ = given_selector(args)
    return CheckFailure(
        name,
        f"{name}: release {release.raw_version} of {where} has status {release.status!r}; "
        "only a release with status 'success' can be pinned",
    )


def release_outputs(release: Release, selector: str) -> dict[str, Any]:
    return {
        "release_id": release.id,
        "release_version": release.raw_version,
        "release_commit": release.commit,
        SELECTOR_KEY: selector,
    }


def kept_release_outputs(olds: Mapping[str, Any]) -> dict[str, Any]:
    return {k: olds.get(k) for k in (*RELEASE_SELECTORS, SELECTOR_KEY)}


class ReleaseSelectorMixin:
    """Check, diff and refresh rules for kinds with a release selector (mix in before BalenaProvider)."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        problem = selector_problem(news)
        if problem is None:
            return super().check(olds, news)  # type: ignore[misc]
        fields = self.input_fields  # type: ignore[attr-defined]
        raw = {k: v for k, v in news.items() if k != PROVIDER_KEY and not (k not in fields and v is None)}
        unknown = {k for k, v in raw.items() if is_unknown(v)}
        failures = [problem]
        try:
            self.args_model.model_validate({**raw, **{k: None for k in unknown}})  # type: ignore[attr-defined]
        except ValidationError as exc:
            failures += _failures_from(exc, unknown)
        return CheckResult(raw, failures)

    def equivalent(self, field: str, old: Any, new: Any, olds: Mapping[str, Any]) -> bool:
        given = olds.get(SELECTOR_KEY)
        if field in RELEASE_SELECTORS and given in RELEASE_SELECTORS and field != given:
            # A resolved output, not an input, unless the program now selects the release this way.
            return new is None
        return super().equivalent(field, old, new, olds)  # type: ignore[misc]

    def inputs_of(self, props: Mapping[str, Any]) -> dict[str, Any]:
        inputs = super().inputs_of(props)  # type: ignore[misc]
        given = props.get(SELECTOR_KEY)
        if given in RELEASE_SELECTORS:
            for name in RELEASE_SELECTORS:
                if name != given:
                    inputs[name] = None
        return inputs
