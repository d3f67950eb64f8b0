"""The contract every bulk kind keeps (docs/bulk-resources.md), on the real engine against the sandbox.

The ten bulk scopes live side by side in one stack, so the whole lifecycle of every scope is six engine
runs: create (one entry a secret), a no-op preview, drift made by hand and seen by refresh, the preview
of the repair (a diff per entry), the repair with the fewest requests, and destroy. Then, for one scope
each: a partial failure recorded exactly and finished by the next `up`, a create and an update that meet a
taken key, 429s with Retry-After, validation in preview, the one-owner guard against the single kind. The
rules of every scope are checked without the engine in tests/resources/test_bulk.py, the client's
concurrency and 429 gate in tests/client/test_fan_out.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi import automation as auto

from balena_pulumi import resources
from balena_pulumi.client import BalenaClient
from balena_pulumi.sandbox.seed import PRODUCTION_DEVICE_UUIDS

DEVICE = PRODUCTION_DEVICE_UUIDS[0]
FLEET = {"fleet": "acme/production"}


def _fleet(client: BalenaClient) -> int:
    return client.fleets.get_by_slug("acme/production").id


def _device(client: BalenaClient) -> int:
    return client.devices.get_by_uuid(DEVICE).id


def _install(client: BalenaClient) -> int:
    device = client.devices.get_by_uuid(DEVICE)
    return client.service_installs.find(device.id, client.services.find(device.belongs_to__application, "main").id).id


def _release(client: BalenaClient) -> int:
    return client.releases.find_by_version(_fleet(client), "1.1.0").id


@dataclass(frozen=True)
class Scope:
    kind: str
    family: str  # "variables" or "tags"
    api_kind: str
    parent: dict[str, Any]
    parent_id: Callable[[BalenaClient], int]
    keys: tuple[str, ...]  # five valid keys: K0 .. K4

    def __str__(self) -> str:
        return self.kind

    @property
    def map_input(self) -> str:
        return self.family

    @property
    def ids_output(self) -> str:
        return "variable_ids" if self.family == "variables" else "tag_ids"

    def api(self, client: BalenaClient) -> Any:
        return client.variables(self.api_kind) if self.family == "variables" else client.tags(self.api_kind)

    def listing(self, client: BalenaClient) -> dict[str, str]:
        rows = self.api(client).list(self.parent_id(client))
        return {(r.name if self.family == "variables" else r.tag_key): r.value for r in rows}

    def path(self, client: BalenaClient) -> str:
        return "/v7/" + self.api(client).resource

    def build(self, name: str, entries: Any, **parent: Any) -> Any:
        cls = getattr(resources, self.kind)
        return cls(name, **{**self.parent, **parent, self.map_input: entries})


ENV = tuple(f"BULK_{c}" for c in "ABCDE")
CONFIG = tuple(f"BALENA_BULK_{c}" for c in "ABCDE")
TAGS = tuple(f"bulk.{c}" for c in "abcde")  # dots: the diff's property paths quote these keys

SCOPES = [
    Scope("FleetEnvVars", "variables", "fleet_env", FLEET, _fleet, ENV),
    Scope("FleetConfigVars", "variables", "fleet_config", FLEET, _fleet, CONFIG),
    Scope("FleetBuildVars", "variables", "fleet_build", FLEET, _fleet, ENV),
    Scope("ServiceEnvVars", "variables", "service_env", {**FLEET, "service": "worker"},
          lambda c: c.services.find(_fleet(c), "worker").id, ENV),
    Scope("DeviceEnvVars", "variables", "device_env", {"device": DEVICE}, _device, ENV),
    Scope("DeviceConfigVars", "variables", "device_config", {"device": DEVICE}, _device, CONFIG),
    Scope("DeviceServiceEnvVars", "variables", "device_service_env", {"device": DEVICE, "service": "main"},
          _install, ENV),
    Scope("FleetTags", "tags", "fleet", FLEET, _fleet, TAGS),
    Scope("DeviceTags", "tags", "device", {"device": DEVICE}, _device, TAGS),
    Scope("ReleaseTags", "tags", "release", {**FLEET, "release_version": "1.1.0"}, _release, TAGS),
]
BY_KIND = {s.kind: s for s in SCOPES}


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def every_scope(entries: Callable[[Scope], dict[str, Any]]):
    def program() -> None:
        import pulumi

        for scope in SCOPES:
            made = scope.build(scope.kind, entries(scope))
            pulumi.export(scope.kind, getattr(made, scope.ids_output))

    return program


def writes_by_path(deployment) -> Counter:
    return Counter((w["method"], w["path"].split("(")[0]) for w in deployment.writes())


def test_every_bulk_scope_keeps_the_lifecycle_contract_in_one_stack(deployment):
    import pulumi

    client = api(deployment)
    seeded = {s.kind: s.listing(client) for s in SCOPES}

    def created(scope: Scope) -> dict[str, Any]:
        k0, k1, k2, *_ = scope.keys
        return {k0: "v0", k1: pulumi.Output.secret("s3cr3t-one"), k2: "v2"}

    # Create: one POST per entry, each resource one engine step.
    result = deployment.up(every_scope(created))
    assert result.summary.resource_changes.get("create") == len(SCOPES) + 1
    writes = writes_by_path(deployment)
    for scope in SCOPES:
        k0, k1, k2, *_ = scope.keys
        assert scope.listing(client) == {**seeded[scope.kind], k0: "v0", k1: "s3cr3t-one", k2: "v2"}, scope
        assert writes[("POST", scope.path(client))] == 3, scope
        assert set(deployment.outputs()[scope.kind]) == {k0, k1, k2}
    # The secret entry is encrypted in the state, entry by entry; the others stay readable.
    assert "s3cr3t" not in deployment.state_text()
    for res in deployment.resources():
        scope = BY_KIND[res["type"].rsplit(":", 1)[1]]
        k0, k1, *_ = scope.keys
        for side in ("inputs", "outputs"):
            entries = res[side][scope.map_input]
            assert entries[scope.keys[0]] == "v0" and "ciphertext" in entries[k1], (scope, side)

    # A no-op preview sends nothing at all.
    deployment.sandbox.clear_requests()
    preview = deployment.preview(every_scope(created))
    assert set(preview.change_summary) == {"same"}
    assert deployment.sandbox.requests() == []

    # Drift made by hand: a value changed, an owned entry deleted, a foreign entry added.
    ids = {s.kind: deployment.outputs()[s.kind] for s in SCOPES}
    for scope in SCOPES:
        k0, k1, k2, k3, _ = scope.keys
        service = scope.api(client)
        service.update(ids[scope.kind][k0], value="changed-by-hand")
        service.delete(ids[scope.kind][k2])
        service.create(scope.parent_id(client), k3, "theirs")
    deployment.sandbox.clear_requests()
    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("update") == len(SCOPES)
    assert Counter(r["method"] for r in deployment.sandbox.requests()) == {"GET": len(SCOPES)}  # one per resource
    for res in deployment.resources():
        scope = BY_KIND[res["type"].rsplit(":", 1)[1]]
        k0, k1, k2, k3, _ = scope.keys
        entries = res["outputs"][scope.map_input]
        assert set(entries) == {k0, k1} and entries[k0] == "changed-by-hand", scope  # the foreign k3 is not adopted
        assert "ciphertext" in entries[k1]

    def updated(scope: Scope) -> dict[str, Any]:
        k0, k1, k2, k3, k4 = scope.keys
        return {k0: "v0", k2: "v2", k4: "v4"}  # k0 repaired, k1 removed, k2 created again, k4 new

    # The preview names the entries that change, and only those.
    deployment.sandbox.clear_requests()
    deployment.output.clear()
    deployment.preview(every_scope(updated), diff=True)
    assert deployment.writes() == []
    shown = "\n".join(deployment.output)
    for scope in SCOPES:
        k0, k1, k2, k3, k4 = scope.keys
        block = shown.split(f"dynamic/balena:{scope.kind}: (update)", 1)[1].split("}", 1)[0]
        assert f'~ {k0}: "changed-by-hand" => "v0"' in block, (scope, shown)
        assert f'+ {k2}: "v2"' in block and f'+ {k4}: "v4"' in block and f"- {k1}: [secret]" in block
        assert f"{k3}:" not in block  # the foreign entry is not this resource's

    # The update: one DELETE for the removed entry, one PATCH, one POST per new entry; nothing else.
    deployment.sandbox.clear_requests()
    deployment.up(every_scope(updated))
    writes = writes_by_path(deployment)
    for scope in SCOPES:
        k0, k1, k2, k3, k4 = scope.keys
        path = scope.path(client)
        assert (writes[("DELETE", path)], writes[("PATCH", path)], writes[("POST", path)]) == (1, 1, 2), scope
        assert scope.listing(client) == {**seeded[scope.kind], k0: "v0", k2: "v2", k3: "theirs", k4: "v4"}, scope
    assert sum(writes.values()) == 4 * len(SCOPES)

    # Destroy: one DELETE per resource; the foreign entry stays, the seed is as it was.
    deployment.sandbox.clear_requests()
    deployment.destroy()
    writes = writes_by_path(deployment)
    for scope in SCOPES:
        assert writes[("DELETE", scope.path(client))] == 1, scope
        assert scope.listing(client) == {**seeded[scope.kind], scope.keys[3]: "theirs"}, scope
    assert deployment.resources() == []


def one_scope(scope: Scope, entries: dict[str, Any], **parent: Any):
    def program() -> None:
        import pulumi

        made = scope.build("bulk", entries, **parent)
        pulumi.export("ids", getattr(made, scope.ids_output))

    return program


def test_a_partial_failure_records_exactly_the_entries_that_exist_and_the_next_up_finishes(deployment):
    scope = BY_KIND["DeviceTags"]
    client = api(deployment)
    wanted = {f"k{i}": f"v{i}" for i in range(12)}
    # Every POST fails with 500 (an unknown outcome for a POST) until the fault runs out: the create sends 12,
    # finds none made, sends the 12 again, then a third time, when the last 6 of the fault's 30 strike.
    deployment.sandbox.inject_fault("status", status=500, count=30, methods=["POST"], path_prefix=scope.path(client))

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.up(one_scope(scope, wanted))

    text = str(failure.value)
    exist = scope.listing(client)
    made = {k: v for k, v in exist.items() if k in wanted}
    assert len(made) == 6, exist
    assert f"DeviceTags {DEVICE}: create failed part way" in text
    assert f"{len(made)} device tags of this resource exist now" in text
    assert "the next `pulumi up` makes the remaining changes" in text
    # The state says exactly what exists, with the ids the API gave.
    [res] = deployment.resources("DeviceTags")
    assert res["outputs"]["tags"] == made
    assert set(res["outputs"]["tag_ids"]) == set(made)
    assert {t.tag_key: t.id for t in scope.api(client).list(scope.parent_id(client)) if t.tag_key in wanted} == \
        res["outputs"]["tag_ids"]

    # The next `up` sends exactly the missing POSTs: nothing duplicated, nothing left.
    deployment.sandbox.clear_requests()
    deployment.up(one_scope(scope, wanted))
    assert [w["method"] for w in deployment.writes()] == ["POST"] * (len(wanted) - len(made))
    assert {k: v for k, v in scope.listing(client).items() if k in wanted} == wanted
    assert set(deployment.outputs()["ids"]) == set(wanted)
    [res] = deployment.resources("DeviceTags")
    assert not res.get("initErrors")


def test_a_create_that_meets_a_taken_key_undoes_itself_and_names_the_import_id_that_adopts_it(deployment):
    scope = BY_KIND["FleetConfigVars"]
    client = api(deployment)
    scope.api(client).create(scope.parent_id(client), "BALENA_TAKEN", "theirs")
    seeded = scope.listing(client)

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.up(one_scope(scope, {"BALENA_A": "1", "BALENA_B": "2", "BALENA_TAKEN": "mine"}))

    text = str(failure.value)
    assert (
        "FleetConfigVars acme/production: the fleet config variable BALENA_TAKEN of acme/production already exists "
        "and is not managed by this resource: adopt it with import id "
        "'acme/production:BALENA_A,BALENA_B,BALENA_TAKEN'"
    ) in text
    assert "nothing was created" in text
    assert scope.listing(client) == seeded  # BALENA_A and BALENA_B were undone, the taken one untouched
    assert deployment.resources("FleetConfigVars") == []


def test_an_update_that_meets_a_taken_key_records_the_rest_and_says_how_to_adopt_it(deployment):
    scope = BY_KIND["FleetTags"]
    client = api(deployment)
    deployment.up(one_scope(scope, {"a": "1"}))
    scope.api(client).create(scope.parent_id(client), "taken", "theirs")

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.up(one_scope(scope, {"a": "2", "b": "1", "taken": "mine"}))

    text = str(failure.value)
    assert "FleetTags acme/production: update failed part way (2 writes succeeded;" in text
    assert "the fleet tag taken of acme/production already exists and is not managed by this resource" in text
    assert "pulumi state delete 'urn:pulumi:test::balena-e2e::pulumi-python:dynamic/balena:FleetTags::bulk'" in text
    assert "import id 'acme/production:a,b,taken'" in text
    [res] = deployment.resources("FleetTags")
    assert res["outputs"]["tags"] == {"a": "2", "b": "1"}
    assert scope.listing(client)["taken"] == "theirs"


def test_429s_met_by_writes_in_flight_are_waited_out_and_no_entry_is_written_twice(deployment):
    scope = BY_KIND["FleetEnvVars"]
    client = api(deployment)
    wanted = {f"RATE_{i}": str(i) for i in range(24)}
    deployment.sandbox.inject_fault("latency", latency_ms=100, methods=["POST"], path_prefix=scope.path(client))
    deployment.sandbox.inject_fault(
        "rate_limit", retry_after=1, count=2, methods=["POST"], path_prefix=scope.path(client)
    )

    deployment.up(one_scope(scope, wanted))

    posts = [r for r in deployment.sandbox.requests() if r["method"] == "POST"]
    assert [r["status"] for r in posts].count(429) == 2
    assert len([r for r in posts if r["status"] == 201]) == len(wanted)  # every entry once: no duplicate
    assert {k: v for k, v in scope.listing(client).items() if k in wanted} == wanted


@pytest.mark.parametrize(
    ("kind", "entries", "expected"),
    [
        ("DeviceConfigVars", {"LOG_LEVEL": "x", "BALENA_OK": "a\nb"}, [
            "variables: value of BALENA_OK: must not contain line breaks (\\r or \\n); name 'LOG_LEVEL': config "
            "variable names must start with RESIN_ or BALENA_",
        ]),
        ("ReleaseTags", {"two words": "x", "io.balena.x": "y", "ok": "v" * 1001}, [
            "tags: key 'io.balena.x': tag keys beginning with io.balena. are reserved; value of ok: must be at most "
            "1000 characters long (got 1001); key 'two words': tag keys cannot contain whitespace",
        ]),
    ],
    ids=["variables", "tags"],
)
def test_invalid_entries_fail_in_preview_all_at_once_naming_entry_and_rule_with_no_write(
    deployment, kind, entries, expected
):
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(one_scope(BY_KIND[kind], entries))
    text = str(failure.value)
    for line in expected:
        assert line in text
    assert "a\nb" not in text and "v" * 1001 not in text  # values are never echoed
    assert deployment.writes() == []


def test_entries_known_only_at_up_time_are_checked_with_the_known_ones_in_preview(deployment):
    def program(bad: bool):
        def run() -> None:
            from balena_pulumi.resources.fleets.fleet import Fleet

            fleet = Fleet("gw", organization="acme", name="bulk-gateways", device_type="raspberrypi4-64")
            entries = {"SLUG": fleet.slug, ("1BAD" if bad else "GOOD"): "x"}
            resources.FleetEnvVars("env", fleet=fleet.slug, variables=entries)

        return run

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(program(bad=True))
    assert "variables: name '1BAD': environment variable names may only contain" in str(failure.value)

    preview = deployment.preview(program(bad=False))
    assert preview.change_summary.get("create") == 3
    assert deployment.writes() == []
    deployment.up(program(bad=False))
    fleet = api(deployment).fleets.get_by_slug("acme/bulk-gateways")
    assert {v.name: v.value for v in api(deployment).variables("fleet_env").list(fleet.id)} == {
        "SLUG": "acme/bulk-gateways", "GOOD": "x"
    }


@pytest.mark.parametrize(
    ("single", "bulk", "words"),
    [
        (lambda: resources.DeviceServiceEnvVar("single", device=DEVICE, service="main", name="DEBUG", value="1"),
         lambda: resources.DeviceServiceEnvVars("bulk", device=DEVICE, service="main", variables={"DEBUG": "0"}),
         f'DeviceServiceEnvVar "single" and DeviceServiceEnvVars "bulk" both manage the device service environment '
         f"variable DEBUG of {DEVICE}:main"),
        (lambda: resources.ReleaseTag("single", fleet="acme/production", release_version="1.1.0", key="qa"),
         lambda: resources.ReleaseTags("bulk", fleet="acme/production", release_version="1.1.0", tags={"qa": "x"}),
         'ReleaseTag "single" and ReleaseTags "bulk" both manage the release tag qa of acme/production:1.1.0'),
    ],
    ids=["variables", "tags"],
)
def test_an_entry_managed_by_the_single_and_the_bulk_kind_is_a_program_error(deployment, single, bulk, words):
    def program() -> None:
        single()
        bulk()

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.up(program)
    assert words in str(failure.value)
    bulk_kind = words.split('" and ', 1)[1].split(" ", 1)[0]
    assert deployment.resources(bulk_kind) == []  # the second owner never registered
    assert [w["method"] for w in deployment.writes()] in ([], ["POST"])  # at most the single one's create
