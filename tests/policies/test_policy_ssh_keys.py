"""ssh-keys-strong: OpenSSH public keys parse; DSA refused; RSA from minRsaBits; ed25519/ECDSA fine."""

import base64
import struct

import pytest

from balena_guardrails.ssh_keys_strong import parse_public_key, policy
from policy_harness import check


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _mpint(n: int) -> bytes:
    raw = n.to_bytes((n.bit_length() + 8) // 8, "big")  # leading zero byte, as OpenSSH writes it
    return _string(raw)


def key_line(key_type: str, body: bytes = b"", declared: str | None = None) -> str:
    blob = _string(key_type.encode()) + body
    return f"{declared or key_type} {base64.b64encode(blob).decode()} alice@laptop"


def rsa(bits: int) -> str:
    return key_line("ssh-rsa", _mpint(65537) + _mpint((1 << (bits - 1)) | 1))


ED25519 = key_line("ssh-ed25519", _string(bytes(range(32))))


def test_baseline_ed25519_passes():
    assert check(policy, "SshKey", {"title": "alice laptop", "public_key": ED25519}) == []


@pytest.mark.parametrize("line", [
    rsa(3072), rsa(4096),
    key_line("ecdsa-sha2-nistp256", _string(b"nistp256") + _string(b"\x04" + bytes(64))),
])
def test_strong_keys_pass(line):
    assert check(policy, "SshKey", {"title": "t", "public_key": line}) == []


def test_rsa_bits_are_read_from_the_modulus():
    assert parse_public_key(rsa(2048)) == ("ssh-rsa", 2048)


def test_a_short_rsa_key_fails():
    assert check(policy, "SshKey", {"title": "t", "public_key": rsa(2048)}) == [
        "SshKey is a 2048-bit RSA key; at least 3072 bits are required (or use ed25519)."]


def test_the_rsa_minimum_is_configurable():
    assert check(policy, "SshKey", {"title": "t", "public_key": rsa(2048)}, config={"minRsaBits": 2048}) == []


def test_dsa_fails():
    line = key_line("ssh-dss", _mpint(7) * 4)
    assert check(policy, "SshKey", {"title": "t", "public_key": line}) == [
        "SshKey uses DSA (ssh-dss), which is refused; use ed25519."]


@pytest.mark.parametrize("line,why", [
    ("ssh-ed25519", "expected 'TYPE BASE64 [COMMENT]'"),
    ("ssh-ed25519 not*base64", "the key data is not valid base64"),
    ("ssh-rsa " + base64.b64encode(_string(b"ssh-rsa") + b"\x00\x00").decode(), "the key data is truncated"),
    (key_line("ssh-ed25519", _string(bytes(32)), declared="ssh-rsa"),
     "the key data is a ssh-ed25519 key but the line says ssh-rsa"),
])
def test_malformed_keys_are_reported(line, why):
    assert check(policy, "SshKey", {"title": "t", "public_key": line}) == [
        f"SshKey public_key is not a valid OpenSSH public key: {why}."]


def test_an_unknown_key_type_fails():
    assert check(policy, "SshKey", {"title": "t", "public_key": key_line("ssh-foo", b"")}) == [
        "SshKey key type ssh-foo is not an accepted type; use ed25519, ECDSA or RSA >= 3072 bits."]


def test_a_key_from_ssh_keygen_parses(tmp_path):
    import shutil
    import subprocess
    if not shutil.which("ssh-keygen"):
        pytest.skip("ssh-keygen not installed")
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-N", "", "-f", str(tmp_path / "k")], check=True)
    assert parse_public_key((tmp_path / "k.pub").read_text()) == ("ssh-rsa", 3072)
