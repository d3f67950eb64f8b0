"""Natural-key lookups, CRUD of every family and the 'one request per write' rule, against the sandbox."""

import pytest

from balena_pulumi.client import Conflict, NotFound, odata


def test_lookups_are_cached_per_client_and_case_insensitive(client, log):
    org = client.organizations.get_by_handle("acme")
    fleet = client.fleets.get_by_slug("ACME/Production")
    assert fleet.slug == "acme/production" and fleet.organization == org.id
    log.mark()
    assert client.fleets.get_by_slug("acme/production") is fleet
    assert client.organizations.get_by_handle("acme") is org
    assert log.count() == 0


def test_a_missing_natural_key_raises_not_found_naming_it(client):
    with pytest.raises(NotFound) as exc:
        client.fleets.get_by_slug("acme/nope")
    assert "fleet with slug 'acme/nope' not found" in str(exc.value)
    with pytest.raises(NotFound):
        client.fleets.get(987654)


def test_device_type_by_slug_and_user_by_username(client):
    fleet = client.fleets.get_by_slug("acme/production")
    dt = client.device_types.get(fleet.is_for__device_type)
    assert client.device_types.get_by_slug(dt.slug).id == dt.id
    assert client.users.get_by_username("Alice").username == "alice"


def test_releases_by_version_distinguish_revisions(client):
    fleet = client.fleets.get_by_slug("acme/production")
    a = client.releases.find_by_version(fleet.id, "1.1.0")
    b = client.releases.find_by_version(fleet.id, "1.1.0+rev1")
    assert a.id != b.id and a.raw_version == "1.1.0" and b.raw_version == "1.1.0+rev1"
    again = client.releases.find_by_commit(fleet.id, a.commit)
    assert again.commit == a.commit
    with pytest.raises(NotFound):
        client.releases.find_by_version(fleet.id, "9.9.9")
    with pytest.raises(ValueError):
        client.releases.find_by_commit(fleet.id, a.commit[:7])


def test_fleet_lifecycle_is_one_request_per_write_with_warm_lookups(client, log):
    org = client.organizations.get_by_handle("acme")
    prod = client.fleets.get_by_slug("acme/production")
    log.mark()
    fleet = client.fleets.create(org.id, "Temp-Fleet_1", prod.is_for__device_type)
    assert log.count() == 1
    assert fleet.slug == "acme/temp-fleet_1" and fleet.should_track_latest_release is True
    assert client.fleets.get_by_slug("acme/temp-fleet_1").id == fleet.id  # filled by create
    log.mark()
    client.fleets.update(fleet.id, name="Temp-Fleet_2")
    assert log.count() == 1
    log.mark()
    client.fleets.delete(fleet.id)
    assert log.count() == 1
    with pytest.raises(NotFound):
        client.fleets.get(fleet.id)
    client.fleets.delete(fleet.id)  # already gone: not an error


def test_fleet_pin_and_track_latest(client, log):
    prod = client.fleets.get_by_slug("acme/production")
    rel = client.releases.find_by_version(prod.id, "1.0.0")
    assert rel.status == "success"
    log.mark()
    client.fleets.pin(prod.id, rel.id)
    assert log.count() == 1
    got = client.fleets.get(prod.id)
    assert got.should_be_running__release == rel.id and got.should_track_latest_release is False
    target = client.fleets.track_latest(prod.id)
    got = client.fleets.get(prod.id)
    assert got.should_track_latest_release is True and got.should_be_running__release == target


def test_device_pin_and_unpin(client, log):
    prod = client.fleets.get_by_slug("acme/production")
    dev = client.devices.list(prod.id)[0]
    assert client.devices.get_by_uuid(dev.uuid).id == dev.id
    rel = client.releases.find_by_version(prod.id, "1.0.0")
    log.mark()
    client.devices.pin(dev.id, rel.id)
    assert log.count() == 1
    assert client.devices.get(dev.id).is_pinned_on__release == rel.id
    client.devices.pin(dev.id, None)
    assert client.devices.get(dev.id).is_pinned_on__release is None


def _parents(client):
    prod = client.fleets.get_by_slug("acme/production")
    svc = client.services.find(prod.id, "main")
    dev = client.devices.list(prod.id)[0]
    try:
        si = client.service_installs.find(dev.id, svc.id)
    except NotFound:
        si = client.service_installs.create(dev.id, svc.id)
    return {
        "fleet_env": prod.id,
        "fleet_config": prod.id,
        "fleet_build": prod.id,
        "service_env": svc.id,
        "device_env": dev.id,
        "device_config": dev.id,
        "device_service_env": si.id,
        "tag:fleet": prod.id,
        "tag:device": dev.id,
        "tag:release": client.releases.find_by_version(prod.id, "1.0.0").id,
    }


VAR_KINDS = ["fleet_env", "fleet_config", "fleet_build", "service_env", "device_env", "device_config", "device_service_env"]


@pytest.mark.parametrize("kind", VAR_KINDS)
def test_every_variable_scope_has_the_same_contract(client, log, kind):
    parent = _parents(client)[kind]
    svc = client.variables(kind)
    name = "BALENA_TEST_VAR" if kind.endswith("config") else "TEST_VAR"
    log.mark()
    var = svc.create(parent, name, "v1")
    assert log.count() == 1
    assert (var.name, var.value, var.parent_id, var.kind) == (name, "v1", parent, kind)
    with pytest.raises(Conflict) as dup:
        svc.create(parent, name, "v2")
    assert dup.value.is_unique_violation and "must be unique" in str(dup.value)
    assert svc.find(parent, name).id == var.id
    assert [v.id for v in svc.list(parent) if v.name == name] == [var.id]
    log.mark()
    svc.update(var.id, value="v2")
    assert log.count() == 1
    assert svc.get(var.id).value == "v2"
    log.mark()
    svc.delete(var.id)
    assert log.count() == 1
    with pytest.raises(NotFound):
        svc.find(parent, name)


@pytest.mark.parametrize("kind", ["fleet", "device", "release"])
def test_every_tag_scope_has_the_same_contract(client, log, kind):
    parent = _parents(client)[f"tag:{kind}"]
    svc = client.tags(kind)
    log.mark()
    tag = svc.create(parent, "owner", "ops")
    assert log.count() == 1
    assert (tag.key, tag.value, tag.parent_id) == ("owner", "ops", parent)
    with pytest.raises(Conflict) as dup:
        svc.create(parent, "owner", "x")
    assert dup.value.is_unique_violation
    svc.update(tag.id, name="team", value="dev")
    got = svc.find(parent, "team")
    assert (got.id, got.value) == (tag.id, "dev")
    svc.delete(tag.id)
    assert all(t.id != tag.id for t in svc.list(parent))


def test_fleet_membership_by_username_and_role_change(client, log):
    prod = client.fleets.get_by_slug("acme/staging")
    client.roles.fleet_role("developer"), client.roles.fleet_role("operator")
    log.mark()
    m = client.fleet_members.create(prod.id, "Alice", "developer")
    assert log.count() == 1
    assert m.is_member_of__application == prod.id
    assert m.application_membership_role == client.roles.fleet_role("developer").id
    client.fleet_members.update_role(m.id, "operator")
    assert client.fleet_members.get(m.id).application_membership_role == client.roles.fleet_role("operator").id
    client.fleet_members.delete(m.id)
    with pytest.raises(NotFound):
        client.fleet_members.get(m.id)


def test_organization_member_role_change(client):
    org = client.organizations.get_by_handle("acme")
    bob = client.users.get_by_username("bob")
    m = client.organization_members.find(org.id, bob.id)
    client.organization_members.update_role(m.id, "administrator")
    assert client.organization_members.get(m.id).organization_membership_role == (
        client.roles.organization_role("administrator").id
    )


def test_invites_create_and_delete(client):
    org = client.organizations.get_by_handle("acme")
    inv = client.invites("organization").create(org.id, "new.person@example.com", "member", "welcome")
    assert inv.parent_id == org.id
    assert any(i.id == inv.id for i in client.invites("organization").list(org.id))
    client.invites("organization").delete(inv.id)
    fleet = client.fleets.get_by_slug("acme/production")
    inv = client.invites("fleet").create(fleet.id, "other@example.com", "observer")
    client.invites("fleet").delete(inv.id)


def test_ssh_keys_need_whoami_once(client, log):
    client.whoami()
    log.mark()
    key = client.ssh_keys.create("laptop", "  ssh-ed25519 AAAAC3Nza test@host \n")
    assert log.count() == 1
    assert key.public_key == "ssh-ed25519 AAAAC3Nza test@host" and key.user == client.user_id()
    client.ssh_keys.update(key.id, title="desk")
    assert client.ssh_keys.get(key.id).title == "desk"
    client.ssh_keys.delete(key.id)
    assert all(k.id != key.id for k in client.ssh_keys.list())


def test_api_keys_user_and_provisioning(client, sb):
    new = client.api_keys.create_user_key("ci-key", "for CI", None)
    secret = new.key.get_secret_value()
    assert secret and secret not in repr(new) and secret not in str(new)
    assert new.id is not None
    client.api_keys.update(new.id, name="ci-key-2", description="for CI", expiry_date=None)
    got = client.api_keys.get(new.id)
    assert (got.name, got.description) == ("ci-key-2", "for CI")
    client.api_keys.delete(new.id)
    with pytest.raises(NotFound):
        client.api_keys.get(new.id)
    fleet = client.fleets.get_by_slug("acme/production")
    prov = client.api_keys.create_provisioning_key(fleet.id, "prov")
    assert prov.key.get_secret_value()


def test_user_key_creation_with_an_api_key_login_says_a_session_is_needed(key_client, sb):
    from balena_pulumi.client import SessionTokenRequired

    assert key_client.token_kind == "api_key"
    with pytest.raises(SessionTokenRequired) as exc:
        key_client.api_keys.create_user_key("nope")
    msg = str(exc.value)
    assert msg == (
        "POST /api-key/user/full -> 401 Unauthorized: the API refused to create a user API key: only a user session "
        "(a token from logging in) may create user API keys, never an API key, and this client is logged in with "
        "an API key"
    )
    assert sb.api_key not in msg


def test_filter_helpers_reach_the_server(client):
    prod = client.fleets.get_by_slug("acme/production")
    rels = client.releases._list(
        odata.and_(odata.eq("belongs_to__application", prod.id), odata.or_(odata.eq("raw_version", "1.0.0"), odata.eq("raw_version", "2.0.0")))
    )
    assert sorted(r.raw_version for r in rels) == ["1.0.0", "2.0.0"]


def test_refusals_over_http_say_what_was_refused_and_why(key_client, sb):
    from balena_pulumi.client import Forbidden, Unauthorized

    with pytest.raises(Unauthorized) as tag:
        key_client.tags("fleet").create(999, "owner", "ops")
    assert str(tag.value) == (
        "POST /v7/application_tag -> 401 Unauthorized: the API refused to create a fleet tag: this client's API key "
        "may not write fleet tags of that fleet, or the fleet does not exist or is not visible to it (the API "
        "answers 401 for both)"
    )
    with pytest.raises((Unauthorized, Forbidden)) as key:
        key_client.api_keys.create_provisioning_key(999, "line-1")
    assert str(key.value).endswith(
        "the API refused to create a provisioning key for fleet 999: that needs write access to the fleet, so the "
        "fleet does not exist, is not visible to this login, or the login's role in it may not create "
        "provisioning keys"
    )
    assert sb.api_key not in str(tag.value) + str(key.value)
