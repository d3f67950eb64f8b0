"""Which variables look like credentials: the one rule, shared by the guardrail policy and `discover`.

A variable looks like a credential when its name matches one of the name patterns (``TOKEN``,
``SECRET``, ... searched case-insensitively) or its value looks random: at least ``entropy_min_length``
characters with a Shannon entropy of at least ``entropy_threshold`` bits per character. The policy
``credential-variables-must-be-secret`` fails a plaintext value the rule flags; ``balena-pulumi
discover`` writes every value the rule flags as a Pulumi secret.

Standard library only and no other import from this package, so the policy pack (which may import
nothing but ``resources.tokens`` from the rest) and every layer can use it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

DEFAULT_NAME_PATTERNS: tuple[str, ...] = (
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PWD",
    "KEY",
    "CREDENTIAL",
    "PRIVATE",
    "AUTH",
)
DEFAULT_ENTROPY_THRESHOLD = 4.5
DEFAULT_ENTROPY_MIN_LENGTH = 20

NAME_REASON = "has a credential-looking name"
VALUE_REASON = "has a high-entropy value"


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def why_credential(
    name: str,
    value: str | None,
    *,
    name_patterns: Iterable[str] = DEFAULT_NAME_PATTERNS,
    entropy_threshold: float = DEFAULT_ENTROPY_THRESHOLD,
    entropy_min_length: int = DEFAULT_ENTROPY_MIN_LENGTH,
) -> str | None:
    """Why the variable ``name`` = ``value`` looks like a credential (a phrase), or None when it does not.

    ``value`` None means the value is not known (a preview): only the name is judged.
    """
    for pattern in name_patterns:
        if re.search(pattern, name, re.IGNORECASE):
            return NAME_REASON
    if isinstance(value, str) and len(value) >= entropy_min_length and shannon_entropy(value) >= entropy_threshold:
        return VALUE_REASON
    return None


__all__ = [
    "DEFAULT_ENTROPY_MIN_LENGTH",
    "DEFAULT_ENTROPY_THRESHOLD",
    "DEFAULT_NAME_PATTERNS",
    "NAME_REASON",
    "VALUE_REASON",
    "shannon_entropy",
    "why_credential",
]
