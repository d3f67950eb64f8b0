"""Connections from a program's process to the Pulumi engine; applied when the resource kinds load."""

from __future__ import annotations

LOCAL_SUBCHANNELS = ("grpc.use_local_subchannel_pool", 1)


def connect_each_engine_afresh() -> None:
    """Give every connection the Python SDK opens to an engine its own gRPC subchannels.

    A process that runs many inline programs one after another (the test suite, a benchmark, a user's
    Automation API script) talks to a new engine each time, on a new loopback port, and the SDK never
    closes the channels of the engines that went away. gRPC shares connections between channels by
    address and remembers a refused connection for its back-off time, so when the kernel hands a new
    engine the port of one that is gone, the program's first call fails at once with "failed to
    connect to all addresses ... Connection refused" although the engine is listening (reproduced in
    tests/test_engine_connections.py). A subchannel pool per channel removes the sharing. Applied once
    per process by appending to the SDK's channel options; a program run by ``pulumi up`` (one engine
    per process) never needed it.
    """
    try:
        from pulumi.runtime import _grpc_settings
    except ImportError:  # another SDK layout: the rare refused first call remains possible
        return
    options = getattr(_grpc_settings, "_GRPC_CHANNEL_OPTIONS", None)
    if isinstance(options, list) and LOCAL_SUBCHANNELS not in options:
        options.append(LOCAL_SUBCHANNELS)


connect_each_engine_afresh()
