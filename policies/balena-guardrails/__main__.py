"""Serves the balena guardrails. The policies live in ../balena_guardrails (put on sys.path here)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from balena_guardrails import ALL_POLICIES, PACK_DESCRIPTION, PACK_NAME, enable_secret_detection  # noqa: E402

enable_secret_detection()
PolicyPack(PACK_NAME, policies=ALL_POLICIES, enforcement_level=EnforcementLevel.ADVISORY, description=PACK_DESCRIPTION)
