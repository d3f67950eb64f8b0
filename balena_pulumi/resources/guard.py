"""The duplicate-management guard: one object (a variable name, a tag key) is managed by one resource only.

Two resources of one stack that manage the same object overwrite each other on every ``pulumi up``. Each
resource claims what it manages when the program registers it (:func:`claim`); a second claim on the same
object fails the program with :class:`DuplicateManagementError`, naming both resources, before any
request. A single kind and the bulk kind over the same API resource (``FleetEnvVar`` and
``FleetEnvVars``, ``FleetTag`` and ``FleetTags``) claim in one family, so they are caught together. Claims are kept per program run (keyed by the run's root stack resource), so inline programs run
again in one process (the Automation API) start afresh.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import pulumi

from .errors import ProgramError

_Key = tuple[str, tuple[str, ...], str]
_CLAIMS: "weakref.WeakKeyDictionary[Any, dict[_Key, str]]" = weakref.WeakKeyDictionary()
_GLOBAL_CLAIMS: dict[_Key, str] = {}


class DuplicateManagementError(ProgramError):
    """Two resources of one stack manage the same object."""

    def __init__(self, detail: str) -> None:
        super().__init__("two resources manage one object:", detail)


def _claims_of_run(root: Any) -> dict[_Key, str]:
    if root is None:
        return _GLOBAL_CLAIMS
    claims = _CLAIMS.get(root)
    if claims is None:
        claims = _CLAIMS[root] = {}
    return claims


def _register(root: Any, family: str, label: str, owner: str, parent: tuple[str, ...], names: Iterable[str]) -> None:
    claims = _claims_of_run(root)
    parent_key = tuple(str(p).strip().lower() for p in parent)
    for name in names:
        key = (family, parent_key, name)
        holder = claims.get(key)
        if holder is not None and holder != owner:
            raise DuplicateManagementError(
                f"{holder} and {owner} both manage the {label} {name} of {':'.join(parent_key)}; "
                "it must be managed by one resource only, or the two overwrite each other on every "
                "`pulumi up` (keep it in one of them)"
            )
        claims[key] = owner


def claim(family: str, label: str, owner: str, parents: Mapping[str, Any], names: Any) -> dict[str, Any]:
    """Record that ``owner`` manages ``names`` under ``parents`` in this program run.

    Raises :class:`DuplicateManagementError` at once when every value is plain. With Output inputs the
    check runs when they resolve, and the first parent input is routed through it, so the second
    resource never registers: the program fails with the error instead of two resources fighting.
    Returns the parent inputs to pass on (the first one possibly wrapped).
    """
    root = pulumi.runtime.get_root_resource()
    values = list(parents.values())
    plain = all(isinstance(v, str) for v in values) and not isinstance(names, pulumi.Output)
    if plain and isinstance(names, (list, tuple)):
        plain = all(isinstance(n, str) for n in names)
    if plain:
        _register(root, family, label, owner, tuple(values), names)
        return dict(parents)

    names_output = pulumi.Output.unsecret(pulumi.Output.from_input(names).apply(lambda ns: sorted(ns)))
    first = next(iter(parents))

    def check(resolved: list[Any]) -> Any:
        *parent_values, resolved_names = resolved
        _register(root, family, label, owner, tuple(parent_values), resolved_names)
        return parent_values[0]

    routed = pulumi.Output.all(*(pulumi.Output.from_input(v) for v in values), names_output).apply(check)
    if not isinstance(parents[first], pulumi.Output):
        # A plain parent input stays plain even when another parent input is a secret.
        routed = pulumi.Output.unsecret(routed)
    return {**parents, first: routed}


def claim_inputs(
    family: str, label: str, owner: str, inputs: Mapping[str, Any], parent_names: Iterable[str], names: Any
) -> dict[str, Any]:
    """:func:`claim` for a resource's inputs: the parents are the given ``parent_names`` that are set (a
    numeric parent such as ``release_id`` counts by its text); returns the inputs with the first parent
    routed through the check."""
    parents = {k: inputs[k] for k in parent_names if inputs.get(k) is not None}
    if not parents:
        return dict(inputs)  # no parent named: the check of the inputs fails before anything is written
    claimed = {k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in parents.items()}
    routed = claim(family, label, owner, claimed, names)
    first = next(iter(parents))
    return {**inputs, first: routed[first]}


def names_of(entries: Any) -> Any:
    """The names of a map input (plain list when the map is plain, else an Output)."""
    if isinstance(entries, Mapping):
        return sorted(entries)
    return pulumi.Output.from_input(entries).apply(lambda v: sorted(v or {}))


def one_name(name: Any) -> Any:
    """A single name as the list :func:`claim` takes."""
    return [name] if isinstance(name, str) else pulumi.Output.from_input(name).apply(lambda n: [n])


__all__ = ["DuplicateManagementError", "claim", "claim_inputs", "names_of", "one_name"]
