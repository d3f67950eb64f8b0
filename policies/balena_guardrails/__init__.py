"""balena guardrail policies for pulumi-policy 1.21.0: one module per policy, ``ALL_POLICIES`` lists them.

Importable without side effects (tests import it); the pack in ``policies/balena-guardrails/`` calls
``enable_secret_detection()`` and builds the ``PolicyPack``. Imports only pulumi_policy, pulumi and
``balena_pulumi.resources.tokens``.
"""

from ._secrets import enable_secret_detection
from .registry import ALL_POLICIES, POLICY_MODULES

PACK_NAME = "balena-guardrails"
PACK_DESCRIPTION = "Guardrails for balena organizations managed with balena-pulumi."

__all__ = ["ALL_POLICIES", "POLICY_MODULES", "PACK_NAME", "PACK_DESCRIPTION", "enable_secret_detection"]
