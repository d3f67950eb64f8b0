"""The two outputs of discover: the root project's stack config (YAML) and an equivalent Python program.

Both are deterministic: discovering an unchanged organization twice gives the same text (only the
ciphertexts of secret values differ, which the Pulumi CLI writes). Secret values never pass through here:
the YAML gets the ``secure:`` entries the CLI wrote, the program reads its values from the secret config.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from balena_pulumi.program import NAMESPACE
from balena_pulumi.resources import provider_class, tokens

from .adopt import Adoption
from .plan import Record

CONFIG_ORDER = (
    "organization",
    "organizationName",
    "members",
    "invites",
    "apiKeys",
    "sshKeys",
    "fleets",
    "devices",
    "secrets",
    "adopt",
)


def _comment(lines: Iterable[str]) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def header(organization: str, *, protect: bool, has_secrets: bool, python: bool = False) -> list[str]:
    lines = [f"Organization {organization} as `balena-pulumi discover` found it. Every object here exists already:"]
    if python:
        lines.append("each resource adopts its object with `import_`, so the first `pulumi up` writes nothing.")
    else:
        lines.append(f"{NAMESPACE}:adopt names the import id that adopts each resource, so the next")
        lines.append("`balena-pulumi up` adopts them all and writes nothing.")
    if protect:
        lines.append("Adopted resources are protected: Pulumi refuses to delete them until they are unprotected.")
    if has_secrets:
        where = "`secrets`" if python else f"{NAMESPACE}:secrets"
        lines.append(f"Credential-looking variable values are Pulumi secrets in {where} (encrypted).")
    lines.append("API key and provisioning key values are never readable from the API: those keys are adopted")
    lines.append("by their metadata and have no `key` output. See docs/adopt.md.")
    return lines


def stack_file(
    config: Mapping[str, Any],
    *,
    salt: str | None,
    secure_secrets: Any,
    adoption: Adoption | None,
    organization: str,
    protect: bool,
) -> str:
    """``Pulumi.<stack>.yaml`` for the root project: the config, the encrypted secrets, the adopt section."""
    full = dict(config)
    if secure_secrets:
        full["secrets"] = secure_secrets
    if adoption is not None and adoption.resources:
        full["adopt"] = {"organization": organization, "protect": protect, "resources": adoption.resources}
    ordered = {f"{NAMESPACE}:{key}": full[key] for key in CONFIG_ORDER if key in full}
    document: dict[str, Any] = {}
    if salt:
        document["encryptionsalt"] = salt
    document["config"] = ordered
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
    return _comment(header(organization, protect=protect, has_secrets=bool(secure_secrets))) + body


# -- the Python program ----------------------------------------------------------------------------


def _identifier(prefix: str, name: str, taken: set[str]) -> str:
    base = re.sub(r"[^0-9a-zA-Z_]+", "_", f"{prefix}_{name}").strip("_").lower() or prefix
    if base[0].isdigit() or keyword.iskeyword(base):
        base = f"_{base}"
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}_{n}", n + 1
    taken.add(ident)
    return ident


def _secret_paths(secrets: Mapping[str, Any], path: tuple[str, ...] = ()) -> dict[tuple[str, str], tuple[str, ...]]:
    """(name, value) -> path in the secret config of every secret value."""
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for key, value in secrets.items():
        if isinstance(value, Mapping):
            found.update(_secret_paths(value, (*path, str(key))))
        else:
            found[(str(key), str(value))] = (*path, str(key))
    return found


def _py(value: Any) -> str:
    """A Python literal, strings in double quotes (JSON string escapes are Python escapes too)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


class _Code:
    """Python source for input values: literals, parent references and secret lookups."""

    def __init__(self, secret_paths: Mapping[tuple[str, str], tuple[str, ...]]) -> None:
        self.secret_paths = secret_paths

    def secret(self, name: str, value: Any) -> str | None:
        path = self.secret_paths.get((name, value)) if isinstance(value, str) else None
        return None if path is None else "secret(" + ", ".join(_py(p) for p in path) + ")"

    def value(self, value: Any, indent: str) -> str:
        if isinstance(value, Mapping):
            entries = []
            secret = False
            for k, v in value.items():
                code = self.secret(str(k), v)
                secret = secret or code is not None
                entries.append(f"{indent}    {_py(k)}: {code or self.value(v, indent + '    ')},")
            text = "{\n" + "\n".join(entries) + f"\n{indent}}}" if entries else "{}"
            return f"pulumi.Output.secret({text})" if secret else text
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(self.value(v, indent) for v in value) + "]"
        return _py(value)


def program_file(
    records: list[Record],
    adoption: Adoption,
    secrets: Mapping[str, Any],
    *,
    organization: str,
    protect: bool,
) -> str:
    """A Pulumi program declaring every resource of ``records``, each adopting its object with ``import_``."""
    code = _Code(_secret_paths(secrets))
    kinds = sorted({r.kind for r in records})
    # Parents first (the organization, then fleets), so children can refer to their outputs.
    rank = {"Organization": 0, "Fleet": 1}
    ordered = sorted(enumerate(records), key=lambda pair: (rank.get(pair[1].kind, 2), pair[0]))
    taken: set[str] = {"secret", "adopted", "pulumi"}
    parents: dict[tuple[str, str], str] = {}  # (parent kind in lower case, natural key) -> reference
    lines = ['"""' + header(organization, protect=protect, has_secrets=bool(secrets), python=True)[0]]
    lines += header(organization, protect=protect, has_secrets=bool(secrets), python=True)[1:]
    lines += ['"""', "", "import pulumi", "", "from balena_pulumi import ("]
    lines += [f"    {kind}," for kind in kinds]
    lines += [")", ""]
    if secrets:
        lines += [
            '_SECRETS = pulumi.Config().require_secret_object("secrets")',
            "",
            "",
            "def secret(*path: str) -> pulumi.Output:",
            '    """The value at ``path`` in the secret config object ``secrets``."""',
            "",
            "    def pick(tree):",
            "        for part in path:",
            "            tree = tree[part]",
            "        return tree",
            "",
            "    return _SECRETS.apply(pick)",
            "",
        ]
    lines += [
        "",
        "def adopted(import_id: str) -> pulumi.ResourceOptions:",
        '    """Adopt the existing object with this import id' + (', and protect it."""' if protect else '."""'),
        f"    return pulumi.ResourceOptions(import_=import_id{', protect=True' if protect else ''})",
        "",
        "",
    ]
    for _, record in ordered:
        provider = provider_class(record.kind)()
        args = [_py(record.name)]
        for name, value in record.inputs.items():
            if value is None:
                continue
            parent = provider.parents.get(name)
            ref = parents.get((parent[0], value)) if parent and isinstance(value, str) else None
            if ref is None and record.kind in tokens.VARIABLE_KINDS and name == "value":
                ref = code.secret(str(record.inputs.get("name")), value)
            args.append(f"{name}={ref or code.value(value, '    ')}")
        import_id = adoption.resources.get(record.kind, {}).get(record.name)
        if import_id is not None:
            args.append(f"opts=adopted({_py(import_id)})")
        call = f"{record.kind}(\n" + "".join(f"    {a},\n" for a in args) + ")"
        key_part = provider.import_id.parts[0] if provider.import_id and len(provider.import_id.parts) == 1 else None
        if record.kind in rank and record.natural_key and key_part:
            prefix = "org" if record.kind == "Organization" else record.kind.lower()
            ident = _identifier(prefix, record.natural_key.rsplit("/", 1)[-1], taken)
            parents[(record.kind.lower(), record.natural_key)] = f"{ident}.{key_part}"
            lines.append(f"{ident} = {call}")
        else:
            lines.append(call)
    return "\n".join(lines) + "\n"
