"""A process that runs one inline program after another must reach each new engine on its first call.

The e2e suite, the benchmarks and ``balena-pulumi discover`` run many stacks in one Python process; each
run's engine listens on a new loopback port and the SDK keeps the channels to the engines that are gone.
When the kernel gave a new engine the port of a gone one, gRPC's shared subchannel still held the refused
connection and the program failed with "Connection refused" although the engine was listening (one test
in about two thousand stacks, a different one each full run). These tests replay that on one port.
"""

from __future__ import annotations

import socket
from concurrent import futures

import grpc
import pytest
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc
from pulumi.runtime.settings import Settings

from balena_pulumi import Fleet  # noqa: F401  (the resource kinds apply connect_each_engine_afresh on import)


class _Engine(engine_pb2_grpc.EngineServicer):
    def GetRootResource(self, request, context):  # noqa: N802 (gRPC method name)
        return engine_pb2.GetRootResourceResponse(urn="urn:pulumi:test::p::pulumi:pulumi:Stack::p-test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def reused_port():
    """A port a gone engine used (a call to it was refused), and a function that starts a new engine there."""
    port = _free_port()
    servers = []

    def start_engine():
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(_Engine(), server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        server.start()
        servers.append(server)

    yield port, start_engine
    for server in servers:
        server.stop(None)


def _root(stub) -> str:
    return stub.GetRootResource(engine_pb2.GetRootResourceRequest(), timeout=5).urn


def test_grpc_remembers_a_refused_connection_for_every_channel_to_that_address(reused_port):
    # The premise of the fix: plain channels share the refused subchannel. If gRPC stops doing this,
    # this test fails and connect_each_engine_afresh can go.
    port, start_engine = reused_port
    gone = engine_pb2_grpc.EngineStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
    with pytest.raises(grpc.RpcError):
        _root(gone)
    start_engine()
    fresh = engine_pb2_grpc.EngineStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
    with pytest.raises(grpc.RpcError) as refused:
        _root(fresh)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "Connection refused" in refused.value.details()


def test_the_sdk_reaches_a_new_engine_on_the_port_of_a_gone_one(reused_port):
    port, start_engine = reused_port
    gone = Settings(project="p", stack="test", engine=f"127.0.0.1:{port}")
    with pytest.raises(grpc.RpcError):
        _root(gone.engine)
    start_engine()
    new = Settings(project="p", stack="test", engine=f"127.0.0.1:{port}")
    assert _root(new.engine) == "urn:pulumi:test::p::pulumi:pulumi:Stack::p-test"
