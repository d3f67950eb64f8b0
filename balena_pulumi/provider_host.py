"""The Python dynamic-provider host: the SDK's provider servicer, served the way a production provider is.

Pulumi runs every Python dynamic resource through one plugin, `pulumi-resource-pulumi-python`, which
stock starts the SDK's provider server (`python -m pulumi.dynamic`). This host keeps the SDK's servicer
(`pulumi/dynamic/__main__.py`: it unpickles the `__provider` of each request and calls the provider's
methods) and serves it itself, adding what the stock server lacks:

* **import_**: for an import `Read` the engine sends only an id, with no properties and no inputs
  (pulumi/pulumi#16175), so the stock server fails with `Exception calling application: '__provider'`.
  For a type `pulumi-python:dynamic/balena:<Kind>` the host supplies the serialized provider of that kind,
  exactly what the program's resource would have sent.
* **One message per error**: an exception deriving from `BalenaPulumiError` is reported to the engine
  with its message only (the engine prints it as `error: <message>`, with no `Exception calling
  application:` prefix). Any other exception is a bug: the message names the resource, the call, the
  exception type and where it was raised, with every input and config value replaced by
  `[value of <field>]`, so nothing secret can leak.
* **Provider previews**: `Configure` answers `supportsPreview`, so during a preview the engine sends
  `Create` and `Update` with `preview=true`. Those never reach a provider's `create`/`update`: the host
  answers with the provider's `preview_create(props)` / `preview_update(id, olds, news)` when it has them
  (outputs, the engine's `UNKNOWN` for what cannot be predicted), else with the inputs unchanged (what
  the engine itself does for providers without preview support).
* **Concurrency**: as many worker threads as the engine may send calls at once (its `--parallel` or
  `PULUMI_PARALLEL` when the host can see them, never fewer than 64), where the SDK's server has 4; the
  wire client's connection pool is sized to match, plus the client's fan-out threads (the concurrent
  writes of bulk resources, `BalenaClient.concurrently`).
* **Exit with the engine**: a watchdog notices when the engine that started the host is gone (its
  process was the host's parent; its gRPC port stops answering) and exits after letting calls in flight
  finish (at most :data:`ENGINE_GONE_GRACE` seconds), instead of lingering for many minutes.
* **Creates the engine never heard of**: the host notes each create it passes on (a small file per
  resource, see :class:`CreateJournal`). When the engine vanished before it could record the result,
  the next `Create` of the same URN adopts that object (read back, GETs only) instead of creating a
  second one; when the provider itself died mid-create, the next `Create` asks the provider's
  `recover_create(props)` (if it has one) to find the object by its natural key.
* **Partial failures**: a `Create` or `Update` that raises :class:`balena_pulumi.errors.PartialFailure`
  (a bulk resource that wrote some entries and failed on others) fails with the gRPC detail
  `ErrorResourceInitFailed` carrying the id and the outputs of what exists now; the engine records them
  in the state, shows the message, and updates the resource on the next `pulumi up`.
* **Detailed diffs**: `Diff` is the SDK's, plus the provider result's `detailed_diff` (property path ->
  kind) passed on as the engine's `detailedDiff`, so `preview` names the entries of a map that change
  (`[diff: ~variables.LOG_LEVEL +variables.MQTT_HOST]`); the SDK's server drops it.
* **Request context**: every call runs inside :func:`balena_pulumi.provider_context.serving`, so a
  provider can read the URN, the RPC method and the preview flag of the call it serves.

Two ways in, both on PATH ahead of the CLI's own copy (the engine looks on PATH first):
- the console script `pulumi-resource-pulumi-python` this package installs into its environment;
- `tools/pulumi/pulumi-resource-pulumi-python`, which `tools/pulumi/build.sh` puts beside the CLI.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import runpy
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent import futures
from pathlib import Path
from typing import Any

from balena_pulumi import provider_context
from balena_pulumi.errors import BalenaPulumiError, PartialFailure

TYPE_PREFIX = provider_context.BALENA_TYPE_PREFIX
PROVIDER_KEY = "__provider"

# Seconds the host waits for calls in flight once the engine is gone, before it exits.
ENGINE_GONE_GRACE = 5.0
# Worker threads: never fewer than this, never more than the ceiling, whatever the engine asks.
MIN_WORKERS = 64
MAX_WORKERS = 512


# -- requests ------------------------------------------------------------------------------------------


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


def _plain(value: Any) -> Any:
    """Provider output -> what a protobuf Struct holds; the SDK's `Unknown()` becomes the engine's sentinel."""
    from pulumi.output import Unknown

    if isinstance(value, Unknown):
        return provider_context.UNKNOWN
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _struct(values: Mapping[str, Any]) -> Any:
    from google.protobuf import struct_pb2

    struct = struct_pb2.Struct()
    struct.update(_plain(values))
    return struct


def _strings(value: Any, field: str, found: dict[str, str]) -> None:
    """Every string inside a deserialized value, mapped to the top-level field it came from."""
    if isinstance(value, str):
        if len(value) >= 3 and value != provider_context.UNKNOWN:
            found.setdefault(value, field)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _strings(item, field or str(key), found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _strings(item, field, found)


def _values_of(request: Any) -> dict[str, str]:
    """The string values a request carries (inputs, state), each mapped to its field name."""
    from google.protobuf import json_format

    found: dict[str, str] = {}
    for name in ("properties", "news", "olds", "inputs", "old_inputs", "args"):
        struct = getattr(request, name, None)
        if struct is None or not hasattr(struct, "fields"):
            continue
        for key, value in json_format.MessageToDict(struct).items():
            if key != PROVIDER_KEY:
                _strings(value, key, found)
    return found


# -- the journal of creates ----------------------------------------------------------------------------


class CreateJournal:
    """What the host knows about creates whose result the engine may never have received.

    One small JSON file per resource URN, in ``$BALENA_PULUMI_JOURNAL_DIR`` or
    ``$PULUMI_HOME/balena-pulumi/creates`` (``~/.pulumi/balena-pulumi/creates``), written atomically:

    * ``{"state": "sent"}`` while a create is in flight (it stays if the process dies mid-call, or if the
      create ended in an unknown outcome);
    * ``{"state": "created", "id": ..., "delivered": ...}`` when the create succeeded, whether or not the
      answer reached the engine (``delivered``): a delivered answer is not yet a recorded one, since the
      engine writes its checkpoint after receiving it.

    A create that failed cleanly leaves nothing. Any later call that shows the engine knows the resource
    (Diff, Read, Update, Delete of that URN) clears its file. The files hold no property values (outputs
    may be secrets), only the URN, the state, the id and a time.
    """

    MAX_AGE = 14 * 24 * 3600

    def __init__(self, directory: Path | None = None, warn: Callable[[str], None] | None = None) -> None:
        if directory is None:
            explicit = os.environ.get("BALENA_PULUMI_JOURNAL_DIR")
            if explicit:
                directory = Path(explicit)
            else:
                home = os.environ.get("PULUMI_HOME") or str(Path.home() / ".pulumi")
                directory = Path(home) / "balena-pulumi" / "creates"
        self.directory = directory
        self._warn = warn or (lambda text: print(text, file=sys.stderr, flush=True))
        self._broken = False
        self._ready = False

    def _failed(self, exc: OSError) -> None:
        # The journal is a safety net: without it creates still work, interrupted ones are not recovered.
        if not self._broken:
            self._broken = True
            self._warn(
                f"balena-pulumi: cannot keep the journal of creates in {self.directory} ({exc.strerror or exc}); "
                "creates interrupted by a crash will not be recovered automatically"
            )

    def _path(self, urn: str) -> str:
        return os.path.join(self.directory, hashlib.sha256(urn.encode("utf-8")).hexdigest()[:32] + ".json")

    def _write(self, urn: str, record: dict[str, Any]) -> None:
        # One small write: a reader that finds a torn record ignores it, which only forgoes a recovery.
        if self._broken:
            return
        data = json.dumps({"urn": urn, "time": time.time(), "pid": os.getpid(), **record}).encode("utf-8")
        try:
            if not self._ready:
                os.makedirs(self.directory, exist_ok=True)
                self._ready = True
            fd = os.open(self._path(urn), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as exc:
            self._failed(exc)

    def sent(self, urn: str) -> None:
        self._write(urn, {"state": "sent"})

    def created(self, urn: str, id_: str, delivered: bool = False) -> None:
        self._write(urn, {"state": "created", "id": id_, "delivered": delivered})

    def forget(self, urn: str) -> None:
        try:
            os.unlink(self._path(urn))
        except FileNotFoundError:
            pass
        except OSError as exc:
            self._failed(exc)

    def get(self, urn: str) -> dict[str, Any] | None:
        try:
            with open(self._path(urn), "rb") as handle:
                record = json.loads(handle.read())
        except (OSError, ValueError):
            return None
        if record.get("urn") != urn or time.time() - float(record.get("time", 0)) > self.MAX_AGE:
            return None
        return record

    def knows(self, urn: str) -> bool:
        return os.path.exists(self._path(urn))


# -- the servicer --------------------------------------------------------------------------------------


# What the user calls the step an engine call serves, for the first line of an error.
_STEPS = {"Create": "create", "Update": "update", "Delete": "delete", "Read": "refresh", "Check": "check", "Diff": "diff"}


def _outcome_unknown(exc: BaseException) -> bool:
    from balena_pulumi.client.errors import OutcomeUnknown

    return isinstance(exc, OutcomeUnknown) or isinstance(getattr(exc, "__cause__", None), OutcomeUnknown)


class HostServicer:
    """Serves the SDK's dynamic-provider servicer (``inner``) with the additions listed in the module doc.

    Every gRPC method of the provider protocol goes through :meth:`_serve`: methods this class does not
    define are the inner servicer's, wrapped the same way.
    """

    def __init__(
        self,
        inner: Any,
        *,
        journal: CreateJournal | None = None,
        engine_alive: Callable[[], bool] = lambda: True,
        pool_size: int | None = None,
    ) -> None:
        self._inner = inner
        self._journal = journal
        self._engine_alive = engine_alive
        self._pool_size = pool_size
        self._config_values: dict[str, str] = {}
        self._busy = 0
        self._idle = threading.Condition()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no call is being served (or ``timeout`` seconds); True when idle."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    # Methods not defined here are the SDK's, behind the same error handling and request context.
    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not (name[:1].isupper() and callable(target)):
            return target

        def serve(request: Any, context: Any) -> Any:
            return self._serve(name, request, context, target)

        return serve

    # -- common path ---------------------------------------------------------------------------------

    def _serve(self, method: str, request: Any, context: Any, body: Callable[[Any, Any], Any]) -> Any:
        urn = getattr(request, "urn", "") or ""
        preview = bool(getattr(request, "preview", False))
        with self._idle:
            self._busy += 1
            if self._pool_size is not None:
                # Before any provider builds a client. Importing the client costs a third of a second,
                # which the engine would otherwise wait for before it gets the port.
                from balena_pulumi.client import default_concurrency, set_default_pool_maxsize

                # One connection per engine call in flight, plus the client's own fan-out threads (a bulk
                # resource's concurrent writes), so no thread waits for a connection or opens a throw-away one.
                set_default_pool_maxsize(self._pool_size + default_concurrency())
                self._pool_size = None
        try:
            with provider_context.serving(method, urn, preview) as call:
                try:
                    return body(request, context)
                except Exception as exc:  # noqa: BLE001 - every failure is reported, once, below
                    failure = exc
            self._report(call, failure, request, context)
            raise failure  # _report aborts the call; this is only reached with a status already set
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def _report(self, call: provider_context.CallContext, exc: Exception, request: Any, context: Any) -> None:
        import grpc

        code = getattr(context, "code", lambda: None)()
        if code is not None and code != grpc.StatusCode.OK:
            return  # the servicer chose a status itself (e.g. UNIMPLEMENTED for CheckConfig): keep it
        headline = f"{_STEPS.get(call.method, call.method.lower())} failed:"
        if call.method == "Read" and is_import_read(request):
            headline = "import failed:"
        # The engine's progress lines show the first line of an error, its Diagnostics section all of it:
        # with a headline first, the message itself is printed once.
        if isinstance(exc, PartialFailure) and call.method in ("Create", "Update") and not call.preview:
            # The engine prints the detail's reasons as a list under "1 error occurred:": no headline there.
            self._abort_partial(context, str(exc), exc, request.news if call.method == "Update" else request.properties)
        if isinstance(exc, BalenaPulumiError):
            status = grpc.StatusCode.UNKNOWN if _outcome_unknown(exc) else grpc.StatusCode.FAILED_PRECONDITION
            context.abort(status, f"{headline}\n{exc}")
        context.abort(grpc.StatusCode.INTERNAL, f"{headline}\n{self._describe_bug(call, exc, request)}")

    def _abort_partial(self, context: Any, text: str, exc: PartialFailure, props: Any) -> None:
        """Fail the call and tell the engine what exists now: the gRPC detail ``ErrorResourceInitFailed``.

        The engine then records the resource with this id and these outputs (for a create, as created),
        reports the message, and sends an update on the next ``pulumi up``: the state says exactly what
        was done, and the next run does the rest.
        """
        import grpc
        from google.protobuf import any_pb2
        from google.rpc import status_pb2
        from pulumi.runtime import proto

        outputs = dict(exc.outputs)
        if PROVIDER_KEY in props.fields:
            outputs[PROVIDER_KEY] = props.fields[PROVIDER_KEY].string_value
        detail = any_pb2.Any()
        detail.Pack(proto.ErrorResourceInitFailed(id=exc.id, properties=_struct(outputs), reasons=[text]))
        code = grpc.StatusCode.FAILED_PRECONDITION
        status = status_pb2.Status(code=code.value[0], message=text, details=[detail])
        context.abort_with_status(_status(code, text, (("grpc-status-details-bin", status.SerializeToString()),)))

    def _describe_bug(self, call: provider_context.CallContext, exc: Exception, request: Any) -> str:
        values = _values_of(request)
        values.update({v: k for k, v in self._config_values.items() if len(v) >= 3})
        text = str(exc)
        for value in sorted(values, key=len, reverse=True):
            text = text.replace(value, f"[value of {values[value]}]")
        frames = traceback.extract_tb(exc.__traceback__)[1:]
        # The host's and the SDK server's own frames only say how the call got there.
        machinery = (os.path.abspath(__file__), os.path.join("pulumi", "dynamic", "__main__.py"))
        own = [
            f for f in frames if os.path.abspath(f.filename) != machinery[0] and not f.filename.endswith(machinery[1])
        ]
        where = [
            f"{Path(frame.filename).parent.name}/{Path(frame.filename).name}:{frame.lineno} in {frame.name}"
            for frame in (own or frames)
        ][-3:]
        subject = f"{call.kind} {call.name!r}" if call.name else "balena provider"
        detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        return (
            f"{subject}: unexpected error in {call.method} ({detail}) at {' < '.join(reversed(where)) or '?'}; "
            "this is a bug in balena-pulumi, please report it with this message"
        )

    def _provider(self, props: Mapping[str, Any], fallback: Mapping[str, Any] | None = None) -> Any:
        from pulumi.runtime import rpc

        if props.get(PROVIDER_KEY) in (None, rpc.UNKNOWN) and fallback is not None:
            props = fallback
        # The SDK's own loader: it unpickles `__provider`, configures the provider once and caches it.
        get_provider = type(self._inner).Create.__globals__["get_provider"]
        return get_provider(props, self._inner._config)

    def _forget_known(self, urn: str) -> None:
        if self._journal is not None and urn and self._journal.knows(urn):
            self._journal.forget(urn)

    # -- protocol methods -----------------------------------------------------------------------------

    def Configure(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method name)
        return self._serve("Configure", request, context, self._configure)

    def _configure(self, request: Any, context: Any) -> Any:
        from pulumi.runtime import rpc

        response = self._inner.Configure(request, context)
        values = {k: v for k, v in request.variables.items() if isinstance(v, str)}
        for key, value in rpc.deserialize_properties(request.args).items():
            value = rpc.unwrap_rpc_secret(value)
            if isinstance(value, str):
                values[key] = value
        self._config_values = values
        response.supportsPreview = True
        return response

    def Create(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self._serve("Create", request, context, self._create)

    def _create(self, request: Any, context: Any) -> Any:
        if request.preview:
            return self._preview_create(request)
        journal = self._journal
        urn = request.urn
        if journal is None or not resource_type(urn).startswith(TYPE_PREFIX):
            return self._inner.Create(request, context)
        earlier = journal.get(urn)
        if earlier is not None:
            try:
                adopted = self._recover(request, earlier)
            except Exception as exc:
                # A verdict (a conflict, a kind that cannot be recovered) is said once; a lookup that
                # failed leaves the outcome unknown, for the next run to look again.
                if not _outcome_unknown(exc):
                    journal.forget(urn)
                raise
            if adopted is not None:
                journal.created(urn, adopted.id, delivered=self._delivered(context))  # until recorded, as below
                return adopted
        journal.sent(urn)
        try:
            response = self._inner.Create(request, context)
        except Exception as exc:
            if not _outcome_unknown(exc):
                journal.forget(urn)  # a clean failure: nothing was created
            raise
        # Kept even when the answer reached the engine: the engine records a create in its checkpoint only
        # after receiving it, and a CLI killed in between forgets an object that exists. The record goes
        # with the engine's next call about this URN, which shows that the engine knows the resource.
        journal.created(urn, response.id, delivered=self._delivered(context))
        return response

    def _delivered(self, context: Any) -> bool:
        is_active = getattr(context, "is_active", None)
        return bool(self._engine_alive() and (is_active() if is_active else True))

    def _recover(self, request: Any, earlier: Mapping[str, Any]) -> Any:
        """A create of this URN was sent before and its result never reached the engine: find the object."""
        from pulumi.runtime import proto, rpc

        props = rpc.deserialize_properties(request.properties)
        provider = self._provider(props)
        inputs = {k: v for k, v in props.items() if k != PROVIDER_KEY}
        if earlier.get("state") == "created" and earlier.get("id"):
            read = provider.read(str(earlier["id"]), dict(inputs))
            if not read.id:
                return None  # deleted since: create it anew
            outs = dict(read.outs or {})
            diff = provider.diff(read.id, outs, dict(inputs))
            if diff.changes:
                if diff.replaces:
                    kind = provider_context.CallContext("Create", request.urn).kind
                    raise BalenaPulumiError(
                        f"{kind} {request.name!r}: an interrupted run created this object (id {read.id}) and it "
                        f"differs from the program in {', '.join(diff.replaces)}, which cannot change in place; "
                        f"delete it, or adopt it with import_={read.id!r} and matching inputs"
                    )
                outs = dict(provider.update(read.id, outs, dict(inputs)).outs or {})
            outs[PROVIDER_KEY] = props[PROVIDER_KEY]
            return proto.CreateResponse(id=str(read.id), properties=_struct(outs))
        recover = getattr(provider, "recover_create", None)
        if earlier.get("state") == "sent" and recover is not None:
            found = recover(dict(inputs))
            if found is not None:
                id_, outs = found
                outs = dict(outs)
                outs[PROVIDER_KEY] = props[PROVIDER_KEY]
                return proto.CreateResponse(id=str(id_), properties=_struct(outs))
        return None

    def _preview_create(self, request: Any) -> Any:
        from pulumi.runtime import proto, rpc

        props = rpc.deserialize_properties(request.properties, keep_unknowns=True)
        provider = self._provider(props)
        predict = getattr(provider, "preview_create", None)
        if predict is None:
            return proto.CreateResponse(properties=request.properties)
        outs = dict(predict({k: v for k, v in props.items() if k != PROVIDER_KEY}))
        outs[PROVIDER_KEY] = props[PROVIDER_KEY]
        return proto.CreateResponse(properties=_struct(outs))

    def Update(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self._serve("Update", request, context, self._update)

    def _update(self, request: Any, context: Any) -> Any:
        if request.preview:
            return self._preview_update(request)
        self._forget_known(request.urn)
        return self._inner.Update(request, context)

    def _preview_update(self, request: Any) -> Any:
        from pulumi.runtime import proto, rpc

        olds = rpc.deserialize_properties(request.olds, keep_unknowns=True)
        news = rpc.deserialize_properties(request.news, keep_unknowns=True)
        provider = self._provider(news, olds)
        predict = getattr(provider, "preview_update", None)
        if predict is None:
            return proto.UpdateResponse(properties=request.news)
        outs = dict(predict(request.id, olds, news))
        outs[PROVIDER_KEY] = news.get(PROVIDER_KEY, olds.get(PROVIDER_KEY))
        return proto.UpdateResponse(properties=_struct(outs))

    def Read(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self._serve("Read", request, context, self._read)

    def _read(self, request: Any, context: Any) -> Any:
        rtype = resource_type(request.urn)
        if not (is_import_read(request) and rtype.startswith(TYPE_PREFIX)):
            self._forget_known(request.urn)
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

    def Diff(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self._serve("Diff", request, context, self._diff)

    def _diff(self, request: Any, context: Any) -> Any:
        """The SDK's Diff, plus the detailed diff a provider's result may carry (``detailed_diff``: property
        path -> ``ADD``/``DELETE``/``UPDATE``[``_REPLACE``]), which the SDK's server drops."""
        from pulumi.runtime import proto, rpc

        self._forget_known(request.urn)
        olds = rpc.deserialize_properties(request.olds, True)
        news = rpc.deserialize_properties(request.news, True)
        result = self._provider(news, olds).diff(request.id, olds, news)
        fields: dict[str, Any] = {}
        if result.changes is None:
            fields["changes"] = proto.DiffResponse.DIFF_UNKNOWN
        else:
            fields["changes"] = proto.DiffResponse.DIFF_SOME if result.changes else proto.DiffResponse.DIFF_NONE
        if result.replaces is not None:
            fields["replaces"] = result.replaces
        if result.delete_before_replace is not None:
            fields["deleteBeforeReplace"] = result.delete_before_replace
        response = proto.DiffResponse(**fields)
        detailed = getattr(result, "detailed_diff", None)
        if detailed is not None and result.changes:
            response.hasDetailedDiff = True
            for path, kind in detailed.items():
                response.detailedDiff[path].kind = getattr(proto.PropertyDiff, kind)
                response.detailedDiff[path].inputDiff = True
            response.diffs.extend(sorted({_top_level(path) for path in detailed}))
        return response

    def Delete(self, request: Any, context: Any) -> Any:  # noqa: N802
        def delete(request: Any, context: Any) -> Any:
            self._forget_known(request.urn)
            return self._inner.Delete(request, context)

        return self._serve("Delete", request, context, delete)


def _top_level(path: str) -> str:
    """The top-level property of a property path (``variables.A``, ``tags["a.b"]`` -> ``variables``, ``tags``)."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _status(code: Any, details: str, trailing_metadata: Any) -> Any:
    """A ``grpc.Status`` for ``abort_with_status``: a code, a message and trailers (the rich error details)."""
    import grpc

    class Status(grpc.Status):
        pass

    status = Status()
    status.code, status.details, status.trailing_metadata = code, details, trailing_metadata
    return status


# -- the process ---------------------------------------------------------------------------------------


def engine_address(argv: Iterable[str]) -> str | None:
    """The engine's gRPC address among the plugin's arguments (`[--logtostderr] [-v=N] [--tracing X] ADDR`)."""
    args = list(argv)
    address = None
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("--tracing", "-tracing"):
            skip = True
            continue
        if arg.startswith("-"):
            continue
        address = arg
    return address


_PARALLEL = re.compile(r"^(?:--parallel|-p)(?:=(-?\d+))?$")


def engine_parallelism(ppid: int | None = None, environ: Mapping[str, str] | None = None) -> int | None:
    """How many resource operations the engine may run at once, when the host can see it.

    From the engine's command line (`--parallel N`, `-p N`; Linux /proc) or `PULUMI_PARALLEL`; None
    when neither says (the engine's own default is four per CPU).
    """
    environ = os.environ if environ is None else environ
    hints: list[int] = []
    try:
        raw = Path(f"/proc/{ppid if ppid is not None else os.getppid()}/cmdline").read_bytes()
        args = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    except OSError:
        args = []
    for i, arg in enumerate(args):
        match = _PARALLEL.match(arg)
        if match:
            value = match.group(1) if match.group(1) is not None else (args[i + 1] if i + 1 < len(args) else "")
            if value.lstrip("-").isdigit():
                hints.append(int(value))
    if environ.get("PULUMI_PARALLEL", "").strip().isdigit():
        hints.append(int(environ["PULUMI_PARALLEL"]))
    positive = [h for h in hints if h > 0]
    if hints and not positive:
        return MAX_WORKERS  # zero or negative: the engine sets no limit
    return max(positive) if positive else None


def worker_count(hint: int | None) -> int:
    return max(MIN_WORKERS, min(MAX_WORKERS, hint or 0))


class EngineWatchdog(threading.Thread):
    """Calls ``on_gone`` once the engine that started this process has gone away.

    Two signs, checked every ``interval`` seconds: the parent process changed (the engine started the
    host directly; a dead parent's children are re-parented), and, every tenth check, the engine's gRPC
    address refuses connections twice in a row (for launchers that do not `exec`).
    """

    def __init__(self, address: str | None, on_gone: Callable[[], None], interval: float = 0.5) -> None:
        super().__init__(name="engine-watchdog", daemon=True)
        self.parent = os.getppid()
        self.address = address
        self.on_gone = on_gone
        self.interval = interval
        self._refused = 0
        self._ticks = 0
        self._stop = threading.Event()

    def engine_alive(self) -> bool:
        if self.parent > 1 and os.getppid() != self.parent:
            return False
        return self._refused < 2

    def _probe(self) -> None:
        if not self.address or ":" not in self.address:
            return
        host, _, port = self.address.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=2):
                self._refused = 0
        except ConnectionRefusedError:
            self._refused += 1
        except (OSError, ValueError):
            pass  # a timeout or an odd address says nothing certain

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            self._ticks += 1
            if self._ticks % 10 == 0:
                self._probe()
            if not self.engine_alive():
                self.on_gone()
                return


class _Captured(Exception):
    pass


def sdk_servicer() -> Any:
    """The SDK's own dynamic-provider servicer, built by its `__main__` module (which is not importable:
    it starts serving at import). The module is run up to the point where it registers its servicer."""
    from pulumi.runtime.proto import provider_pb2_grpc

    captured: dict[str, Any] = {}
    register = provider_pb2_grpc.add_ResourceProviderServicer_to_server

    def capture(servicer: Any, server: Any) -> None:
        captured["servicer"] = servicer
        raise _Captured

    provider_pb2_grpc.add_ResourceProviderServicer_to_server = capture
    try:
        runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
    except _Captured:
        pass
    finally:
        provider_pb2_grpc.add_ResourceProviderServicer_to_server = register
    return captured["servicer"]


def main(argv: list[str] | None = None) -> None:
    """Serve the provider protocol on a loopback port and print the port, as the engine expects."""
    import grpc
    from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
    from pulumi.runtime.proto import provider_pb2_grpc

    args = sys.argv[1:] if argv is None else argv
    workers = worker_count(engine_parallelism())
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="provider"),
        options=_GRPC_CHANNEL_OPTIONS,
    )

    def engine_gone() -> None:
        # Nobody will read an answer any more. gRPC already counts the engine's calls as cancelled, but
        # their handlers are still talking to the API: let them finish (a create's result goes to the
        # journal), for at most the grace period, then leave.
        server.stop(None)
        servicer.wait_idle(ENGINE_GONE_GRACE)
        os._exit(0)

    watchdog = EngineWatchdog(engine_address(args), engine_gone)
    servicer = HostServicer(
        sdk_servicer(), journal=CreateJournal(), engine_alive=watchdog.engine_alive, pool_size=workers
    )
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    watchdog.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop(0)


if __name__ == "__main__":
    main()
