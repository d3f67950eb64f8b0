"""An object that exists but is not in the stack: the create fails naming the exact import id, which adopts it.

A dashboard user (here: another stack) made the object first. `pulumi up` of a program declaring the same
object must not take it over silently nor fail with the API's bare 409: it says which import id adopts it,
and that id, given to `import_`, adopts it with no write.
"""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from balena_pulumi import resources
from balena_pulumi.resources.tokens import BULK_TAG_KINDS, BULK_VARIABLE_KINDS

from .cases import Case
from .test_import import CASES, program, stacks

# Kinds whose create can meet an existing object of the same natural key. (Pins set a field, and
# Organization and OrganizationMember adopt what exists by design; API and provisioning keys have no
# unique natural key; the bulk kinds say it in their own words, below.)
CONFLICTING = [
    c for c in CASES
    if c.kind not in ("FleetPin", "DevicePin", "Organization", "OrganizationMember", "ApiKey", "ProvisioningKey",
                      *BULK_VARIABLE_KINDS, *BULK_TAG_KINDS)
]


def expected_message(case: Case, key: str) -> str:
    provider = resources.provider_class(case.kind)()
    args = provider.args_model.model_validate(case.inputs)
    noun = provider.noun
    return (
        f"{provider.describe(args.model_dump(mode='json'))}: the {noun} already exists and is not managed by this "
        f"resource: adopt it with import id {key!r} (pulumi.ResourceOptions(import_={key!r})), or delete it first"
    )


@pytest.mark.parametrize("case", CONFLICTING, ids=str)
def test_a_create_that_meets_an_existing_object_names_the_import_id_that_adopts_it(
    case, clean_sandbox, pulumi_bin, tmp_path
):
    origin, adopter = stacks(clean_sandbox, pulumi_bin, tmp_path)
    origin.up(program(case))
    key = case.import_id(str(origin.outputs()["id"]))

    with pytest.raises(auto.errors.CommandError) as failure:
        adopter.up(program(case))
    text = str(failure.value)
    assert expected_message(case, key) in text
    assert text.count(expected_message(case, key)) == 1, "the message is printed more than once"

    clean_sandbox.clear_requests()
    result = adopter.up(program(case, key))
    assert result.summary.resource_changes.get("import") == 1
    assert adopter.writes() == []


def test_a_bulk_map_that_meets_existing_names_undoes_itself_and_its_import_id_adopts_them(
    clean_sandbox, pulumi_bin, tmp_path
):
    case = next(c for c in CASES if c.kind == "FleetEnvVars")
    origin, adopter = stacks(clean_sandbox, pulumi_bin, tmp_path)
    origin.up(program(case))
    key = case.import_id(str(origin.outputs()["id"]))

    clean_sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        adopter.up(program(case))
    assert (
        "FleetEnvVars acme/production: the fleet environment variables LOG_LEVEL, MQTT_HOST of acme/production "
        "already exist and are not managed by this resource: adopt them with import id "
        "'acme/production:LOG_LEVEL,MQTT_HOST' (pulumi.ResourceOptions(import_='acme/production:LOG_LEVEL,MQTT_HOST') "
        "adopts the names listed after the last ':'), delete them first, or leave them out of `variables`; "
        "nothing was created"
    ) in str(failure.value)
    assert [w["method"] for w in adopter.writes()] == ["POST", "POST"]  # both refused: nothing to undo

    clean_sandbox.clear_requests()
    result = adopter.up(program(case, key))
    assert result.summary.resource_changes.get("import") == 1
    assert adopter.writes() == []
