"""``balena-pulumi discover``: turn a live organization into the root project's stack config, or a program.

Steps: read the organization (:mod:`~balena_pulumi.client.services.inventory`, GET requests only), turn it
into config with its secret values apart (:mod:`.snapshot`), run the program on it to learn which
resources it registers and the import id of each (:mod:`.plan`, :mod:`.adopt`), encrypt the secret values
with the Pulumi CLI in the stack ``balena-pulumi up`` uses (``pulumi config set --secret --path``), and
write ``Pulumi.<stack>.yaml`` (or ``__main__.py`` with its ``Pulumi.<stack>.yaml``).

The stack lives where ``balena-pulumi up`` keeps it (``--state-dir``, ``BALENA_PULUMI_BACKEND_DIR``), so
its encryption salt is the one ``up`` decrypts with; a stack that already manages resources keeps them:
they are not adopted a second time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from balena_pulumi.errors import BalenaPulumiError

from .errors import DiscoverError

# Pulumi, the program and the resources load when the command runs, so the parser stays light.
if TYPE_CHECKING:
    from .adopt import Adoption
    from .plan import Record
    from .snapshot import Snapshot

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATE = Path.home() / ".balena-pulumi"


@dataclass
class Result:
    """What one discovery found and wrote (for the printed summary and for tests)."""

    snapshot: Snapshot
    records: list[Record]
    adoption: Adoption
    written: list[Path] = field(default_factory=list)
    protect: bool = True


# -- the stack (secrets and what it manages already) ----------------------------------------------------


class StackWorkspace:
    """The stack ``balena-pulumi up`` runs for this project directory, through the Automation API."""

    def __init__(self, project_dir: Path, stack_name: str, state_dir: Path) -> None:
        from balena_pulumi.engine import find_bin_dir, offline_env

        self.project_dir = project_dir
        self.stack_name = stack_name
        self.work_dir = state_dir / "work" / stack_name
        self.bin_dir = find_bin_dir()
        backend = Path(os.environ.get("BALENA_PULUMI_BACKEND_DIR", state_dir / "backend"))
        self.home = state_dir / "home"
        self.env = offline_env(self.bin_dir, self.home, backend)
        self.project_name = (yaml.safe_load((project_dir / "Pulumi.yaml").read_text()) or {}).get("name")
        if not self.project_name:
            raise DiscoverError(f"balena-pulumi discover: {project_dir / 'Pulumi.yaml'} has no project name")

    def _options(self):
        from pulumi import automation as auto

        from balena_pulumi.engine import pulumi_command

        return auto.LocalWorkspaceOptions(
            work_dir=str(self.work_dir),
            pulumi_home=str(self.home),
            env_vars=self.env,
            secrets_provider="passphrase",
            pulumi_command=pulumi_command(self.bin_dir),
        )

    def _prepare(self) -> None:
        """Pulumi.yaml and a stack file holding only the salt the stack already has (if any)."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.project_dir / "Pulumi.yaml", self.work_dir / "Pulumi.yaml")
        target = self.work_dir / f"Pulumi.{self.stack_name}.yaml"
        previous = yaml.safe_load(target.read_text()) if target.exists() else None
        salt = (previous or {}).get("encryptionsalt")
        target.write_text(yaml.safe_dump({"encryptionsalt": salt} if salt else {"config": {}}))

    def managed(self) -> dict[tuple[str, str], str | None]:
        """(kind, resource name) of every balena resource the stack holds now -> the import id its state
        records (None for one the stack created); empty for a new stack."""
        from pulumi import automation as auto

        from balena_pulumi.resources import tokens

        self._prepare()
        try:
            stack = auto.select_stack(self.stack_name, project_name=self.project_name, program=lambda: None,
                                      opts=self._options())
        except auto.errors.StackNotFoundError:
            return {}
        found: dict[tuple[str, str], str | None] = {}
        for res in stack.export_stack().deployment.get("resources", []) or []:
            rtype = res.get("type", "")
            if rtype.startswith(tokens.TOKEN_PREFIX) and not res.get("delete"):
                found[(rtype[len(tokens.TOKEN_PREFIX):], res["urn"].rsplit("::", 1)[-1])] = res.get("importID") or None
        return found

    def encrypt(self, namespace: str, key: str, tree: dict[str, Any]) -> tuple[str, Any]:
        """Set every leaf of ``tree`` as a secret under ``namespace:key`` (path syntax) with the CLI; returns
        the stack's encryption salt and the ``secure:`` tree the CLI wrote."""
        from pulumi import automation as auto

        self._prepare()
        stack = auto.create_or_select_stack(stack_name=self.stack_name, project_name=self.project_name,
                                            program=lambda: None, opts=self._options())
        values = {}
        for path, value in _leaves(tree):
            quoted = "".join('["' + p.replace("\\", "\\\\").replace('"', '\\"') + '"]' for p in path)
            values[f"{namespace}:{key}{quoted}"] = auto.ConfigValue(value, secret=True)
        stack.set_all_config(values, path=True)
        written = yaml.safe_load((self.work_dir / f"Pulumi.{self.stack_name}.yaml").read_text()) or {}
        return written["encryptionsalt"], (written.get("config") or {})[f"{namespace}:{key}"]


def _leaves(tree: Any, path: tuple[str, ...] = ()):
    for k, v in tree.items():
        if isinstance(v, dict):
            yield from _leaves(v, (*path, str(k)))
        else:
            yield (*path, str(k)), v


# -- discovery ----------------------------------------------------------------------------------------


def discover(
    client: Any,
    organization: str,
    *,
    fleets: list[str] | None = None,
    managed: dict[tuple[str, str], str | None] | None = None,
) -> Result:
    """Read the organization and work out the config, the resources and their import ids (nothing written)."""
    from balena_pulumi.client import BalenaError, NotFound
    from balena_pulumi.client.services.inventory import read_organization

    from .adopt import adopt
    from .plan import plan
    from .snapshot import snapshot

    try:
        inventory = read_organization(client, organization, fleets=fleets)
    except NotFound as exc:
        raise DiscoverError(f"balena-pulumi discover: {exc}") from None
    except BalenaError as exc:
        raise DiscoverError(f"balena-pulumi discover: reading organization {organization!r} failed: {exc}") from None
    snap = snapshot(inventory)
    for _ in range(3):
        records, _spec = plan(snap.config, snap.secrets)
        adoption = adopt(records, snap.objects, managed or {})
        if not adoption.duplicates:
            break
        _drop_duplicates(snap, adoption)
    else:  # each round removes every duplicate it can; a third round with some left is a bug
        raise DiscoverError("balena-pulumi discover: resource names still collide after removing duplicates")
    return Result(snapshot=snap, records=records, adoption=adoption)


def _drop_duplicates(snap: Snapshot, adoption: Adoption) -> None:
    """Take out objects the program would register under a resource name already taken (two API keys of
    one name, say); what cannot be taken out is an error naming both."""
    for record, obj in adoption.duplicates:
        item = snap.items.get((obj.kind, obj.id)) if obj is not None else None
        if obj is None or item is None:
            raise DiscoverError(
                f"balena-pulumi discover: the root program would register two {record.kind} resources named "
                f"{record.name!r}; its resource names cannot tell these objects apart (see docs/adopt.md, "
                "'Limits'): use --fleet to leave one of them out, or rename one in the dashboard"
            )
        container, entry = item
        container[:] = [e for e in container if e is not entry]
        snap.objects.remove(obj)
        snap.skipped.append(
            f"{obj.label} (id {obj.id}): left out, another object of the same kind has the same name and the "
            f"program names resources after it ({record.name!r}); it stays as it is, unmanaged"
        )


def write_outputs(
    result: Result,
    *,
    project_dir: Path,
    stack: str,
    fmt: str,
    protect: bool,
    workspace: StackWorkspace | None,
) -> list[Path]:
    """Encrypt the secret values through the CLI and write the files; returns what was written."""
    from balena_pulumi.program import NAMESPACE

    from .render import program_file, stack_file

    snap = result.snapshot
    result.protect = protect
    stack_path = project_dir / f"Pulumi.{stack}.yaml"
    salt, secure = None, None
    if fmt == "yaml":
        if snap.secrets:
            assert workspace is not None
            salt, secure = workspace.encrypt(NAMESPACE, "secrets", snap.secrets)
        text = stack_file(snap.config, salt=salt, secure_secrets=secure, adoption=result.adoption,
                          organization=snap.organization, protect=protect)
        stack_path.write_text(text)
        return [stack_path]
    main_path = project_dir / "__main__.py"
    main_path.write_text(program_file(result.records, result.adoption, snap.secrets,
                                      organization=snap.organization, protect=protect))
    document: dict[str, Any] = {}
    if snap.secrets:
        assert workspace is not None
        salt, secure = workspace.encrypt(workspace.project_name, "secrets", snap.secrets)
        document = {"encryptionsalt": salt, "config": {f"{workspace.project_name}:secrets": secure}}
    stack_path.write_text(
        "# Secret values of the program in __main__.py (`balena-pulumi discover --format python`).\n"
        + yaml.safe_dump(document or {"config": {}}, sort_keys=False, width=110)
    )
    return [main_path, stack_path]


def summary(result: Result, *, organization: str, stack: str) -> str:
    """What the user reads after discover: counts, secrets, what cannot be recovered, what was left out."""
    snap, adoption = result.snapshot, result.adoption
    lines = [f"Organization {organization}: {len(snap.objects)} objects in {len(result.records)} resources."]
    for kind, n in snap.count().items():
        lines.append(f"  {kind:<22} {n}")
    lines.append(f"{adoption.count - len(adoption.kept)} resources will be adopted on the next `up` (import ids in "
                 "the written file)"
                 + (", protected from deletion." if result.protect else ", not protected (--no-protect)."))
    if adoption.kept:
        lines.append(f"Adopted by stack {stack!r} already, with the same import id ({len(adoption.kept)}).")
    if adoption.managed:
        lines.append(f"Held by stack {stack!r} under no or another import id, so not adopted ({len(adoption.managed)}):")
        lines += [f"  {label}" for label in adoption.managed]
    if adoption.unmatched:
        lines.append(f"No existing object matched; the next `up` creates them ({len(adoption.unmatched)}):")
        lines += [f"  {r.label}" for r in adoption.unmatched]
    if snap.secret_notes:
        lines.append(f"Kept as Pulumi secrets, encrypted (the rule of the guardrail policy) ({len(snap.secret_notes)}):")
        lines += [f"  {note}" for note in snap.secret_notes]
    if snap.unrecoverable:
        lines.append(f"Not recoverable ({len(snap.unrecoverable)}):")
        lines += [f"  {note}" for note in snap.unrecoverable]
    if snap.skipped:
        lines.append(f"Left out or worth knowing ({len(snap.skipped)}):")
        lines += [f"  {note}" for note in snap.skipped]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from pulumi import automation as auto

    from balena_pulumi.client import BalenaClient
    from balena_pulumi.engine import EngineNotFound

    project_dir: Path = args.project_dir
    stack: str = args.stack
    if not (project_dir / "Pulumi.yaml").exists():
        print(f"balena-pulumi discover: {project_dir} has no Pulumi.yaml (copy the repository's into it)", file=sys.stderr)
        return 2
    targets = [project_dir / f"Pulumi.{stack}.yaml"]
    if args.format == "python":
        targets.insert(0, project_dir / "__main__.py")
    existing = [str(t) for t in targets if t.exists()]
    if existing and not args.force:
        print(f"balena-pulumi discover: {', '.join(existing)} exists already; nothing written (--force overwrites)",
              file=sys.stderr)
        return 2
    api_url = os.environ.get("BALENA_API_URL", "https://api.balena-cloud.com")
    token = os.environ.get("BALENA_API_KEY") or os.environ.get("BALENA_API_TOKEN")
    if not token:
        print("balena-pulumi discover: set BALENA_API_KEY to a balena API key or session token", file=sys.stderr)
        return 2
    try:
        workspace = StackWorkspace(project_dir, stack, args.state_dir)
        managed = workspace.managed()
        with BalenaClient(api_url, token) as client:
            result = discover(client, args.organization, fleets=args.fleet, managed=managed)
        result.written = write_outputs(result, project_dir=project_dir, stack=stack, fmt=args.format,
                                       protect=not args.no_protect, workspace=workspace)
    except BalenaPulumiError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except EngineNotFound as exc:
        print(f"balena-pulumi discover: {exc}", file=sys.stderr)
        return 1
    except auto.errors.CommandError as exc:
        # The Pulumi CLI refused to open the stack or to set its config (a wrong passphrase, say).
        detail = (getattr(exc, "stderr", None) or str(exc)).strip().splitlines()
        print(f"balena-pulumi discover: the Pulumi CLI failed on stack {stack!r}: {detail[-1] if detail else exc}",
              file=sys.stderr)
        return 1
    print(summary(result, organization=args.organization, stack=stack))
    print("Wrote " + ", ".join(str(p) for p in result.written) + ".")
    if args.format == "yaml":
        print(f"Next: review it, then `balena-pulumi up --stack {stack} --project-dir {project_dir}`.")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "discover",
        help="write the stack config (or a program) that adopts everything an organization holds",
        description="Read everything the token can see in an organization and write the root project's stack "
                    "config, Pulumi.<stack>.yaml, so that the next `balena-pulumi up` adopts every object (no write "
                    "request) instead of creating it. Reads only: discover sends no write to the balena API.",
    )
    p.add_argument("--organization", required=True, metavar="HANDLE", help="handle of the organization to read")
    p.add_argument("--stack", required=True, help="stack name; writes Pulumi.<stack>.yaml")
    p.add_argument("--project-dir", type=Path, default=REPO_ROOT, help="directory with Pulumi.yaml")
    p.add_argument("--state-dir", type=Path, default=DEFAULT_STATE, help="where `balena-pulumi up` keeps state")
    p.add_argument("--fleet", action="extend", nargs="+", metavar="SLUG",
                   help="only these fleets (slug or name; may repeat); organization-wide objects are read all the same")
    p.add_argument("--format", choices=("yaml", "python"), default="yaml",
                   help="yaml: the root project's stack config (default); python: __main__.py with import_ options")
    p.add_argument("--no-protect", action="store_true", help="do not protect adopted resources against deletion")
    p.add_argument("--force", action="store_true", help="overwrite files that exist")
    p.set_defaults(func=run)
