"""``SshKey``: an SSH public key of the logged-in user (API resource ``user__has__public_key``).

Type token ``pulumi-python:dynamic/balena:SshKey``. Import id: the numeric key id (a conflict message names
it). The API does not check
the key text at all, so it is validated here: an OpenSSH public key line ``TYPE BASE64 [comment]`` whose
decoded blob names the same type. Any change replaces the key (the API's PATCH behaviour on balenaCloud
is unverified); the old key is deleted first, because a user cannot hold the same key twice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import field_validator

from balena_pulumi.client import BalenaClient

from ..base import Args, BalenaProvider, Replacement, resource_props
from ..errors import ResourceError
from ..fields import Change, check_identifier, check_text, field, quote

MAX_PUBLIC_KEY = 2850
OUTPUTS = ("ssh_key_id", "fingerprint")
KEY_TYPES: tuple[str, ...] = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-dss",
)


def parse_public_key(text: str) -> tuple[str, bytes, str | None]:
    """``(type, blob, comment)`` of one OpenSSH public key line, or ``ValueError`` saying which rule failed."""
    line = text.strip()
    if not line:
        raise ValueError("must be an OpenSSH public key line 'TYPE BASE64 [comment]'; got an empty value")
    if "\n" in line or "\r" in line:
        raise ValueError("must be a single OpenSSH public key line; got several lines")
    parts = line.split(None, 2)
    key_type = parts[0]
    if key_type not in KEY_TYPES:
        raise ValueError(f"key type must be one of {', '.join(KEY_TYPES)}; got {quote(key_type[:40])}")
    if len(parts) < 2:
        raise ValueError(f"must be 'TYPE BASE64 [comment]'; the base64 key data after {key_type!r} is missing")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the key data (second word) is not valid base64") from None
    if len(blob) < 4:
        raise ValueError("the key data is too short to be a public key")
    (length,) = struct.unpack(">I", blob[:4])
    embedded = blob[4 : 4 + length]
    if length > len(blob) - 4 or embedded != key_type.encode():
        shown = embedded.decode("ascii", "replace")[:40] if length <= len(blob) - 4 else "(truncated)"
        raise ValueError(f"the key data says its type is {shown!r}, but the line says {key_type!r}")
    if len(blob) == 4 + length:
        raise ValueError("the key data holds a type but no key")
    return key_type, blob, parts[2] if len(parts) > 2 else None


def fingerprint(blob: bytes) -> str:
    """The OpenSSH SHA256 fingerprint (``ssh-keygen -lf``)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


class SshKeyArgs(Args):
    title: str = field("Label of the key, 1 to 120 characters.", change=Change.REPLACE)
    public_key: str = field(
        "One OpenSSH public key line `TYPE BASE64 [comment]` (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521, "
        "sk-* or ssh-dss), at most 2850 characters, stored stripped.",
        change=Change.REPLACE,
    )

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        check_identifier(value, max_length=120)
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("public_key")
    @classmethod
    def _public_key(cls, value: str) -> str:
        check_text(value, max_length=MAX_PUBLIC_KEY)
        parse_public_key(value)
        return value.strip()


def _outputs(key: Any) -> dict[str, Any]:
    _, blob, _ = parse_public_key(key.public_key)
    return {
        "title": key.title,
        "public_key": key.public_key,
        "ssh_key_id": key.id,
        "fingerprint": fingerprint(blob),
    }


class SshKeyProvider(BalenaProvider):
    kind = "SshKey"
    noun = "SSH key"
    args_model = SshKeyArgs
    # A user cannot hold the same public key twice: the old key goes first.
    replacement = Replacement.DELETE_FIRST

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"SshKey {inputs.get('title')!r}"

    def adopt_hint(self, inputs: Mapping[str, Any]) -> str:
        found = self._find(self.client(), str(inputs.get("public_key") or ""))
        if found is None:
            return "adopt it with its numeric id as import id, or delete it first"
        return f"adopt it with import id '{found.id}' (pulumi.ResourceOptions(import_='{found.id}')), or delete it first"

    def _find(self, client: BalenaClient, public_key: str) -> Any:
        wanted = public_key.strip()
        return next((k for k in client.ssh_keys.list() if k.public_key.strip() == wanted), None)

    def find_existing(self, client: BalenaClient, args: Any) -> dict[str, Any] | None:
        found = self._find(client, args.public_key)
        return None if found is None else {**_outputs(found), "__id": found.id}

    def create_object(self, client: BalenaClient, args: SshKeyArgs) -> tuple[str, dict[str, Any]]:
        key = client.ssh_keys.create(args.title, args.public_key)
        return str(key.id), _outputs(key)

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        key = client.ssh_keys.maybe_get(int(id_))
        if key is None:
            return None
        try:
            outs = _outputs(key)
        except ValueError:  # stored by someone else without validation: show it, the next up replaces it
            outs = {"title": key.title, "public_key": key.public_key, "ssh_key_id": key.id, "fingerprint": None}
        outs["__id"] = key.id
        return outs

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: Any) -> dict[str, Any]:
        raise ResourceError(f"{self.describe(olds)}: an SSH key cannot be changed, only replaced")

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        client.ssh_keys.delete(int(id_))


class SshKey(dynamic.Resource, module="balena", name="SshKey"):
    """An SSH public key of the logged-in user. Outputs: ``ssh_key_id``, ``fingerprint`` (SHA256)."""

    title: pulumi.Output[str]
    public_key: pulumi.Output[str]
    ssh_key_id: pulumi.Output[int]
    fingerprint: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        title: pulumi.Input[str],
        public_key: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"title": title, "public_key": public_key}
        super().__init__(SshKeyProvider(), resource_name, resource_props(inputs, OUTPUTS), opts)
