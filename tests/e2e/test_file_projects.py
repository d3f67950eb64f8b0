"""The repository's root project as a user runs it: `pulumi login`, `stack init`, `config set`, `up`, ...

Each test copies the root project (Pulumi.yaml, __main__.py, Pulumi.demo.yaml) into a temporary
directory whose `.venv` is this test run's environment, and drives the real CLI there (tests/e2e/
projects.py). The program runs through the Python language host beside the CLI, which must take the
interpreter from Pulumi.yaml's `virtualenv: .venv`: a decoy `python3` on PATH fails any other choice.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from balena_pulumi.client import BalenaClient

from .projects import ROOT, Workspace, link_venv, summary, violations

SECRET = "demo-api-token-5f1c"  # the secret variable's value; never in the state in plaintext
PACK = ROOT / "policies" / "balena-guardrails"


def root_project(tmp_path: Path, *, with_venv: bool = True) -> Path:
    project = tmp_path / "balena-org"
    project.mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.demo.yaml"):
        (project / name).write_bytes((ROOT / name).read_bytes())
    if with_venv:
        link_venv(project)
    return project


def demo_stack(workspace: Workspace, sandbox, backend: Path) -> None:
    backend.mkdir(exist_ok=True)
    workspace.login(backend.as_uri())
    workspace.stack_init("demo")
    workspace.configure_sandbox(sandbox.url, sandbox.session_token)
    workspace.run("config", "set", "--secret", "--path", "balena-org:secretVariables.edge-gateways.API_TOKEN", SECRET)


def writes(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] in ("POST", "PATCH", "PUT", "DELETE")]


def test_the_root_project_runs_the_demo_stack_with_its_virtualenv_and_keeps_the_secret_encrypted(
    clean_sandbox, pulumi_bin, language_host, tmp_path
):
    user = Workspace(pulumi_bin, root_project(tmp_path), tmp_path / "home")
    backend = tmp_path / "state"
    demo_stack(user, clean_sandbox, backend)
    client = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)

    up = user.run("up", "--yes")
    assert summary(up.stdout)["created"] >= 25, up.stdout
    assert user.outputs()["fleets"] == {
        "edge-gateways": "acme/edge-gateways", "kiosks": "acme/kiosks", "production": "acme/production"
    }
    gateways = client.fleets.get_by_slug("acme/edge-gateways")
    values = {v.name: v.value for v in client.variables("fleet_env").list(gateways.id)}
    assert values["API_TOKEN"] == SECRET and values["LOG_LEVEL"] == "info"
    stored = "\n".join(p.read_text(errors="replace") for p in backend.rglob("*") if p.is_file())
    assert SECRET not in stored and clean_sandbox.session_token not in stored
    assert SECRET not in (user.project / "Pulumi.demo.yaml").read_text()

    clean_sandbox.clear_requests()
    user.run("preview", "--expect-no-changes")
    assert clean_sandbox.requests() == []  # a no-op preview sends no request at all

    refresh = user.run("refresh", "--yes", "--expect-no-changes")
    assert "unchanged" in summary(refresh.stdout), refresh.stdout
    assert writes(clean_sandbox) == []

    user.run("destroy", "--yes")
    assert "acme/edge-gateways" not in {f.slug for f in client.fleets.list()}
    assert user.resources() == {}


@pytest.fixture
def stack_probe_pack(tmp_path: Path) -> Path:
    """A second policy pack, with a virtualenv of its own, reporting its stack, config and interpreter."""
    pack = tmp_path / "stack-probe"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text(
        "runtime:\n  name: python\n  options:\n    virtualenv: venv\ndescription: Reports what it runs with.\n"
    )
    link_venv(pack, name="venv")
    (pack / "__main__.py").write_text(
        "import sys\n"
        "import pulumi\n"
        "from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy\n\n"
        "def report(args, report_violation):\n"
        "    org = pulumi.Config('balena-org').get('organization')\n"
        "    report_violation(f'stack {pulumi.get_stack()} of project {pulumi.get_project()} manages {org}; '\n"
        "                     f'python {sys.prefix}')\n\n"
        "PolicyPack('stack-probe', enforcement_level=EnforcementLevel.ADVISORY, policies=[\n"
        "    StackValidationPolicy(name='sees-stack-config', description='Reports the stack.', validate=report)])\n"
    )
    return pack


def test_the_guardrails_pack_reports_violations_by_name_and_packs_see_the_stack_config(
    clean_sandbox, pulumi_bin, language_host, tmp_path, stack_probe_pack
):
    # As after `eval "$(scripts/bootstrap)"`: the pack has no virtualenv of its own and runs with python3.
    user = Workspace(pulumi_bin, root_project(tmp_path), tmp_path / "home", venv_on_path=True)
    demo_stack(user, clean_sandbox, tmp_path / "state")
    # Require a tag the demo's fleets lack, and let keys live long enough that today's date cannot matter.
    config = tmp_path / "guardrails.json"
    config.write_text(json.dumps({
        "fleets-require-tags": {"requiredTagKeys": ["owner", "environment", "cost-center"]},
        "keys-must-expire": {"maxDays": 100000},
    }))
    empty = tmp_path / "empty.json"
    empty.write_text("{}")

    preview = user.run(
        "preview", "--policy-pack", str(PACK), "--policy-pack-config", str(config),
        "--policy-pack", str(stack_probe_pack), "--policy-pack-config", str(empty),
    )

    assert "balena-guardrails" in preview.stdout
    assert violations(preview.stdout) == {
        ("fleets-require-tags", "edge-gateways"),
        ("fleets-require-tags", "kiosks"),
        ("sees-stack-config", "balena-org-demo"),
    }, preview.stdout
    assert "Fleet kiosks (acme/kiosks) has no FleetTag with key cost-center." in preview.stdout
    # The host started the second pack with the stack's project, name and config (from ConfigureStack), in
    # the virtualenv its PulumiPolicy.yaml names rather than the python3 on PATH.
    assert f"stack demo of project balena-org manages acme; python {stack_probe_pack / 'venv'}" in preview.stdout
    assert writes(clean_sandbox) == []


def test_a_missing_virtualenv_is_reported_once_in_plain_words(clean_sandbox, pulumi_bin, language_host, tmp_path):
    user = Workspace(pulumi_bin, root_project(tmp_path, with_venv=False), tmp_path / "home")
    demo_stack(user, clean_sandbox, tmp_path / "state")

    preview = user.run("preview", check=False)

    output = preview.stdout + preview.stderr
    assert preview.returncode != 0
    message = (
        f"The 'virtualenv' option in Pulumi.yaml is set to '.venv', but {user.project.resolve() / '.venv'} is not a "
        "Python virtual environment (no bin/python)."
    )
    # Once in the live display and once in the Diagnostics summary, as the engine shows every error.
    assert output.count(message) == 2, output
    assert "Traceback" not in output and "rpc error" not in output and "decoy" not in output
    assert clean_sandbox.requests() == []


def test_program_errors_reach_the_user_once_with_only_the_programs_own_frames(
    clean_sandbox, pulumi_bin, language_host, tmp_path
):
    user = Workspace(pulumi_bin, root_project(tmp_path), tmp_path / "home")
    demo_stack(user, clean_sandbox, tmp_path / "state")

    # A config mistake: the program raises a pulumi.RunError subclass, shown as its message alone.
    user.run("config", "set", "--path", "balena-org:fleets[1].fleet_class", "tractor")
    bad_config = user.run("preview", check=False)
    output = bad_config.stdout + bad_config.stderr
    assert bad_config.returncode != 0
    # The live display shows an error's first line, the Diagnostics summary all of it: the detail once.
    assert output.count("balena-org:fleets[1].fleet_class: must be one of fleet, block, app (got 'tractor')") == 1, output
    assert "Traceback" not in output and "run_program" not in output

    # A bug in the program: the traceback, from the program's first frame on.
    (user.project / "helper.py").write_text("def build():\n    raise ValueError('no such thing')\n")
    (user.project / "__main__.py").write_text("import helper\n\nhelper.build()\n")
    bug = user.run("preview", check=False)
    output = bug.stdout + bug.stderr
    assert bug.returncode != 0
    assert "Program failed with an unhandled exception:\n" in output
    diagnostics = output[output.index("Diagnostics:"):]
    assert diagnostics.count("Traceback (most recent call last):") == 1
    frames = [line.strip() for line in diagnostics.splitlines() if line.strip().startswith("File ")]
    assert frames == [
        f'File "{user.project.resolve() / "__main__.py"}", line 3, in <module>',
        f'File "{user.project.resolve() / "helper.py"}", line 2, in build',
    ], diagnostics
    assert "ValueError: no such thing" in diagnostics
    assert writes(clean_sandbox) == []
