"""Adopting existing objects in a file-based project: the `import_` option and the CLI's `pulumi import`.

Objects are made first through the API (as someone in the dashboard would). The project then adopts one
with `import_` in its program and one with `pulumi import <type> <name> <id> --generate-code=false`; the
program is then written to declare both, and the stack must show no change. Neither adoption may send a
write. `pulumi import` without `--generate-code=false` adopts too but then fails, because the engine asks
the provider for a schema to generate code from and dynamic providers have none (docs/import.md).
"""

from __future__ import annotations


from balena_pulumi.client import BalenaClient
from balena_pulumi.sandbox import seed

from .projects import Workspace, link_venv

PULUMI_YAML = """name: adopt
runtime:
  name: python
  options:
    virtualenv: .venv
"""

ADOPT_WITH_OPTION = """import pulumi
from balena_pulumi import FleetEnvVar

FleetEnvVar("log-level", fleet="acme/production", name="LOG_LEVEL", value="info",
            opts=pulumi.ResourceOptions(import_="acme/production:LOG_LEVEL"))
"""

# After both imports: the option removed (docs/import.md), the CLI-imported tag declared as it exists,
# protected as `pulumi import` left it.
DECLARE_BOTH = """import pulumi
from balena_pulumi import FleetEnvVar, FleetTag

FleetEnvVar("log-level", fleet="acme/production", name="LOG_LEVEL", value="info")
FleetTag("owner", fleet="acme/production", key="owner", value="platform-team",
         opts=pulumi.ResourceOptions(protect=True))
"""


def writes(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] != "GET"]


def test_a_project_adopts_with_import_option_and_with_pulumi_import_then_shows_no_change(
    clean_sandbox, pulumi_bin, language_host, tmp_path
):
    client = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    production = client.fleets.get_by_slug(seed.PRODUCTION)
    client.variables("fleet_env").create(production.id, "LOG_LEVEL", "info")
    client.tags("fleet").create(production.id, "owner", "platform-team")

    project = tmp_path / "adopt"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(PULUMI_YAML)
    (project / "__main__.py").write_text(ADOPT_WITH_OPTION)
    link_venv(project)
    user = Workspace(pulumi_bin, project, tmp_path / "home")
    (tmp_path / "state").mkdir()
    user.login((tmp_path / "state").as_uri())
    user.stack_init("dev")
    user.configure_sandbox(clean_sandbox.url, clean_sandbox.session_token)
    clean_sandbox.clear_requests()

    up = user.run("up", "--yes")
    assert "1 imported" in up.stdout, up.stdout
    assert writes(clean_sandbox) == []

    imported = user.run(
        "import", "pulumi-python:dynamic/balena:FleetTag", "owner", "acme/production:owner",
        "--yes", "--generate-code=false",
    )
    assert "1 imported" in imported.stdout, imported.stdout
    assert writes(clean_sandbox) == []
    resources = user.resources()
    assert resources["owner"]["inputs"]["value"] == "platform-team"
    assert resources["owner"]["protect"] is True

    (project / "__main__.py").write_text(DECLARE_BOTH)
    user.run("preview", "--expect-no-changes")
    assert writes(clean_sandbox) == []

    # The CLI's default, generating code for the adopted object, cannot work for a dynamic resource. For the
    # schema it starts the provider plugin outside the project, where only PATH says which Python to use:
    # the venv's, as after `eval "$(scripts/bootstrap)"` (the decoy would fail first, and say so).
    with_venv = Workspace(pulumi_bin, project, tmp_path / "home", venv_on_path=True)
    with_code = with_venv.run("import", "pulumi-python:dynamic/balena:Fleet", "staging", seed.STAGING, "--yes", check=False)
    assert with_code.returncode != 0
    assert "GetSchema is not implemented by the dynamic provider" in with_code.stdout + with_code.stderr
    assert "staging" in user.resources()  # the adoption itself went through before code generation failed
    assert writes(clean_sandbox) == []
