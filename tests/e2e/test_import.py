"""Adoption with the `import_` resource option, for every resource kind, on the real engine.

A first stack ("origin") creates the object, as a dashboard user or a script would have; a second stack
declares the same object with `import_` set to the kind's documented import id. The engine then calls the
provider's `read` with that id and the program's inputs, and an import whose inputs match what exists
must adopt it without sending a single write, leave the next preview empty, and hand the object to
the adopting stack (its destroy deletes it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from balena_pulumi import resources
from balena_pulumi.client import BalenaClient
from balena_pulumi.sandbox.seed import COMMITS

from .cases import Case
from .harness import Deployment


def _cases() -> list[Case]:
    found = []
    for kind, module in sorted(resources.REGISTRY.items()):
        stem = module.rsplit(".", 1)[-1]
        found.append(importlib.import_module(f"tests.e2e.test_{stem}").IMPORT_CASE)
    return found


CASES = _cases()


def program(case: Case, import_id: str | None = None, **overrides: Any) -> Callable[[], None]:
    def run() -> None:
        cls = getattr(resources, case.kind)
        opts = pulumi.ResourceOptions(import_=import_id) if import_id else None
        made = cls("it", **{**case.inputs, **overrides}, opts=opts)
        pulumi.export("id", made.id)
        for name in case.same_outputs:
            pulumi.export(name, getattr(made, name))

    return run


def stacks(clean_sandbox, pulumi_bin, tmp_path) -> tuple[Deployment, Deployment]:
    origin = Deployment(clean_sandbox, pulumi_bin, tmp_path / "origin", stack_name="origin")
    adopter = Deployment(clean_sandbox, pulumi_bin, tmp_path / "adopter", stack_name="adopter")
    return origin, adopter


def test_every_kind_declares_its_own_import_case():
    assert [c.kind for c in CASES] == sorted(resources.REGISTRY)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_an_existing_object_is_adopted_with_no_write_and_no_change(case, clean_sandbox, pulumi_bin, tmp_path):
    origin, adopter = stacks(clean_sandbox, pulumi_bin, tmp_path)
    origin.up(program(case))
    created = origin.outputs()
    import_id = case.import_id(str(created["id"]))

    clean_sandbox.clear_requests()
    result = adopter.up(program(case, import_id))
    assert result.summary.resource_changes.get("import") == 1, "\n".join(adopter.output)
    assert adopter.writes() == []
    adopted = adopter.outputs()
    assert str(adopted["id"]) == str(created["id"])
    for name in case.same_outputs:
        assert adopted[name] == created[name]
    [resource] = adopter.resources(case.kind)
    assert resource["id"] == str(created["id"])

    # Adopted means managed: the next preview is empty and sends nothing.
    clean_sandbox.clear_requests()
    preview = adopter.preview(program(case))
    assert set(preview.change_summary) == {"same"}, preview.change_summary
    assert clean_sandbox.requests() == []


def test_an_import_whose_value_differs_is_shown_in_preview_and_up_then_applies_the_declared_value(
    clean_sandbox, pulumi_bin, tmp_path
):
    case = next(c for c in CASES if c.kind == "FleetEnvVar")
    origin, adopter = stacks(clean_sandbox, pulumi_bin, tmp_path)
    origin.up(program(case))

    # Review first: the preview says it will import the object and then change its value; nothing written.
    clean_sandbox.clear_requests()
    preview = adopter.preview(program(case, "acme/production:LOG_LEVEL", value="debug"))
    assert preview.change_summary.get("import") == 1 and preview.change_summary.get("update") == 1
    assert adopter.writes() == []

    clean_sandbox.clear_requests()
    adopter.up(program(case, "acme/production:LOG_LEVEL", value="debug"))
    assert [(w["method"], w["status"]) for w in adopter.writes()] == [("PATCH", 200)]
    client = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    fleet = client.fleets.get_by_slug("acme/production")
    assert {v.name: v.value for v in client.variables("fleet_env").list(fleet.id)}["LOG_LEVEL"] == "debug"


def test_an_import_that_would_need_a_replacement_fails_and_writes_nothing(clean_sandbox, pulumi_bin, tmp_path):
    case = next(c for c in CASES if c.kind == "Fleet")
    origin, adopter = stacks(clean_sandbox, pulumi_bin, tmp_path)
    origin.up(program(case))
    clean_sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        # Another CPU architecture: a fleet cannot change it in place.
        adopter.up(program(case, "acme/imported", device_type="intel-nuc"))
    assert "may not be replaced" in str(failure.value)
    assert adopter.writes() == []


def test_an_import_of_an_object_that_does_not_exist_fails_naming_the_id(clean_sandbox, pulumi_bin, tmp_path):
    case = next(c for c in CASES if c.kind == "Fleet")
    _, adopter = stacks(clean_sandbox, pulumi_bin, tmp_path)
    with pytest.raises(auto.errors.CommandError) as failure:
        adopter.up(program(case, "acme/imported"))
    assert "resource 'acme/imported' does not exist" in str(failure.value)
    assert adopter.writes() == []


def test_destroying_the_adopting_stack_deletes_the_adopted_object(clean_sandbox, pulumi_bin, tmp_path):
    case = next(c for c in CASES if c.kind == "FleetTag")
    origin, adopter = stacks(clean_sandbox, pulumi_bin, tmp_path)
    origin.up(program(case))
    adopter.up(program(case, "acme/production:owner"))
    clean_sandbox.clear_requests()
    adopter.destroy()
    assert [(w["method"], w["path"].split("(")[0]) for w in adopter.writes()] == [("DELETE", "/v7/application_tag")]


def test_a_bulk_map_imported_with_its_names_adopts_only_those_and_never_touches_the_others(
    clean_sandbox, pulumi_bin, tmp_path
):
    case = next(c for c in CASES if c.kind == "FleetEnvVars")
    client = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    fleet_id = client.fleets.get_by_slug("acme/production").id
    client.variables("fleet_env").create(fleet_id, "OTHER_TEAM", "keep-me")
    origin, adopter = stacks(clean_sandbox, pulumi_bin, tmp_path)
    origin.up(program(case))

    clean_sandbox.clear_requests()
    result = adopter.up(program(case, "acme/production:LOG_LEVEL,MQTT_HOST"))
    assert result.summary.resource_changes.get("import") == 1
    assert adopter.writes() == []
    clean_sandbox.clear_requests()
    assert set(adopter.preview(program(case)).change_summary) == {"same"}

    adopter.up(program(case, variables={"LOG_LEVEL": "info"}))
    adopter.destroy()
    assert {v.name: v.value for v in client.variables("fleet_env").list(fleet_id)} == {"OTHER_TEAM": "keep-me"}



RELEASE_1_1_0 = {"release_version": "1.1.0", "release_commit": COMMITS[2], "release_id": 2}


def _named_another_way() -> list[tuple[str, str]]:
    """(kind, selector) for each kind naming a release and each selector other than the one it was made with."""
    pairs = []
    for case in CASES:
        made_with = [s for s in RELEASE_1_1_0 if case.inputs.get(s) is not None]
        if made_with:
            assert case.inputs[made_with[0]] == RELEASE_1_1_0[made_with[0]], case.kind
            pairs += [(case.kind, s) for s in RELEASE_1_1_0 if s not in made_with]
    return pairs


@pytest.mark.parametrize(("kind", "selector"), _named_another_way(), ids=str)
def test_a_release_named_another_way_than_it_was_made_is_adopted_with_only_the_import(
    kind, selector, clean_sandbox, pulumi_bin, tmp_path
):
    """Made naming release 1.1.0 one way, adopted by a program naming it another way: one release, no update."""
    case = next(c for c in CASES if c.kind == kind)
    origin, adopter = stacks(clean_sandbox, pulumi_bin, tmp_path)
    origin.up(program(case))
    import_id = case.import_id(str(origin.outputs()["id"]))
    other_way = {s: None for s in RELEASE_1_1_0 if s in case.inputs}
    other_way[selector] = RELEASE_1_1_0[selector]

    clean_sandbox.clear_requests()
    preview = adopter.preview(program(case, import_id, **other_way))
    assert preview.change_summary == {"import": 1, "create": 1}, preview.change_summary  # the stack, the import
    result = adopter.up(program(case, import_id, **other_way))
    assert result.summary.resource_changes == {"import": 1, "create": 1}, "\n".join(adopter.output)
    assert adopter.writes() == []

    clean_sandbox.clear_requests()
    assert set(adopter.preview(program(case, **other_way)).change_summary) == {"same"}
    assert clean_sandbox.requests() == []
