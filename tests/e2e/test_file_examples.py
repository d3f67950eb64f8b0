"""Every project under examples/ runs as its README says: `pulumi up` in its directory, with the real CLI.

The inline versions in test_examples.py check what each example builds in detail; these check that the
project directories themselves work: their Pulumi.yaml (runtime, `virtualenv: ../../.venv`), their
`__main__.py` run as a program, config through `pulumi config set`, then up, an empty preview, destroy.
"""

from __future__ import annotations


import pytest

from balena_pulumi.client import BalenaClient

from .projects import ROOT, Workspace, copy_project, link_venv, summary
from .test_examples import snapshot

EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/Pulumi.yaml"))


def test_every_example_directory_is_covered():
    assert EXAMPLES == ["organization", "staged-rollout"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_project_runs_up_preview_and_destroy_from_its_directory(
    name, clean_sandbox, pulumi_bin, language_host, tmp_path
):
    # The same layout as the repository: examples/<name>/ two levels below the directory holding .venv.
    checkout = tmp_path / "checkout"
    project = copy_project(ROOT / "examples" / name, checkout / "examples" / name)
    link_venv(checkout)
    user = Workspace(pulumi_bin, project, tmp_path / "home")
    (tmp_path / "state").mkdir()
    user.login((tmp_path / "state").as_uri())
    user.stack_init("dev")
    user.configure_sandbox(clean_sandbox.url, clean_sandbox.session_token)
    client = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    seeded = snapshot(client)

    up = user.run("up", "--yes")
    assert summary(up.stdout).get("created", 0) >= 5, up.stdout
    assert snapshot(client) != seeded

    clean_sandbox.clear_requests()
    user.run("preview", "--expect-no-changes")
    # staged-rollout looks its releases up at program time (GETs); nothing writes.
    assert [r for r in clean_sandbox.requests() if r["method"] != "GET"] == []

    outputs = user.outputs()
    if name == "staged-rollout":
        assert outputs == {"stable": "1.1.0", "candidate": "2.0.0"}
    else:
        assert outputs["fleets"] == {"gateways": "acme/edge-gateways", "kiosks": "acme/kiosks"}
        assert outputs["ci_key"]  # the API key's value, a secret output shown with --show-secrets

    user.run("destroy", "--yes")
    after = snapshot(client)
    if name == "organization":
        # Destroying the OrganizationMember removes bob from the organization (docs/resources/
        # organization_member.md); everything else is as seeded.
        assert after.pop("org_members") == [m for m in seeded.pop("org_members") if m[0] != 3]
    assert after == seeded
