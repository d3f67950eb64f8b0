"""Builds pulumi-policy arguments by hand, the way the analyzer would, and collects violations."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    Secret,
    StackValidationArgs,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import unknown_checking_proxy

from balena_pulumi.resources.tokens import token

NOT_APPLICABLE = "not applicable"
PROVIDER_BLOB = "<dill-pickled provider>"


def urn(kind: str, name: str, stack: str = "dev") -> str:
    return f"urn:pulumi:{stack}::balena-org::{token(kind)}::{name}"


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def resource_args(kind: str, props: Mapping[str, Any], *, name: str = "r", protect: bool = False,
                  config: Optional[Mapping[str, Any]] = None) -> ResourceValidationArgs:
    """Inputs as a validation sees them: dynamic resources carry a __provider blob, secrets stay marked."""
    proxied = unknown_checking_proxy({"__provider": Secret(PROVIDER_BLOB), **props})
    return ResourceValidationArgs(token(kind), proxied, urn(kind, name), name, options(protect), None, config)


def violations(policy, args) -> list[str] | str:
    """The messages a resource policy reports, or NOT_APPLICABLE."""
    found: list[str] = []
    try:
        policy.validate(args, lambda message, urn=None: found.append(message))
    except _NotApplicableError:
        return NOT_APPLICABLE
    return found


def check(policy, kind: str, props: Mapping[str, Any], **kw) -> list[str] | str:
    return violations(policy, resource_args(kind, props, **kw))


class StackBuilder:
    """Stack resources as a stack policy sees them: outputs, options and property dependencies."""

    def __init__(self) -> None:
        self.resources: list[PolicyResource] = []
        self.by_name: dict[str, PolicyResource] = {}

    def add(self, kind: str, name: str, props: Mapping[str, Any], *, protect: bool = False,
            depends: Optional[Mapping[str, str]] = None) -> PolicyResource:
        """``depends`` maps a prop to the name of the resource it was computed from."""
        r = PolicyResource(token(kind), unknown_checking_proxy({"__provider": Secret(PROVIDER_BLOB), **props}),
                           urn(kind, name), name, options(protect), None, None, [], {})
        for prop, dep in (depends or {}).items():
            r.property_dependencies[prop] = [self.by_name[dep]]
            r.dependencies.append(self.by_name[dep])
        self.resources.append(r)
        self.by_name[name] = r
        return r

    def violations(self, policy, config: Optional[Mapping[str, Any]] = None) -> list[tuple[str, str]]:
        """``(resource name or '', message)`` pairs, in report order."""
        names = {r.urn: r.name for r in self.resources}
        found: list[tuple[str, str]] = []
        policy.validate(StackValidationArgs(self.resources, config),
                        lambda message, urn=None: found.append((names.get(urn, ""), message)))
        return found


def every_message(results: Iterable[Any]) -> str:
    return "\n".join(str(r) for r in results)
