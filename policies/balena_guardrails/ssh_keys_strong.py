"""SSH keys must use a strong algorithm: no DSA, RSA only from a minimum modulus size.

The balena API stores any text as a public key (balena API 5.13), so the key is parsed here: an
OpenSSH public key line is ``TYPE BASE64 [COMMENT]``; the base64 blob is a sequence of
length-prefixed strings starting with the type again, then (for RSA) the exponent and the modulus.
"""

from __future__ import annotations

import base64
import binascii
import struct

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, Severity

from ._common import UNKNOWN, config, kind_of, plain

NAME = "ssh-keys-strong"
DEFAULT_MIN_RSA_BITS = 3072
STRONG_TYPES = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)


class MalformedKey(ValueError):
    pass


def _read_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    if offset + 4 > len(blob):
        raise MalformedKey("the key data is truncated")
    (length,) = struct.unpack(">I", blob[offset:offset + 4])
    end = offset + 4 + length
    if end > len(blob):
        raise MalformedKey("the key data is truncated")
    return blob[offset + 4:end], end


def parse_public_key(line: str) -> tuple[str, int | None]:
    """``(key type, RSA modulus bits or None)`` of an OpenSSH public key line."""
    fields = line.strip().split()
    if len(fields) < 2:
        raise MalformedKey("expected 'TYPE BASE64 [COMMENT]'")
    declared, data = fields[0], fields[1]
    try:
        blob = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedKey("the key data is not valid base64") from None
    key_type, offset = _read_string(blob, 0)
    try:
        key_type_text = key_type.decode("ascii")
    except UnicodeDecodeError:
        raise MalformedKey("the key data does not start with a key type") from None
    if key_type_text != declared:
        raise MalformedKey(f"the key data is a {key_type_text or 'nameless'} key but the line says {declared}")
    if key_type_text == "ssh-rsa":
        _exponent, offset = _read_string(blob, offset)
        modulus, offset = _read_string(blob, offset)
        bits = int.from_bytes(modulus, "big").bit_length()
        if bits == 0:
            raise MalformedKey("the RSA modulus is empty")
        return key_type_text, bits
    return key_type_text, None


def validate(args: ResourceValidationArgs, report) -> None:
    if kind_of(args.resource_type) != "SshKey":
        return
    line = plain(args.props, "public_key")
    if line is UNKNOWN:
        return
    if not isinstance(line, str) or not line.strip():
        report("SshKey public_key is empty.")
        return
    try:
        key_type, bits = parse_public_key(line)
    except MalformedKey as e:
        report(f"SshKey public_key is not a valid OpenSSH public key: {e}.")
        return
    min_bits = int(config(args, "minRsaBits", DEFAULT_MIN_RSA_BITS))
    if key_type == "ssh-dss":
        report("SshKey uses DSA (ssh-dss), which is refused; use ed25519.")
    elif key_type == "ssh-rsa":
        if bits < min_bits:
            report(f"SshKey is a {bits}-bit RSA key; at least {min_bits} bits are required (or use ed25519).")
    elif key_type not in STRONG_TYPES:
        report(f"SshKey key type {key_type} is not an accepted type; use ed25519, ECDSA or RSA >= {min_bits} bits.")


policy = ResourceValidationPolicy(
    name=NAME,
    description="SshKey public keys must parse and be ed25519, ECDSA or RSA of at least the minimum size; DSA is refused.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(properties={
        "minRsaBits": {"type": "integer", "minimum": 1024, "default": DEFAULT_MIN_RSA_BITS,
                       "description": "Smallest accepted RSA modulus, in bits."},
    }),
    remediation_steps="Generate a new key with `ssh-keygen -t ed25519` and replace the SshKey.",
    tags=["credentials", "ssh"],
)
