"""Lets validations see which inputs are Pulumi secrets.

The engine sends secret inputs to the analyzer wrapped in the secret signature (``KeepSecrets: true``
in ``analyzer.Analyze``/``AnalyzeStack``), but pulumi-policy 1.21.0 deserializes them for
``validate`` with ``proxy_secrets=False``, which unwraps them: a validation sees plaintext and cannot
tell a secret from a plain value. Only ``Remediate`` keeps the marker (as ``pulumi_policy.Secret``).

``enable_secret_detection()`` (called by the pack's ``__main__.py``) swaps the deserializer that
``pulumi_policy.policy`` uses so that validations receive plain dicts and lists whose secret leaves
are ``pulumi_policy.Secret`` instances. Every policy in this package reads props through
``reveal``/``is_secret`` so it works with either shape.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import pulumi_policy.policy as _policy_module
from pulumi_policy.secret import Secret, _DictSecretsProxy, _ListSecretsProxy

_original: Optional[Callable[..., Any]] = None


def is_secret(value: Any) -> bool:
    """True when the value arrived as a Pulumi secret."""
    return isinstance(value, Secret)


def reveal(value: Any) -> Any:
    """The plaintext behind a (possibly nested) secret marker, for reading, never for messages."""
    while isinstance(value, Secret):
        value = value.value
    return value


def _strip_proxies(value: Any) -> Any:
    """Turn pulumi-policy's secrets-preserving proxies back into plain containers, keeping Secret leaves."""
    if isinstance(value, Secret):
        return Secret(_strip_proxies(value.value))
    if isinstance(value, _DictSecretsProxy):
        target = value["__target"]
        return {k: _strip_proxies(target[k]) for k in target}
    if isinstance(value, _ListSecretsProxy):
        target = value["__target"]
        return [_strip_proxies(v) for v in target]
    if isinstance(value, dict):
        return {k: _strip_proxies(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_proxies(v) for v in value]
    return value


def deserialize_keeping_secrets(props: dict, proxy_secrets: bool = False) -> Any:
    """Drop-in for ``pulumi_policy.deserialize.deserialize_properties`` that keeps secret markers.

    With ``proxy_secrets=True`` (the Remediate path) it behaves exactly like the original.
    """
    from pulumi_policy.deserialize import deserialize_properties

    if proxy_secrets:
        return deserialize_properties(props, True)
    return _strip_proxies(deserialize_properties(props, True))


def enable_secret_detection() -> None:
    """Make pulumi-policy hand validations ``Secret``-marked inputs (idempotent)."""
    global _original
    if _original is None:
        _original = _policy_module.deserialize_properties
        _policy_module.deserialize_properties = deserialize_keeping_secrets


def disable_secret_detection() -> None:
    """Undo ``enable_secret_detection`` (for tests)."""
    global _original
    if _original is not None:
        _policy_module.deserialize_properties = _original
        _original = None


def secret_detection_enabled() -> bool:
    return _original is not None
