"""Helpers shared by the guardrail policies: kinds, props, config, production stacks, parents.

Nothing here reads a value into a message: callers decide what a message may show.
"""

from __future__ import annotations

import os
import re
from typing import Any, Iterable, Mapping, Optional

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from balena_pulumi.resources.tokens import KINDS, TOKEN_PREFIX

from ._secrets import reveal

UNKNOWN = object()
"""Returned by ``peek`` for a value not known during preview."""


def kind_of(resource_type: str) -> Optional[str]:
    """The balena kind of a type token (``pulumi-python:dynamic/balena:Fleet`` -> ``Fleet``), else None."""
    if resource_type.startswith(TOKEN_PREFIX):
        kind = resource_type[len(TOKEN_PREFIX):]
        if kind in KINDS:
            return kind
    return None


def peek(props: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A prop's raw value (secret marker kept), ``default`` when absent, ``UNKNOWN`` during preview."""
    try:
        if key not in props:
            return default
        return props[key]
    except UnknownValueError:
        return UNKNOWN


def plain(props: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A prop's plaintext value (secret marker removed), or ``default``/``UNKNOWN``."""
    value = reveal(peek(props, key, default))
    return value


def config(args: Any, key: str, default: Any) -> Any:
    """A policy config value; pulumi-policy passes only what the user set, so defaults live here."""
    cfg = args.get_config() or {}
    value = cfg.get(key)
    return default if value is None else value


# ---------------------------------------------------------------------------------------------
# Production stacks

DEFAULT_PRODUCTION_PATTERNS = [r"(^|[^a-z])prod(uction)?([^a-z]|$)"]

PRODUCTION_CONFIG_SCHEMA = {
    "production": {
        "type": "boolean",
        "description": "Force the stack to count as production (true) or not (false); unset: decide by stack name.",
    },
    "productionStackPatterns": {
        "type": "array",
        "items": {"type": "string"},
        "default": DEFAULT_PRODUCTION_PATTERNS,
        "description": "Case-insensitive regular expressions; a stack whose name matches one is production.",
    },
}


def current_stack() -> Optional[str]:
    """The stack being previewed, from ``PULUMI_STACK``.

    The engine sets it for the analyzer and pulumi-policy configures ``pulumi.get_stack()`` from the
    same variable, so reading it directly gives the same answer without importing the Pulumi SDK
    (policies import only pulumi_policy and the type tokens, docs/architecture.md).
    """
    return os.environ.get("PULUMI_STACK") or None


def production_stack(args: Any) -> tuple[bool, str]:
    """Whether this is a production stack, and a short reason for not-applicable reports."""
    override = config(args, "production", None)
    stack = current_stack()
    if override is not None:
        return bool(override), f"production is set to {str(bool(override)).lower()} in the policy config"
    if not stack:
        return False, "the stack name is unknown"
    for pattern in config(args, "productionStackPatterns", DEFAULT_PRODUCTION_PATTERNS):
        if re.search(pattern, stack, re.IGNORECASE):
            return True, f"stack {stack} matches {pattern}"
    return False, f"stack {stack} is not a production stack"


# ---------------------------------------------------------------------------------------------
# Parents (fleets and devices) in stack policies


def fleet_slug(fleet: PolicyResource) -> Any:
    """A Fleet's slug: its ``slug`` output, else ``organization/name`` from its inputs, lower case."""
    slug = plain(fleet.props, "slug")
    if isinstance(slug, str) and slug:
        return slug.lower()
    org = plain(fleet.props, "organization")
    name = plain(fleet.props, "name")
    if isinstance(org, str) and isinstance(name, str):
        return f"{org}/{name}".lower()
    return UNKNOWN


def parent_key(resource: PolicyResource, prop: str) -> Optional[str]:
    """Identity of the parent a resource names in ``prop`` (``fleet`` or ``device``).

    When the prop was computed from another balena resource (its property dependencies name a
    Fleet), that Fleet's slug is used, or its URN while the slug is unknown; otherwise the prop's
    own value, lower-cased (slugs and uuids are lower case). None when nothing is known.
    """
    for dep in resource.property_dependencies.get(prop, []) or []:
        if kind_of(dep.resource_type) == "Fleet":
            slug = fleet_slug(dep)
            return dep.urn if slug is UNKNOWN else slug
    value = plain(resource.props, prop)
    if isinstance(value, str) and value:
        return value.lower()
    return None


def of_kind(resources: Iterable[PolicyResource], *kinds: str) -> list[PolicyResource]:
    return [r for r in resources if kind_of(r.resource_type) in kinds]


def shown(props: Mapping[str, Any], key: str, default: Any = None) -> str:
    """A prop's value for a message: ``[secret]`` when it arrived as a secret."""
    from ._secrets import is_secret

    raw = peek(props, key, default)
    return "[secret]" if is_secret(raw) else str(reveal(raw))
