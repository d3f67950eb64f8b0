"""`balena-pulumi discover` then `balena-pulumi up`, on the real engine against the sandbox.

The contract (docs/adopt.md): discover reads only; the next `up` adopts every object it found without a
single write request; the preview after that is empty (and sends nothing); one value changed in the file
is exactly one update. Secret values are nowhere in plaintext: not in the written file, not in the state.
"""

from __future__ import annotations

import time

import yaml

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources import tokens
from balena_pulumi.sandbox import seed

from .cli import Project, engine_summary
from .orgs import SECRET_VALUES, add_every_kind, generated_seed

# Every kind of object the package manages (bulk kinds such as FleetEnvVars manage several of these at once;
# discover counts objects, whatever resources the program makes of them).
OBJECT_KINDS = sorted([
    "Organization", "OrganizationMember", "OrganizationInvite", "ApiKey", "SshKey", "Fleet", "FleetPin",
    "FleetEnvVar", "FleetConfigVar", "FleetBuildVar", "ServiceEnvVar", "FleetTag", "ReleaseTag", "FleetMember",
    "FleetInvite", "ProvisioningKey", "DeviceEnvVar", "DeviceConfigVar", "DeviceServiceEnvVar", "DeviceTag",
    "DevicePin",
])


def _client(sandbox) -> BalenaClient:
    return BalenaClient(sandbox.url, sandbox.session_token)


def _object_counts(discover_output: str) -> dict[str, int]:
    counts = {}
    for line in discover_output.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in tokens.KINDS and words[1].isdigit():
            counts[words[0]] = int(words[1])
    return counts


def _assert_adopted(project: Project) -> list[dict]:
    """Every balena resource of the stack was imported with the id the file names, and is protected."""
    adopt = project.config()["adopt"]["resources"]
    resources = project.resources()
    assert len(resources) == sum(len(ids) for ids in adopt.values())
    for res in resources:
        kind = res["type"].rsplit(":", 1)[-1]
        name = res["urn"].rsplit("::", 1)[-1]
        assert res.get("importID") == adopt[kind][name], res["urn"]
        assert res.get("protect") is True, res["urn"]
    return resources


def test_discover_then_up_adopts_every_kind_with_no_write_then_preview_is_empty(project, clean_sandbox):
    add_every_kind(_client(clean_sandbox))
    clean_sandbox.clear_requests()

    found = project.discover("acme")

    # Discover reads: a fixed set of GETs, no write.
    assert project.writes() == []
    assert {r["method"] for r in clean_sandbox.requests()} == {"GET"}
    assert len(clean_sandbox.requests()) == 21
    counts = _object_counts(found.stdout)
    assert sorted(counts) == OBJECT_KINDS, found.stdout
    text = project.stack_path.read_text()
    for value in SECRET_VALUES.values():
        assert value not in text
    assert "fleets.production.variables.API_TOKEN: has a credential-looking name" in found.stdout
    assert "fleets.production.service_variables.main.DB_PASSWORD: has a credential-looking name" in found.stdout
    assert f"devices.{seed.PRODUCTION_DEVICE_UUIDS[0]}.variables.SIGNING_BLOB: has a high-entropy value" in found.stdout
    assert "API key 'ci-deploy' (id 3): adopted by its name, description and expiry; its value is not readable" in found.stdout
    secure = project.config()["secrets"]["fleets"]["production"]["variables"]["API_TOKEN"]
    assert set(secure) == {"secure"} and secure["secure"].startswith("v1:")

    # The next up adopts every object: imports only, no write request.
    clean_sandbox.clear_requests()
    up = project.run("up")
    assert project.writes() == []
    resources = _assert_adopted(project)
    assert engine_summary(up.stdout) == {"created": 1, "imported": len(resources), "changes": len(resources) + 1}
    assert "warning" not in up.stdout.lower()
    state = project.state_text()
    for value in SECRET_VALUES.values():
        assert value not in state

    # Adopted means managed: the next preview is empty and sends nothing.
    clean_sandbox.clear_requests()
    preview = project.run("preview")
    assert engine_summary(preview.stdout) == {"unchanged": len(resources) + 1}
    assert clean_sandbox.requests() == []

    # One value changed in the file is exactly one update: one PATCH.
    project.edit_config(lambda c: c["balena-org:fleets"][0]["variables"].update(LOG_LEVEL="debug"))
    clean_sandbox.clear_requests()
    changed = project.run("up")
    assert engine_summary(changed.stdout)["updated"] == 1
    assert [(w["method"], w["path"].split("(")[0]) for w in project.writes()] == [
        ("PATCH", "/v7/application_environment_variable")
    ]
    assert engine_summary(project.run("preview").stdout) == {"unchanged": len(resources) + 1}


def test_the_default_seed_as_it_is(project, clean_sandbox):
    """The issue's own check: the default seed, untouched, in a fresh project directory."""
    project.discover("acme")
    clean_sandbox.clear_requests()
    project.run("up")
    assert project.writes() == []
    kinds = {r["type"].rsplit(":", 1)[-1] for r in _assert_adopted(project)}
    # What the default seed holds: the organization, its two fleets, two members and the sandbox's API key.
    assert kinds == {"Organization", "Fleet", "OrganizationMember", "ApiKey"}
    clean_sandbox.clear_requests()
    assert engine_summary(project.run("preview").stdout) == {"unchanged": 7}
    assert clean_sandbox.requests() == []


def test_discover_refuses_to_overwrite_and_again_adopts_only_what_the_stack_does_not_hold(project, clean_sandbox):
    client = _client(clean_sandbox)
    project.discover("acme")
    project.run("up")
    before = project.stack_path.read_text()

    refused = project.discover("acme", check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"balena-pulumi discover: {project.stack_path} exists already; nothing written (--force overwrites)"
    )
    assert project.stack_path.read_text() == before

    # Made by hand after the adoption: the next discovery adopts it and keeps what the stack adopted
    # already, with the very ids its state records (any other id would make the engine delete the object).
    adopted = project.config()["adopt"]["resources"]
    staging = client.fleets.get_by_slug(seed.STAGING)
    client.tags("fleet").create(staging.id, "owner", "qa-team")
    again = project.discover("acme", "--force")
    assert project.config()["adopt"]["resources"] == {**adopted, "FleetTags": {"staging-tags": "acme/staging:owner"}}
    assert "Adopted by stack 'adopted' already, with the same import id (6)." in again.stdout
    assert "1 resources will be adopted on the next `up`" in again.stdout
    clean_sandbox.clear_requests()
    up = project.run("up")
    assert project.writes() == []
    assert engine_summary(up.stdout) == {"imported": 1, "unchanged": 7}
    _assert_adopted(project)

    # Adopted resources are protected: removing one from the file fails and deletes nothing.
    project.edit_config(lambda c: c["balena-org:fleets"][1].pop("tags"))
    clean_sandbox.clear_requests()
    failed = project.run("up", check=False)
    assert failed.returncode == 1
    assert "staging-tags" in failed.stdout and "protect" in failed.stdout
    assert project.writes() == []


def test_an_organization_of_over_500_objects(project, clean_sandbox):
    clean_sandbox.reset(generated_seed("bigco", 10, env=16, config=11, tags=11, devices=2,
                                       members={"alice": "member", "bob": "member"}))
    client = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    fleets = client.fleets.list()
    for n, fleet in enumerate(fleets):
        for i in range(3):
            client.variables("fleet_build").create(fleet.id, f"BUILD_{i}", f"b{n}.{i}")
        client.fleet_members.create(fleet.id, "alice", "observer")
        client.invites("fleet").create(fleet.id, f"ops{n}@example.com", "developer")
        client.api_keys.create_provisioning_key(fleet.id, f"line-{n}")
        for device in client.devices.list(fleet.id):
            client.variables("device_env").create(device.id, "ROLE", "edge")
            client.variables("device_env").create(device.id, "DEVICE_TOKEN", f"dt-{device.uuid[:12]}")
            client.tags("device").create(device.id, "site", f"site-{n}")
    client.variables("fleet_env").create(fleets[0].id, "API_TOKEN", "bigco-secret-token-0001")
    clean_sandbox.clear_requests()

    found = project.discover("bigco")
    discovery_requests = len(clean_sandbox.requests())
    objects = sum(_object_counts(found.stdout).values())
    assert objects >= 500, found.stdout
    assert discovery_requests == 21 and project.writes() == []

    clean_sandbox.clear_requests()
    started = time.monotonic()
    up = project.run("up")
    up_seconds = time.monotonic() - started
    assert project.writes() == []
    resources = _assert_adopted(project)
    assert engine_summary(up.stdout)["imported"] == len(resources)
    assert "bigco-secret-token-0001" not in project.state_text()

    clean_sandbox.clear_requests()
    started = time.monotonic()
    assert engine_summary(project.run("preview").stdout) == {"unchanged": len(resources) + 1}
    preview_seconds = time.monotonic() - started
    assert clean_sandbox.requests() == []

    def change(config):
        config["balena-org:fleets"][3]["tags"]["tag-004"] = "changed"

    project.edit_config(change)
    clean_sandbox.clear_requests()
    assert engine_summary(project.run("up").stdout)["updated"] == 1
    assert [(w["method"], w["path"].split("(")[0]) for w in project.writes()] == [("PATCH", "/v7/application_tag")]
    print(f"\n[discover] {objects} objects, {len(resources)} resources, {discovery_requests} discovery requests; "
          f"adopting up {up_seconds:.1f}s, empty preview {preview_seconds:.1f}s")


def test_the_python_program_adopts_the_same_objects(project, clean_sandbox, pulumi_bin, tmp_path):
    import runpy

    from pulumi import automation as auto

    from balena_pulumi.deploy import _prepare_work_dir
    from balena_pulumi.engine import offline_env, pulumi_command

    add_every_kind(_client(clean_sandbox))
    found = project.discover("acme", "--format", "python", "--no-protect")
    program = project.dir / "__main__.py"
    source = program.read_text()
    assert "import_" in source and "protect" not in source.split("def adopted")[1].split("\n\n")[0]
    for value in SECRET_VALUES.values():
        assert value not in source and value not in project.stack_path.read_text()
    assert "fleet_production.slug" in source
    compile(source, str(program), "exec")
    assert "Wrote" in found.stdout

    # Run it as `pulumi up` would, in the stack discover encrypted its secrets for.
    work = project.state_dir / "work" / project.stack
    _prepare_work_dir(project.dir, project.stack, work)
    env = offline_env(pulumi_bin, project.state_dir / "home", project.state_dir / "backend")
    stack = auto.create_or_select_stack(
        stack_name=project.stack, project_name="balena-org",
        program=lambda: runpy.run_path(str(program)),
        opts=auto.LocalWorkspaceOptions(work_dir=str(work), pulumi_home=str(project.state_dir / "home"),
                                        env_vars=env, secrets_provider="passphrase",
                                        pulumi_command=pulumi_command(pulumi_bin)),
    )
    stack.set_config("balena:apiUrl", auto.ConfigValue(clean_sandbox.url))
    stack.set_config("balena:apiToken", auto.ConfigValue(clean_sandbox.session_token, secret=True))
    clean_sandbox.clear_requests()
    result = stack.up(color="never")
    assert project.writes() == []
    changes = result.summary.resource_changes
    assert set(changes) == {"create", "import"} and changes["create"] == 1
    assert all(not r.get("protect") for r in project.resources())
    for value in SECRET_VALUES.values():
        assert value not in project.state_text()
    clean_sandbox.clear_requests()
    assert set(stack.preview(color="never").change_summary) == {"same"}
    assert clean_sandbox.requests() == []


def test_round_trip_clones_an_organization(clean_sandbox, pulumi_bin, tmp_path):
    """Discover alpha, apply the file with the handle changed to the empty beta, discover beta: the two files
    are the same apart from the handle and the ids of what was created."""
    members = {"alice": "member", "bob": "member"}
    clean_sandbox.reset(generated_seed(
        "alpha", 2, env=3, config=2, tags=2, members=members,
        extra_orgs=[{"handle": "beta", "name": "Beta Inc", "members": {"admin": "administrator", **members}}],
    ))
    client = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    first = client.fleets.get_by_slug("alpha/fleet-000")
    client.variables("fleet_env").create(first.id, "API_TOKEN", "alpha-token-value-1")
    client.variables("fleet_build").create(first.id, "NPM_REGISTRY", "https://npm.example")
    client.fleet_members.create(first.id, "alice", "developer")
    client.invites("organization").create(client.organizations.get_by_handle("alpha").id, "dave@example.com", "member")
    client.invites("fleet").create(first.id, "erin@example.com", "observer", "hello")
    client.api_keys.create_provisioning_key(first.id, "factory", "line 1")
    client.ssh_keys.create("ops laptop", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ3NTinf2J+6qrj8R0yTV78ySkvJlv0Oexn8kaWYPWYk ops@laptop")

    alpha = Project(clean_sandbox, pulumi_bin, tmp_path / "alpha", stack="org")
    alpha.discover("alpha")

    clone = Project(clean_sandbox, pulumi_bin, tmp_path / "clone", stack="org")
    clone.stack_path.write_text(alpha.stack_path.read_text())
    clone.edit_config(lambda c: c.update({"balena-org:organization": "beta"}))
    clean_sandbox.clear_requests()
    applied = clone.run("up")
    assert "was written for organization 'alpha', but this stack manages 'beta'" in applied.stdout
    assert client.fleets.get_by_slug("alpha/fleet-000").id == first.id  # alpha untouched
    assert not [w for w in clone.writes() if "alpha" in w["path"]]

    beta = Project(clean_sandbox, pulumi_bin, tmp_path / "beta", stack="org")
    beta.discover("beta")

    a, b = alpha.config(), beta.config()
    a_adopt, b_adopt = a.pop("adopt"), b.pop("adopt")
    a_secrets, b_secrets = a.pop("secrets"), b.pop("secrets")
    assert yaml.safe_dump(a).replace("alpha", "beta") == yaml.safe_dump(b)
    assert _paths(a_secrets) == _paths(b_secrets)
    assert _decrypted(alpha, "API_TOKEN") == _decrypted(beta, "API_TOKEN") == "alpha-token-value-1"
    # Ids differ only where the clone created something with a numeric id (the provisioning key); your
    # API keys and SSH keys belong to your user, so both files adopt the same ones.
    a_ids = {k: v for k, v in a_adopt["resources"].items() if k != "ProvisioningKey"}
    b_ids = {k: v for k, v in b_adopt["resources"].items() if k != "ProvisioningKey"}
    assert yaml.safe_dump(a_ids).replace("alpha", "beta") == yaml.safe_dump(b_ids)
    assert a_adopt["resources"]["ProvisioningKey"].keys() == b_adopt["resources"]["ProvisioningKey"].keys()
    assert a_adopt["resources"]["ProvisioningKey"] != b_adopt["resources"]["ProvisioningKey"]


def _paths(tree, prefix=()):
    if isinstance(tree, dict) and set(tree) != {"secure"}:
        return {p for k, v in tree.items() for p in _paths(v, (*prefix, k))}
    return {prefix}


def _decrypted(project: Project, name: str) -> str:
    from pulumi import automation as auto

    from balena_pulumi.discover.command import StackWorkspace

    workspace = StackWorkspace(project.dir, project.stack, project.state_dir)
    work = workspace.work_dir
    (work / f"Pulumi.{project.stack}.yaml").write_text(project.stack_path.read_text())
    stack = auto.select_stack(project.stack, project_name="balena-org", program=lambda: None,
                              opts=workspace._options())
    import json

    secrets = json.loads(stack.get_all_config()["balena-org:secrets"].value)
    return secrets["fleets"]["fleet-000"]["variables"][name]


def test_mistakes_reach_the_user_as_one_plain_line_and_write_nothing(project, clean_sandbox):
    missing = project.discover("nope", check=False)
    assert (missing.returncode, missing.stderr) == (
        1, "balena-pulumi discover: no organization with handle 'nope' is visible to this token\n")
    no_fleet = project.discover("acme", "--fleet", "staging", "nowhere", check=False)
    assert (no_fleet.returncode, no_fleet.stderr) == (
        1, "balena-pulumi discover: organization 'acme' has no fleet 'nowhere' visible to this token\n")
    project.env.pop("BALENA_API_KEY")
    no_token = project.discover("acme", check=False)
    assert (no_token.returncode, no_token.stderr) == (
        2, "balena-pulumi discover: set BALENA_API_KEY to a balena API key or session token\n")
    assert not project.stack_path.exists()
    assert project.writes() == []
