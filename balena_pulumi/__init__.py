"""balena-pulumi: a balena organization as code.

Layers (see docs/architecture.md): ``client`` speaks the balena API v7 and imports nothing from Pulumi;
``resources`` are Pulumi dynamic resources built on the client; ``sandbox`` is a local balena API server
that imports neither. Resource classes are re-exported here lazily so that ``import balena_pulumi.client``
never pulls in Pulumi.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # `from balena_pulumi import Fleet, FleetEnvVar, ...` without importing Pulumi for client-only users.
    import importlib

    resources = importlib.import_module("balena_pulumi.resources")
    if name in resources.REGISTRY:
        return getattr(resources, name)
    raise AttributeError(f"module 'balena_pulumi' has no attribute {name!r}")
