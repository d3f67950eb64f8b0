"""The Python dynamic-provider host, with `import_` support for balena resources.

Pulumi runs every Python dynamic resource through one plugin, `pulumi-resource-pulumi-python`, which
starts the SDK's provider server (`python -m pulumi.dynamic`). That server finds the provider to call by
unpickling the `__provider` property of the request. When a program adopts an existing object with
`ResourceOptions(import_=ID)`, the engine's first call is a `Read` carrying only the id, with no
properties and no inputs (pulumi/pulumi#16175, still so in 3.274), so the stock server fails with
`Exception calling application: '__provider'` before any provider code runs.

This host runs the SDK's own server unchanged and fills that one gap: for an import `Read` of a type
`pulumi-python:dynamic/balena:<Kind>` it supplies the serialized provider of that kind, exactly what the
program's resource would have sent. Every other request, and every request for a type that is not
ours, reaches the SDK server untouched.

Two ways in, both on PATH ahead of the CLI's own copy (the engine looks on PATH first):
- the console script `pulumi-resource-pulumi-python` this package installs into its environment;
- `tools/pulumi/pulumi-resource-pulumi-python`, which `tools/pulumi/build.sh` puts beside the CLI.
"""

from __future__ import annotations

import importlib
import runpy
from typing import Any

TYPE_PREFIX = "pulumi-python:dynamic/balena:"
PROVIDER_KEY = "__provider"


def resource_type(urn: str) -> str:
    """The type token of a URN (`urn:pulumi:STACK::PROJECT::[PARENT$]TYPE::NAME`), without parents."""
    parts = urn.split("::")
    if len(parts) < 4:
        return ""
    return parts[2].rsplit("$", 1)[-1]


def serialized_provider(kind: str) -> str | None:
    """The `__provider` value a program sends for a balena kind, or None for an unknown kind."""
    from pulumi.dynamic.dynamic import serialize_provider

    from balena_pulumi.resources import REGISTRY

    module = REGISTRY.get(kind)
    if module is None:
        return None
    provider_class = getattr(importlib.import_module(f"balena_pulumi.resources.{module}"), f"{kind}Provider")
    return serialize_provider(provider_class())


def secret_properties(kind: str) -> frozenset[str]:
    """Inputs of a balena kind that may hold a secret (declared with ``fields.field(secret=True)``)."""
    from balena_pulumi.resources import REGISTRY, provider_class
    from balena_pulumi.resources.fields import secret_fields

    if kind not in REGISTRY:
        return frozenset()
    return secret_fields(provider_class(kind).args_model)


# The engine's marker for a secret value in a protobuf Struct (the SDK's ``rpc`` module writes the same).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def mark_secret(struct: Any, name: str) -> None:
    """Wrap the property ``name`` of a protobuf Struct in the engine's secret marker (if present and plain)."""
    if name not in struct.fields:
        return
    value = struct.fields[name]
    if value.HasField("struct_value") and value.struct_value.fields.get(SIG_KEY) is not None:
        return  # already a secret
    from google.protobuf import struct_pb2

    wrapper = struct_pb2.Struct()
    wrapper.fields[SIG_KEY].string_value = SECRET_SIG
    wrapper.fields["value"].CopyFrom(value)
    struct.fields[name].struct_value.CopyFrom(wrapper)


def is_import_read(request: Any) -> bool:
    """A Read with an id but neither prior state nor inputs: what the engine sends for `import_`."""
    return bool(request.id) and not request.properties.fields and not request.inputs.fields


class ImportingServicer:
    """Wraps the SDK's provider servicer; only an import Read of a balena type is changed."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def Read(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method name)
        rtype = resource_type(request.urn)
        if not (is_import_read(request) and rtype.startswith(TYPE_PREFIX)):
            return self._inner.Read(request, context)
        blob = serialized_provider(rtype[len(TYPE_PREFIX) :])
        if blob is None:
            return self._inner.Read(request, context)
        patched = type(request)()
        patched.CopyFrom(request)
        patched.properties[PROVIDER_KEY] = blob
        response = self._inner.Read(patched, context)
        if not response.id:
            # The object does not exist. The SDK still returns the provider blob as properties, which the
            # engine would take for a provider that cannot import; an empty response makes it say that
            # the resource with this id does not exist.
            return type(response)()
        # The engine keeps what an import reads as the resource's state, without looking at the program's
        # inputs: a value the program passes as a secret would stay in the state in plaintext until the
        # next `up`. The import cannot know which values are secret, so every input that may hold one (the
        # kind declares it) is kept as a secret; the next `up` takes the program's own inputs.
        for name in secret_properties(rtype[len(TYPE_PREFIX) :]):
            mark_secret(response.properties, name)
            mark_secret(response.inputs, name)
        return response


def main() -> None:
    """Start the SDK's dynamic provider server with the import-aware servicer."""
    from pulumi.runtime.proto import provider_pb2_grpc

    register = provider_pb2_grpc.add_ResourceProviderServicer_to_server

    def register_wrapped(servicer: Any, server: Any) -> None:
        register(ImportingServicer(servicer), server)

    # The SDK's server module registers its servicer through this function when it runs.
    provider_pb2_grpc.add_ResourceProviderServicer_to_server = register_wrapped
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
