"""Discovery without the engine: what is read, with how many requests, and what goes into the config.

Against the sandbox (a real HTTP server); the program runs under Pulumi's mocks to learn its resources.
"""

from __future__ import annotations

import pytest

from balena_pulumi.client import BalenaClient, NotFound
from balena_pulumi.client.services.inventory import read_organization
from balena_pulumi.discover.adopt import adopt
from balena_pulumi.discover.command import discover
from balena_pulumi.discover.errors import DiscoverError
from balena_pulumi.discover.plan import Record
from balena_pulumi.discover.snapshot import FoundObject, snapshot
from balena_pulumi.sandbox import seed

from .orgs import SECRET_VALUES, add_every_kind

CANARY = seed.PRODUCTION_DEVICE_UUIDS[0]


@pytest.fixture
def client(clean_sandbox) -> BalenaClient:
    return BalenaClient(clean_sandbox.url, clean_sandbox.session_token)


def test_reading_an_organization_takes_the_same_21_gets_however_much_it_holds(clean_sandbox, client):
    add_every_kind(client)
    clean_sandbox.clear_requests()
    read_organization(BalenaClient(clean_sandbox.url, clean_sandbox.session_token), "acme")  # a cold client
    small = clean_sandbox.requests()
    assert len(small) == 21 and {r["method"] for r in small} == {"GET"}

    fleet = client.fleets.get_by_slug(seed.PRODUCTION)
    for i in range(40):
        client.variables("fleet_env").create(fleet.id, f"MORE_{i}", str(i))
        client.tags("fleet").create(fleet.id, f"more-{i}", str(i))
    for device in client.devices.list(fleet.id):
        client.tags("device").create(device.id, "site", "lab")
    clean_sandbox.clear_requests()
    inventory = read_organization(BalenaClient(clean_sandbox.url, clean_sandbox.session_token), "acme")
    assert len(clean_sandbox.requests()) == 21
    assert len(inventory.variables["fleet_env"]) == 43 and len(inventory.tags["device"]) == 4


def test_the_config_holds_every_object_and_no_secret_value(clean_sandbox, client):
    add_every_kind(client)
    snap = snapshot(read_organization(client, "acme"))
    config = snap.config
    production = next(f for f in config["fleets"] if f["name"] == "production")
    assert production["variables"] == {"LOG_LEVEL": "info"}
    assert production["pin"] == {"release_version": "1.1.0"}
    assert production["service_variables"] == {"main": {"PORT": "8080"}}
    assert production["release_tags"] == [{"release_version": "1.1.0", "key": "qa", "value": "passed"}]
    assert production["provisioning_keys"] == [
        {"name": "factory-line-1", "description": "line 1", "expiry_date": "2031-06-30T00:00:00.000Z"}
    ]
    assert config["devices"] == [{
        "uuid": CANARY,
        "variables": {"CANARY": "true"},
        "config_variables": {"BALENA_SUPERVISOR_POLL_INTERVAL": "600000"},
        "service_variables": {"main": {"DEBUG": "1"}},
        "tags": {"ring": "canary"},
        "pin": {"release_version": "2.0.0"},
    }]
    assert config["members"] == {"alice": "member", "bob": "member"}  # not admin: the token's own user
    assert snap.secrets == {
        "fleets": {"production": {"variables": {"API_TOKEN": SECRET_VALUES["API_TOKEN"]},
                                  "service_variables": {"main": {"DB_PASSWORD": SECRET_VALUES["DB_PASSWORD"]}}}},
        "devices": {CANARY: {"variables": {"SIGNING_BLOB": SECRET_VALUES["SIGNING_BLOB"]}}},
    }
    assert not any(value in repr(config) for value in SECRET_VALUES.values())


def test_fleet_narrows_the_fleet_objects_and_an_unknown_name_is_refused(clean_sandbox, client):
    add_every_kind(client)
    inventory = read_organization(client, "acme", fleets=["staging"])
    assert [f.slug for f in inventory.fleets] == [seed.STAGING]
    assert [d.uuid for d in inventory.devices] == [seed.STAGING_DEVICE_UUID]
    assert [e.name for e in inventory.variables["fleet_env"]] == ["LOG_LEVEL"]
    assert inventory.provisioning_keys == [] and inventory.fleet_members == []
    assert len(inventory.organization_invites) == 1  # organization-wide objects are read all the same

    with pytest.raises(NotFound) as missing:
        read_organization(client, "acme", fleets=["acme/staging", "nowhere"])
    assert str(missing.value) == "organization 'acme' has no fleet 'nowhere' visible to this token"


def test_an_unknown_organization_is_one_plain_message(clean_sandbox, client):
    with pytest.raises(DiscoverError) as failure:
        discover(client, "nope")
    assert str(failure.value) == "balena-pulumi discover: no organization with handle 'nope' is visible to this token"


def test_an_object_the_program_would_refuse_is_left_out_with_the_rule(clean_sandbox, client):
    # The API stores any text as a public key; the SshKey kind accepts only OpenSSH public key lines.
    bad = client.ssh_keys.create("broken", "not-a-key")
    snap = snapshot(read_organization(client, "acme"))
    assert "sshKeys" not in snap.config
    assert snap.skipped[-1] == (
        f"SSH key 'broken' (id {bad.id}): left out, the program would refuse it: public_key: key type must be one of "
        "ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, "
        "sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com, ssh-dss"
    )


def test_two_keys_the_program_would_name_alike_keep_the_first(clean_sandbox, client):
    client.api_keys.create_user_key("deploy", "first")
    second = client.api_keys.create_user_key("deploy", "second")
    result = discover(client, "acme")
    assert [k["description"] for k in result.snapshot.config["apiKeys"] if k["name"] == "deploy"] == ["first"]
    assert [r.name for r in result.records if r.kind == "ApiKey"].count("api-key-deploy") == 1
    assert any(note.startswith(f"API key 'deploy' (id {second.id}): left out, another object of the same kind")
               for note in result.snapshot.skipped)


def test_each_resource_of_the_program_gets_the_import_id_of_its_object(clean_sandbox, client):
    add_every_kind(client)
    result = discover(client, "acme")
    ids = result.adoption.resources
    assert result.adoption.count == len(result.records) and not result.adoption.unmatched
    for record in result.records:
        if record.natural_key is not None:
            assert ids[record.kind][record.name] == record.natural_key
    # Whichever kind build() manages the fleet's API_TOKEN with (one variable, or a map of several), its
    # import id names the fleet and that variable.
    [holder] = [r for r in result.records
                if r.inputs.get("name") == "API_TOKEN" or "API_TOKEN" in (r.inputs.get("variables") or {})]
    assert ids[holder.kind][holder.name].startswith("acme/production:")
    assert "API_TOKEN" in ids[holder.kind][holder.name].split(":", 1)[1].split(",")
    # Kinds without a natural key adopt by the numeric id of the object with the same inputs.
    ssh = client.ssh_keys.list()[0]
    assert ids["SshKey"] == {"ssh-key-ops-laptop": str(ssh.id)}
    assert ids["Fleet"] == {"production": "acme/production", "staging": "acme/staging"}


def test_a_resource_the_stack_holds_keeps_only_the_same_import_id():
    records = [
        Record("FleetTag", "prod-tag-owner", {"fleet": "acme/prod", "key": "owner", "value": "x"}, "acme/prod:owner"),
        Record("FleetTag", "prod-tag-team", {"fleet": "acme/prod", "key": "team", "value": "y"}, "acme/prod:team"),
        Record("SshKey", "ssh-key-a", {"title": "a", "public_key": "k"}, None),
        Record("FleetTag", "prod-tag-new", {"fleet": "acme/prod", "key": "new", "value": "z"}, "acme/prod:new"),
    ]
    objects = [FoundObject("SshKey", {"title": "a", "public_key": "k"}, 7, "SSH key 'a'")]
    managed = {
        ("FleetTag", "prod-tag-owner"): "acme/prod:owner",  # adopted before with this very id: kept
        ("FleetTag", "prod-tag-team"): None,  # created by the stack: another id would delete it
        ("SshKey", "ssh-key-a"): "9",  # adopted under another id
    }
    result = adopt(records, objects, managed)
    assert result.resources == {"FleetTag": {"prod-tag-new": "acme/prod:new", "prod-tag-owner": "acme/prod:owner"}}
    assert result.kept == ["FleetTag prod-tag-owner"]
    assert result.managed == ["FleetTag prod-tag-team", "SshKey ssh-key-a"]


def test_lists_are_ordered_by_name_not_by_creation_so_two_organizations_made_alike_read_alike(clean_sandbox, client):
    org = client.organizations.get_by_handle("acme")
    device_type = client.fleets.get_by_slug(seed.PRODUCTION).is_for__device_type
    zulu = client.fleets.create(org.id, "zulu", device_type)  # made first, named last
    alpha = client.fleets.create(org.id, "alpha", device_type)
    for email in ("zoe@example.com", "adam@example.com"):
        client.invites("organization").create(org.id, email, "member")
        client.invites("fleet").create(alpha.id, email, "observer")
    client.api_keys.create_provisioning_key(alpha.id, "zz-line", None)
    client.api_keys.create_provisioning_key(alpha.id, "aa-line", None)
    assert zulu.id < alpha.id

    config = snapshot(read_organization(client, "acme")).config

    names = [f["name"] for f in config["fleets"]]
    assert names == sorted(names) and {"alpha", "zulu"} <= set(names)
    assert [i["invitee"] for i in config["invites"]] == ["adam@example.com", "zoe@example.com"]
    [fleet] = [f for f in config["fleets"] if f["name"] == "alpha"]
    assert [i["invitee"] for i in fleet["invites"]] == ["adam@example.com", "zoe@example.com"]
    assert [k["name"] for k in fleet["provisioning_keys"]] == ["aa-line", "zz-line"]
