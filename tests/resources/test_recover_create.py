"""``recover_create``, which the provider host calls when its journal shows that an earlier run on this
machine sent the create of a resource and never learnt its outcome (its provider process died mid-call).

Every kind, against the sandbox over real HTTP: an object that holds exactly the program's inputs is taken
with GETs only, as its create would have answered; none at all lets the host create it; one with other
values is a conflict naming the import id; a kind without a natural key says it cannot be recovered.
"""

from __future__ import annotations

from typing import Any

import pytest

from balena_pulumi.resources import provider_class
from balena_pulumi.resources.base import SETTINGS, BalenaProvider
from balena_pulumi.resources.errors import ResourceError
from tests.e2e.test_conflicts import CONFLICTING
from tests.e2e.test_import import CASES

WRITES = ("POST", "PATCH", "PUT", "DELETE")


@pytest.fixture
def api(clean_sandbox):
    SETTINGS.set(clean_sandbox.url, clean_sandbox.session_token)
    try:
        yield clean_sandbox
    finally:
        SETTINGS.set(None, None)


def writes(sandbox) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in sandbox.requests() if r["method"] in WRITES]


def provider_of(kind: str) -> BalenaProvider:
    return provider_class(kind)()


def checked(provider: BalenaProvider, inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs as the engine sends them to Create: what the provider's check returned."""
    result = provider.check({}, dict(inputs))
    assert not result.failures
    return dict(result.inputs)


@pytest.mark.parametrize("case", CONFLICTING, ids=str)
def test_an_object_holding_exactly_the_inputs_is_taken_as_its_create_would_have_answered(api, case):
    provider = provider_of(case.kind)
    props = checked(provider, case.inputs)
    api.clear_requests()
    assert provider.recover_create(dict(props)) is None  # nothing there: the host creates it
    assert writes(api) == []

    created = provider.create(dict(props))
    api.clear_requests()
    recovered = provider.recover_create(dict(props))
    assert recovered is not None
    assert recovered[0] == created.id
    assert recovered[1] == created.outs
    assert writes(api) == []


VALUED = [c for c in CONFLICTING if "value" in c.inputs]


@pytest.mark.parametrize("case", VALUED, ids=str)
def test_an_object_with_other_values_is_a_conflict_naming_the_import_id(api, case):
    provider = provider_of(case.kind)
    provider.create(checked(provider, case.inputs))
    other = {**checked(provider, case.inputs), "value": "someone else's"}
    with pytest.raises(ResourceError) as failure:
        provider.recover_create(other)
    args = provider.args_model.model_validate(other).model_dump(mode="json")
    key = provider.natural_key(args)
    assert str(failure.value) == (
        f"{provider.describe(args)}: an interrupted run sent the create of this {provider.noun} and never learnt "
        f"its outcome, and the {provider.noun} now exists with other values: adopt it with import id {key!r} "
        f"(pulumi.ResourceOptions(import_={key!r})), or delete it first"
    )


def test_every_value_kind_is_covered():
    assert {c.kind for c in VALUED} >= {"FleetEnvVar", "FleetTag", "DeviceTag", "ServiceEnvVar"}


NO_NATURAL_KEY = {"ApiKey": "API key", "ProvisioningKey": "provisioning key"}


@pytest.mark.parametrize("kind", sorted(NO_NATURAL_KEY))
def test_a_kind_without_a_natural_key_says_it_cannot_be_recovered_and_sends_nothing(api, kind):
    [case] = [c for c in CASES if c.kind == kind]
    provider = provider_of(kind)
    props = checked(provider, case.inputs)
    api.clear_requests()
    with pytest.raises(ResourceError) as failure:
        provider.recover_create(props)
    noun = NO_NATURAL_KEY[kind]
    args = provider.args_model.model_validate(case.inputs).model_dump(mode="json")
    assert str(failure.value) == (
        f"{provider.describe(args)}: an interrupted run sent the create of this {noun} and never learnt its "
        f"outcome; a {noun} has no natural key to look it up by, so it cannot be recovered automatically: check "
        "whether it was created (delete it, or adopt it by its numeric id with import_), then run `pulumi up` "
        "again, which creates it"
    )
    assert api.requests() == []


def test_a_lost_answer_whose_lookup_fails_too_stays_an_unknown_outcome_for_the_hosts_journal(api):
    # The host keeps a create noted as `sent` only for an unknown outcome; the next `up` then looks again.
    from balena_pulumi.client import OutcomeUnknown, clear_clients, get_client
    from balena_pulumi.provider_host import _outcome_unknown

    [case] = [c for c in CASES if c.kind == "FleetTag"]
    provider = provider_of("FleetTag")
    clear_clients()
    get_client(api.url, api.session_token, max_retries=1, backoff_factor=0.01)  # the provider's, fast retries
    try:
        props = checked(provider, case.inputs)  # the fleet is looked up (and cached) here, as in preview
        api.inject_fault("answer_lost", count=1, methods=["POST"])
        api.inject_fault("status", status=500, methods=["GET"])
        with pytest.raises(ResourceError) as failure:
            provider.create(dict(props))
    finally:
        api.clear_faults()
        clear_clients()
    assert "create failed with an unknown outcome" in str(failure.value)
    assert "looking the fleet tag up failed too" in str(failure.value)
    assert isinstance(failure.value.__cause__, OutcomeUnknown) and _outcome_unknown(failure.value)
    # The tag was stored: the next run's recover_create takes it.
    assert provider.recover_create(dict(props))[0].isdigit()


def test_a_recovery_whose_lookup_fails_stays_unknown_so_the_host_keeps_its_note(api):
    from balena_pulumi.client import clear_clients, get_client
    from balena_pulumi.provider_host import _outcome_unknown

    [case] = [c for c in CASES if c.kind == "FleetTag"]
    provider = provider_of("FleetTag")
    clear_clients()
    get_client(api.url, api.session_token, max_retries=1, backoff_factor=0.01)
    try:
        props = checked(provider, case.inputs)
        api.inject_fault("status", status=500, methods=["GET"])
        with pytest.raises(ResourceError) as failure:
            provider.recover_create(dict(props))
    finally:
        api.clear_faults()
        clear_clients()
    text = str(failure.value)
    assert text.startswith(
        "FleetTag acme/production:owner: an interrupted run sent the create of this fleet tag and never learnt its "
        "outcome, and looking the fleet tag up failed (GET "
    )
    assert text.endswith("500 Internal Server Error: (empty response body)); run `pulumi up` again")
    assert _outcome_unknown(failure.value)
