"""The provider host at the servicer level: the SDK's real servicer, a real provider, requests as the engine
builds them. What the engine does with the answers is checked on the real engine in
tests/e2e/test_provider_host.py.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import itertools
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import dill
import grpc
import pytest
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from balena_pulumi import provider_context
from balena_pulumi.client.errors import OutcomeUnknown, TransportError
from balena_pulumi.errors import BalenaPulumiError, PartialFailure
from balena_pulumi.provider_host import (
    MIN_WORKERS,
    CreateJournal,
    EngineWatchdog,
    HostServicer,
    engine_address,
    engine_parallelism,
    resource_type,
    sdk_servicer,
    worker_count,
)
from balena_pulumi import resources

# Wherever the kind's module lives (the registry says), as the host itself finds it.
FleetProvider = getattr(importlib.import_module(f"balena_pulumi.resources.{resources.REGISTRY['Fleet']}"), "FleetProvider")

FLEET_URN = "urn:pulumi:dev::org::pulumi-python:dynamic/balena:Fleet::gateways"
PROBE_URN = "urn:pulumi:dev::org::pulumi-python:dynamic/balena:Probe::p"


# -- a provider whose behaviour the request chooses ----------------------------------------------------

SEEN: list[tuple[str, provider_context.CallContext | None]] = []
WORLD: dict[str, dict] = {}  # id -> the object's fields, standing in for the API
IDS = itertools.count(1)


class ProbeProvider(ResourceProvider):
    def check(self, olds, news):
        SEEN.append(("check", provider_context.current()))
        return CheckResult(news, [])

    def create(self, props):
        SEEN.append(("create", provider_context.current()))
        mode = props.get("mode")
        if mode == "refused":
            raise BalenaPulumiError("Probe 'p': the API refused to create a fleet tag: this login may not")
        if mode == "unknown":
            raise OutcomeUnknown(cause=TransportError("connection closed before an answer", method="POST", path="/x"))
        if mode == "bug":
            raise ValueError(f"cannot use {props['secret']} with {props['mode']}")
        id_ = str(next(IDS))
        WORLD[id_] = {k: v for k, v in props.items() if k != "__provider"}
        return CreateResult(id_, {**props, "made": id_})

    def read(self, id_, props):
        SEEN.append(("read", provider_context.current()))
        if id_ not in WORLD:
            return ReadResult(None, {})
        return ReadResult(id_, {**WORLD[id_], "made": id_})

    def diff(self, id_, olds, news):
        changed = [k for k in news if k not in ("__provider", "made") and olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=[k for k in changed if k == "name"])

    def update(self, id_, olds, news):
        SEEN.append(("update", provider_context.current()))
        WORLD[id_] = {k: v for k, v in news.items() if k != "__provider"}
        return UpdateResult({**news, "made": id_})


class PredictingProvider(ProbeProvider):
    def create(self, props):
        raise AssertionError("a preview must never reach create")

    def update(self, id_, olds, news):
        raise AssertionError("a preview must never reach update")

    def preview_create(self, props):
        SEEN.append(("preview_create", provider_context.current()))
        return {**props, "slug": f"acme/{props['name'].lower()}", "made": provider_context.UNKNOWN}

    def preview_update(self, id_, olds, news):
        SEEN.append(("preview_update", provider_context.current()))
        assert isinstance(news["later"], Unknown)
        return {**news, "slug": f"acme/{news['name'].lower()}", "made": olds["made"]}


class RecoveringProvider(ProbeProvider):
    def recover_create(self, props):
        SEEN.append(("recover_create", provider_context.current()))
        for id_, fields in WORLD.items():
            if fields == props:
                return id_, {**props, "made": id_}
        return None


class PartialProvider(ProbeProvider):
    """Writes part of what it was asked, as a bulk resource whose other writes failed."""

    def create(self, props):
        raise PartialFailure("Probe 'p': create failed part way (1 of 2 entries exist)", id="41",
                             outputs={"entries": {"a": "1"}, "ids": {"a": 7}})

    def update(self, id_, olds, news):
        raise PartialFailure("Probe 'p': update failed part way", id=id_, outputs={"entries": {"a": "2"}})

    def diff(self, id_, olds, news):
        result = DiffResult(changes=True, replaces=[])
        result.detailed_diff = {"entries.a": "UPDATE", 'entries["b.c"]': "ADD", "entries.gone": "DELETE", "name": "UPDATE_REPLACE"}
        return result


class UnsettledProvider(ProbeProvider):
    """A recovery that cannot look (the API unreachable), then one that finds a conflict."""

    def recover_create(self, props):
        SEEN.append(("recover_create", provider_context.current()))
        if props.get("name") == "unreachable":
            raise BalenaPulumiError("Probe p: looking it up failed") from OutcomeUnknown(cause=TransportError("down"))
        raise BalenaPulumiError("Probe p: it now exists with other values")


class Aborted(Exception):
    pass


class Context:
    """The parts of grpc.ServicerContext the host uses."""

    def __init__(self, active: bool = True) -> None:
        self.status: tuple[grpc.StatusCode, str] | None = None
        self._code = None
        self.active = active

    def abort(self, code, details):
        self.status = (code, details)
        raise Aborted(details)

    def abort_with_status(self, status):
        self.status = (status.code, status.details)
        self.trailing_metadata = status.trailing_metadata
        raise Aborted(status.details)

    def set_code(self, code):
        self._code = code

    def set_details(self, details):
        self.details = details

    def code(self):
        return self._code

    def is_active(self):
        return self.active


@pytest.fixture(autouse=True)
def fresh_world():
    global IDS
    SEEN.clear()
    WORLD.clear()
    IDS = itertools.count(1)
    yield


@pytest.fixture
def journal(tmp_path):
    return CreateJournal(tmp_path / "journal")


@pytest.fixture
def host(journal):
    return HostServicer(sdk_servicer(), journal=journal)


def create_request(provider=None, urn=PROBE_URN, preview=False, **props) -> provider_pb2.CreateRequest:
    request = provider_pb2.CreateRequest(urn=urn, name=urn.rsplit("::", 1)[-1], preview=preview)
    request.properties.update({"__provider": serialize_provider(provider or ProbeProvider()), **props})
    return request


def called(name: str) -> list[provider_context.CallContext | None]:
    return [ctx for what, ctx in SEEN if what == name]


# -- import_ -------------------------------------------------------------------------------------------


class Recorder:
    def __init__(self, response_id: str = "7") -> None:
        self.requests: list = []
        self.response_id = response_id

    def Read(self, request, context):  # noqa: N802
        self.requests.append(request)
        response = provider_pb2.ReadResponse(id=self.response_id)
        response.properties["__provider"] = "blob"
        return response


def test_resource_type_is_the_last_component_of_the_qualified_type():
    assert resource_type(FLEET_URN) == "pulumi-python:dynamic/balena:Fleet"
    nested = "urn:pulumi:dev::org::my:Component$pulumi-python:dynamic/balena:FleetTag::owner"
    assert resource_type(nested) == "pulumi-python:dynamic/balena:FleetTag"
    assert resource_type("not-a-urn") == ""


def test_an_import_read_of_a_balena_type_carries_that_kinds_provider():
    inner = Recorder()
    HostServicer(inner).Read(provider_pb2.ReadRequest(id="acme/gateways", urn=FLEET_URN), Context())
    [sent] = inner.requests
    provider = dill.loads(base64.b64decode(sent.properties["__provider"]))
    assert type(provider) is FleetProvider
    assert sent.id == "acme/gateways" and sent.urn == FLEET_URN


def test_a_refresh_read_and_other_types_pass_through_unchanged():
    inner = Recorder()
    host = HostServicer(inner)
    refresh = provider_pb2.ReadRequest(id="7", urn=FLEET_URN)
    refresh.properties["__provider"] = "their-own-blob"
    host.Read(refresh, Context())
    other = provider_pb2.ReadRequest(id="x", urn="urn:pulumi:dev::org::pulumi-python:dynamic:Resource::thing")
    host.Read(other, Context())
    assert inner.requests == [refresh, other]


def test_an_import_of_a_missing_object_answers_with_no_properties_so_the_engine_says_it_does_not_exist():
    response = HostServicer(Recorder(response_id="")).Read(
        provider_pb2.ReadRequest(id="acme/gone", urn=FLEET_URN), Context()
    )
    assert response.id == "" and not response.properties.fields


# -- errors --------------------------------------------------------------------------------------------


def test_a_package_error_reaches_the_engine_as_its_message_only(host):
    context = Context()
    with pytest.raises(Aborted):
        host.Create(create_request(mode="refused"), context)
    assert context.status == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "create failed:\nProbe 'p': the API refused to create a fleet tag: this login may not",
    )


def test_an_unknown_outcome_is_reported_with_the_unknown_status(host):
    context = Context()
    with pytest.raises(Aborted):
        host.Create(create_request(mode="unknown"), context)
    code, message = context.status
    assert code == grpc.StatusCode.UNKNOWN
    assert message.startswith("create failed:\nPOST /x -> outcome unknown (connection closed before an answer)")


def test_a_bug_is_reported_with_its_type_and_place_and_without_any_value(host):
    configure = provider_pb2.ConfigureRequest()
    configure.variables["balena:apiToken"] = "tok-3141592653"
    host.Configure(configure, Context())
    context = Context()
    with pytest.raises(Aborted):
        host.Create(create_request(mode="bug", secret="hunter2-tok-3141592653"), context)
    code, message = context.status
    assert code == grpc.StatusCode.INTERNAL
    source, first = inspect.getsourcelines(ProbeProvider.create)
    line = first + next(i for i, text in enumerate(source) if "raise ValueError" in text)
    assert message == (
        "create failed:\nProbe 'p': unexpected error in Create (ValueError: cannot use [value of secret] with [value of mode]) at "
        f"resources/test_provider_host.py:{line} in create; this is a bug in balena-pulumi, please report it "
        "with this message"
    )
    assert "hunter2" not in message and "3141592653" not in message


def init_failure(context: Context) -> provider_pb2.ErrorResourceInitFailed:
    """The ErrorResourceInitFailed detail of an aborted call, decoded as the engine decodes it."""
    from google.rpc import status_pb2

    [(name, value)] = context.trailing_metadata
    assert name == "grpc-status-details-bin"
    status = status_pb2.Status.FromString(value)
    [detail] = status.details
    found = provider_pb2.ErrorResourceInitFailed()
    assert detail.Unpack(found)
    return found


def test_a_partial_create_tells_the_engine_what_exists_with_the_error(host, journal):
    context = Context()
    request = create_request(PartialProvider(), mode="ok")
    with pytest.raises(Aborted):
        host.Create(request, context)
    code, message = context.status
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert message == "Probe 'p': create failed part way (1 of 2 entries exist)"
    detail = init_failure(context)
    assert detail.id == "41" and list(detail.reasons) == [message]
    outputs = rpc.deserialize_properties(detail.properties)
    assert outputs["entries"] == {"a": "1"} and outputs["ids"] == {"a": 7}
    assert outputs["__provider"] == request.properties["__provider"]  # the engine keeps it in the state
    assert journal.get(PROBE_URN) is None  # the engine records it: nothing for the journal to recover


def test_a_partial_update_tells_the_engine_what_exists_with_the_error(host):
    update = provider_pb2.UpdateRequest(urn=PROBE_URN, id="41")
    update.olds.update({"__provider": serialize_provider(ProbeProvider()), "mode": "ok"})
    update.news.update({"__provider": serialize_provider(PartialProvider()), "mode": "ok"})
    context = Context()
    with pytest.raises(Aborted):
        host.Update(update, context)
    detail = init_failure(context)
    assert detail.id == "41"
    outputs = rpc.deserialize_properties(detail.properties)
    assert outputs == {"entries": {"a": "2"}, "__provider": update.news["__provider"]}


def test_a_detailed_diff_reaches_the_engine_and_a_plain_one_stays_plain(host):
    diff = provider_pb2.DiffRequest(urn=PROBE_URN, id="1")
    diff.olds.update({"__provider": serialize_provider(PartialProvider()), "mode": "ok"})
    diff.news.CopyFrom(diff.olds)
    response = host.Diff(diff, Context())
    assert response.changes == provider_pb2.DiffResponse.DIFF_SOME and response.hasDetailedDiff
    assert {path: d.kind for path, d in response.detailedDiff.items()} == {
        "entries.a": provider_pb2.PropertyDiff.UPDATE,
        'entries["b.c"]': provider_pb2.PropertyDiff.ADD,
        "entries.gone": provider_pb2.PropertyDiff.DELETE,
        "name": provider_pb2.PropertyDiff.UPDATE_REPLACE,
    }
    assert all(d.inputDiff for d in response.detailedDiff.values())
    assert sorted(response.diffs) == ["entries", "name"]

    plain = provider_pb2.DiffRequest(urn=PROBE_URN, id="1")
    plain.olds.update({"__provider": serialize_provider(ProbeProvider()), "name": "a"})
    plain.news.update({"__provider": serialize_provider(ProbeProvider()), "name": "b"})
    response = host.Diff(plain, Context())
    assert not response.hasDetailedDiff and list(response.replaces) == ["name"]


def test_a_status_the_servicer_sets_itself_is_kept(host):
    context = Context()
    with pytest.raises(NotImplementedError):
        host.CheckConfig(provider_pb2.CheckRequest(urn=PROBE_URN), context)
    assert context.status is None and context.code() == grpc.StatusCode.UNIMPLEMENTED


# -- request context -----------------------------------------------------------------------------------


def test_provider_methods_see_the_call_they_serve(host):
    check = provider_pb2.CheckRequest(urn=PROBE_URN)
    check.news.update({"__provider": serialize_provider(ProbeProvider()), "mode": "ok"})
    host.Check(check, Context())
    host.Create(create_request(mode="ok"), Context())
    [during_check] = called("check")
    [during_create] = called("create")
    assert (during_check.method, during_check.urn, during_check.preview) == ("Check", PROBE_URN, False)
    assert (during_create.method, during_create.kind, during_create.name) == ("Create", "Probe", "p")
    assert (during_create.stack, during_create.project) == ("dev", "org")
    assert provider_context.current() is None


# -- previews ------------------------------------------------------------------------------------------


def test_configure_announces_provider_previews_and_still_refuses_secrets(host):
    response = host.Configure(provider_pb2.ConfigureRequest(), Context())
    assert response.supportsPreview and not response.acceptSecrets


def test_a_preview_create_is_answered_by_the_providers_prediction_and_never_creates(host):
    request = create_request(PredictingProvider(), preview=True, name="Gateways")
    response = host.Create(request, Context())
    outs = rpc.deserialize_properties(response.properties, keep_unknowns=True)
    assert response.id == ""
    assert outs["slug"] == "acme/gateways" and outs["name"] == "Gateways"
    assert isinstance(outs["made"], Unknown)
    [during] = called("preview_create")
    assert (during.method, during.preview) == ("Create", True)
    assert WORLD == {}


def test_without_a_prediction_a_preview_answers_the_inputs_unchanged(host):
    request = create_request(preview=True, name="Gateways")
    request.properties["later"] = rpc.UNKNOWN
    response = host.Create(request, Context())
    assert response.id == "" and response.properties == request.properties
    update = provider_pb2.UpdateRequest(urn=PROBE_URN, id="1", preview=True)
    update.news.CopyFrom(request.properties)
    assert host.Update(update, Context()).properties == request.properties
    assert called("create") == [] and called("update") == [] and WORLD == {}


def test_a_preview_update_is_answered_by_the_providers_prediction_and_never_updates(host):
    blob = serialize_provider(PredictingProvider())
    request = provider_pb2.UpdateRequest(urn=PROBE_URN, id="1", preview=True)
    request.olds.update({"__provider": blob, "name": "Gateways", "made": "1"})
    request.news.update({"__provider": blob, "name": "Edge", "later": rpc.UNKNOWN})
    outs = rpc.deserialize_properties(host.Update(request, Context()).properties, keep_unknowns=True)
    assert (outs["slug"], outs["made"]) == ("acme/edge", "1")
    assert isinstance(outs["later"], Unknown)
    [during] = called("preview_update")
    assert (during.method, during.preview) == ("Update", True)


# -- creates the engine never heard of -----------------------------------------------------------------


def test_a_delivered_create_stays_noted_until_the_engine_shows_it_recorded_the_resource(host, journal):
    # The engine checkpoints a create after receiving its answer: a CLI killed in between forgets an object
    # that exists, and the next Create of the URN must adopt it rather than make a second one.
    first = host.Create(create_request(mode="ok", name="a"), Context())
    record = journal.get(PROBE_URN)
    assert (record["state"], record["id"], record["delivered"]) == ("created", first.id, True)
    second = host.Create(create_request(mode="ok", name="a"), Context())
    assert second.id == first.id and list(WORLD) == [first.id] and len(called("create")) == 1


def test_a_create_the_engine_never_received_is_adopted_by_the_next_create_with_no_second_object(host, journal):
    first = host.Create(create_request(mode="ok", name="a"), Context(active=False))
    assert journal.get(PROBE_URN)["state"] == "created" and journal.get(PROBE_URN)["id"] == first.id
    second = host.Create(create_request(mode="ok", name="a"), Context())
    assert second.id == first.id and list(WORLD) == [first.id]
    assert len(called("create")) == 1 and len(called("read")) == 1 and called("update") == []
    assert rpc.deserialize_properties(second.properties)["made"] == first.id
    # The adopting answer is noted in turn, in case this engine dies before recording it too.
    assert (journal.get(PROBE_URN)["state"], journal.get(PROBE_URN)["id"]) == ("created", first.id)


def test_an_adopted_object_that_differs_in_place_is_updated_and_one_that_needs_replacing_is_refused(host, journal):
    first = host.Create(create_request(mode="ok", name="a", value="1"), Context(active=False))
    second = host.Create(create_request(mode="ok", name="a", value="2"), Context())
    assert second.id == first.id and WORLD[first.id]["value"] == "2" and len(called("update")) == 1
    journal.forget(PROBE_URN)  # what the engine's next call about the URN does once it recorded the object
    host.Create(create_request(mode="ok", name="b"), Context(active=False))
    context = Context()
    with pytest.raises(Aborted):
        host.Create(create_request(mode="ok", name="c"), context)
    assert context.status[1] == (
        "create failed:\nProbe 'p': an interrupted run created this object (id 2) and it differs from the program in name, "
        "which cannot change in place; delete it, or adopt it with import_='2' and matching inputs"
    )


def test_an_adopted_object_deleted_since_is_created_anew(host, journal):
    first = host.Create(create_request(mode="ok"), Context(active=False))
    del WORLD[first.id]
    second = host.Create(create_request(mode="ok"), Context())
    assert second.id != first.id and len(called("create")) == 2


def test_a_create_whose_outcome_is_unknown_asks_the_provider_to_find_the_object(host, journal):
    WORLD["9"] = {"mode": "ok", "name": "a"}  # what the lost POST stored
    context = Context()
    with pytest.raises(Aborted):
        host.Create(create_request(RecoveringProvider(), mode="unknown"), context)
    assert journal.get(PROBE_URN)["state"] == "sent"
    response = host.Create(create_request(RecoveringProvider(), mode="ok", name="a"), Context())
    assert response.id == "9" and len(called("recover_create")) == 1 and len(called("create")) == 1


def test_a_recovery_that_could_not_look_keeps_the_note_and_a_verdict_is_said_once(host, journal):
    journal.sent(PROBE_URN)
    with pytest.raises(Aborted):
        host.Create(create_request(UnsettledProvider(), mode="ok", name="unreachable"), Context())
    assert journal.get(PROBE_URN)["state"] == "sent"  # still unknown: the next run looks again
    with pytest.raises(Aborted):
        host.Create(create_request(UnsettledProvider(), mode="ok", name="other"), Context())
    assert journal.get(PROBE_URN) is None
    assert len(called("recover_create")) == 2 and called("create") == []


def test_a_clean_failure_leaves_nothing_to_recover(host, journal):
    with pytest.raises(Aborted):
        host.Create(create_request(mode="refused"), Context())
    assert journal.get(PROBE_URN) is None


def test_any_call_showing_the_engine_knows_the_resource_clears_its_journal_entry(host, journal):
    host.Create(create_request(mode="ok"), Context(active=False))
    diff = provider_pb2.DiffRequest(urn=PROBE_URN, id="1")
    diff.olds.update({"__provider": serialize_provider(ProbeProvider()), "mode": "ok"})
    diff.news.CopyFrom(diff.olds)
    host.Diff(diff, Context())
    assert journal.get(PROBE_URN) is None


def test_other_dynamic_types_are_not_journaled(host, journal):
    urn = "urn:pulumi:dev::org::pulumi-python:dynamic:Resource::mine"
    host.Create(create_request(urn=urn, mode="ok"), Context(active=False))
    assert journal.get(urn) is None


def test_an_unwritable_journal_warns_once_and_creates_still_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    warnings: list[str] = []
    host = HostServicer(sdk_servicer(), journal=CreateJournal(blocker / "journal", warn=warnings.append))
    host.Create(create_request(mode="ok"), Context(active=False))
    host.Create(create_request(mode="ok", name="x"), Context(active=False))
    assert len(WORLD) == 2 and len(warnings) == 1
    assert warnings[0].startswith(f"balena-pulumi: cannot keep the journal of creates in {blocker / 'journal'} (")


class BlockingProvider(ProbeProvider):
    def create(self, props):
        SEEN.append(("create", provider_context.current()))
        GATE.wait(30)
        return CreateResult("1", dict(props))


GATE = threading.Event()


def test_the_host_knows_when_no_call_is_in_flight(host):
    GATE.clear()
    worker = threading.Thread(target=host.Create, args=(create_request(BlockingProvider()), Context()))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not called("create") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not host.wait_idle(0.05)
    finally:
        GATE.set()
    assert host.wait_idle(10)
    worker.join(10)


def test_the_first_call_sizes_the_http_pool_to_the_thread_count_and_the_fan_out(journal, monkeypatch):
    from balena_pulumi.client.transport import default_pool_maxsize, set_default_pool_maxsize

    monkeypatch.setenv("BALENA_PULUMI_CONCURRENCY", "24")
    before = default_pool_maxsize()
    try:
        host = HostServicer(sdk_servicer(), journal=journal, pool_size=96)
        assert default_pool_maxsize() == before
        host.Create(create_request(mode="ok"), Context())
        assert default_pool_maxsize() == 96 + 24  # a connection per engine call, plus the bulk writes
    finally:
        set_default_pool_maxsize(before)


# -- the process around it -----------------------------------------------------------------------------


def test_the_engine_address_is_the_last_positional_argument():
    assert engine_address(["127.0.0.1:4100"]) == "127.0.0.1:4100"
    assert engine_address(["--logtostderr", "-v=9", "--tracing", "http://t:1", "127.0.0.1:4100"]) == "127.0.0.1:4100"
    assert engine_address([]) is None


def test_the_thread_count_follows_the_engines_parallelism_when_it_can_be_seen():
    engine = subprocess.Popen(
        [sys.executable, "-c", "import sys; print('up', flush=True); sys.stdin.read()", "up", "--parallel", "200"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert engine.stdout.readline() == b"up\n"  # it runs with its own command line now
        assert engine_parallelism(engine.pid, environ={}) == 200
    finally:
        engine.stdin.close()
        engine.wait()
    assert engine_parallelism(1 << 30, environ={"PULUMI_PARALLEL": "96"}) == 96
    assert engine_parallelism(1 << 30, environ={}) is None
    assert worker_count(None) == MIN_WORKERS and worker_count(8) == MIN_WORKERS and worker_count(200) == 200
    assert worker_count(100000) == 512


def test_the_watchdog_fires_when_the_engine_address_stops_answering():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there any more: connections are refused
    gone = threading.Event()
    watchdog = EngineWatchdog(f"127.0.0.1:{port}", gone.set, interval=0.01)
    watchdog.start()
    assert gone.wait(10)
    assert not watchdog.engine_alive()


def test_the_watchdog_stays_quiet_while_the_engine_answers():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    gone = threading.Event()
    watchdog = EngineWatchdog(f"127.0.0.1:{listener.getsockname()[1]}", gone.set, interval=0.01)
    watchdog.start()
    deadline = time.monotonic() + 10
    while watchdog._ticks < 40 and time.monotonic() < deadline:  # four probes
        time.sleep(0.01)
    watchdog.stop()
    listener.close()
    assert watchdog._ticks >= 40 and not gone.is_set() and watchdog.engine_alive()


def test_the_context_module_imports_no_pulumi():
    from tests.test_layers import imported_modules

    imported = imported_modules(Path(provider_context.__file__))
    assert not [name for name in imported if name == "pulumi" or name.startswith("pulumi.")]
