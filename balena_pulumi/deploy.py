"""``balena-pulumi up|preview|refresh|destroy``: run the root project's stack with the real Pulumi CLI.

Users who have the Pulumi CLI and its Python language host run ``pulumi up`` in the repository root.
This command is the same program run through the Automation API's inline mode, for machines where only
the CLI is available (see tools/pulumi/README.md). Credentials come from the environment
(``BALENA_API_URL``, ``BALENA_API_KEY``) and are stored in the stack config as a secret; the stack's
organization config comes from ``Pulumi.<stack>.yaml`` in the project directory, and secret variable
values from ``BALENA_ORG_SECRET_VARIABLES`` (JSON ``{"fleet": {"NAME": "value"}}``), stored as the secret
config ``secretVariables``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

# Pulumi and the program are imported when a command runs, so `balena-pulumi sandbox` stays light.
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE = Path.home() / ".balena-pulumi"


def _prepare_work_dir(project_dir: Path, stack: str, work_dir: Path) -> None:
    """Copy Pulumi.yaml and the stack's config into work_dir, keeping the stack's encryption salt."""
    import yaml

    source = project_dir / f"Pulumi.{stack}.yaml"
    if not source.exists():
        raise SystemExit(f"balena-pulumi: no stack config {source}")
    work_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(project_dir / "Pulumi.yaml", work_dir / "Pulumi.yaml")
    target = work_dir / source.name
    config = yaml.safe_load(source.read_text()) or {}
    if target.exists():
        previous = yaml.safe_load(target.read_text()) or {}
        if "encryptionsalt" in previous:
            config["encryptionsalt"] = previous["encryptionsalt"]
    target.write_text(yaml.safe_dump(config, sort_keys=False))


def run(action: str, stack_name: str, *, project_dir: Path, state_dir: Path) -> int:
    import yaml
    from pulumi import automation as auto

    from balena_pulumi import program
    from balena_pulumi.engine import find_bin_dir, offline_env, pulumi_command

    api_url = os.environ.get("BALENA_API_URL", "https://api.balena-cloud.com")
    token = os.environ.get("BALENA_API_KEY") or os.environ.get("BALENA_API_TOKEN")
    if not token:
        print("balena-pulumi: set BALENA_API_KEY to a balena API key or session token", file=sys.stderr)
        return 2
    bin_dir = find_bin_dir()
    work_dir = state_dir / "work" / stack_name
    _prepare_work_dir(project_dir, stack_name, work_dir)
    backend = Path(os.environ.get("BALENA_PULUMI_BACKEND_DIR", state_dir / "backend"))
    env = offline_env(bin_dir, state_dir / "home", backend)
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        pulumi_home=str(state_dir / "home"),
        env_vars=env,
        secrets_provider="passphrase",
        pulumi_command=pulumi_command(bin_dir),
    )
    project_name = (yaml.safe_load((project_dir / "Pulumi.yaml").read_text()) or {})["name"]
    stack = auto.create_or_select_stack(
        stack_name=stack_name, project_name=project_name, program=program.main, opts=opts
    )
    stack.set_config("balena:apiUrl", auto.ConfigValue(api_url))
    stack.set_config("balena:apiToken", auto.ConfigValue(token, secret=True))
    secret_variables = os.environ.get("BALENA_ORG_SECRET_VARIABLES")
    if secret_variables:
        # The same as `pulumi config set --secret balena-org:secretVariables '<json>'`.
        stack.set_config(f"{project_name}:secretVariables", auto.ConfigValue(secret_variables, secret=True))
    try:
        if action == "up":
            stack.up(on_output=print, color="always" if sys.stdout.isatty() else "never")
        elif action == "preview":
            stack.preview(on_output=print, color="never")
        elif action == "refresh":
            stack.refresh(on_output=print, color="never")
        elif action == "destroy":
            stack.destroy(on_output=print, color="never")
    except auto.errors.CommandError as exc:
        print(f"\nbalena-pulumi: `pulumi {action}` on stack {stack_name!r} failed; the engine's messages are above.",
              file=sys.stderr)
        del exc
        return 1
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    for action, text in (
        ("up", "create or update the stack's resources"),
        ("preview", "show what `up` would change"),
        ("refresh", "read the real state and record drift"),
        ("destroy", "delete every resource of the stack"),
    ):
        p = sub.add_parser(action, help=f"{text} (root project, real Pulumi CLI, inline program)")
        p.add_argument("--stack", default="demo", help="stack name; reads Pulumi.<stack>.yaml (default: demo)")
        p.add_argument("--project-dir", type=Path, default=REPO_ROOT, help="directory with Pulumi.yaml")
        p.add_argument("--state-dir", type=Path, default=DEFAULT_STATE, help="where state and the CLI home live")
        p.set_defaults(func=lambda a, action=action: run(action, a.stack, project_dir=a.project_dir, state_dir=a.state_dir))
