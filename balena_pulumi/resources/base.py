"""The stateless provider base every balena resource kind builds on.

A kind subclasses ``BalenaProvider`` and supplies: its pydantic ``Args`` model, whose fields are declared
with ``fields.field`` (description, secrecy, what a change does), the parents it names (``parents``), its
natural-key import id (``import_id``), whether a replacement deletes first (``replacement``), and the
small functions that speak to the wire client (remote validation, create, read, update, delete). The base
turns those into Pulumi's check/diff/create/read/update/delete with the engine's rules:

* nothing is stored on the provider instance (it is pickled into state): credentials come from
  ``configure()`` (stack config ``balena:apiUrl`` and secret ``balena:apiToken``, falling back to
  ``BALENA_API_URL`` / ``BALENA_API_KEY``) into a process-wide settings holder;
* ``check`` validates locally and reports each failure as one line naming the field and the rule,
  without the engine's echo of the value (which would print a secret, or 10 KB of a bad name);
  lookups that need the API run only for inputs that changed, so a no-op preview sends no request;
* ``diff`` follows each field's declared change (``fields.Change``): a parent or release named another
  way is judged by identity (``refs``), never by spelling; it never compares ``__provider`` and is safe
  with values not known yet;
* outputs always contain every input, so there are no perpetual diffs;
* ``read`` returns refreshed inputs too and reports a deleted object as gone;
* a create that hits an object of the same natural key says which import id adopts it; a create whose
  outcome is unknown (the answer was lost) looks the object up by natural key and takes it when it holds
  exactly what was sent; so does ``recover_create``, which the provider host calls for a create an earlier
  run on this machine sent and never heard back about (``docs/recovery.md``);
* every error is a ``ResourceError`` whose message reads on its own.
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from balena_pulumi.client import BalenaClient, BalenaError, Conflict, NotFound, ServerError, TransportError, get_client
from balena_pulumi.client import OutcomeUnknown

from . import _connections, refs
from .errors import BalenaResourceError, ResourceError
from .fields import Change, change_of, nul_problem, quote, secret_fields

# The engine's placeholder for a value that is not known yet (during preview).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
PROVIDER_KEY = "__provider"
DEFAULT_API_URL = "https://api.balena-cloud.com"

__all__ = [
    "Args",
    "BalenaProvider",
    "BalenaResourceError",
    "ResourceError",
    "Replacement",
    "SETTINGS",
    "UNKNOWN",
    "is_unknown",
    "resource_props",
]


def is_unknown(value: Any) -> bool:
    # The dynamic provider server hands check/diff an ``Unknown()`` object (keep_unknowns=True), not the
    # sentinel string; both mean "known only at `up` time".
    if isinstance(value, Unknown) or value == UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unknown(v) for v in value)
    return False


class Replacement(enum.Enum):
    """How a kind is replaced. Objects with a unique natural key must go first, or the new one is a 409."""

    DELETE_FIRST = "delete first"
    CREATE_FIRST = "create first"


class _Settings:
    """Credentials for this provider process, filled by ``configure()``; never pickled."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.api_url: str | None = None
        self.token: str | None = None

    def set(self, api_url: str | None, token: str | None) -> None:
        with self._lock:
            self.api_url = api_url
            self.token = token

    def resolve(self) -> tuple[str, str | None]:
        with self._lock:
            url = self.api_url or os.environ.get("BALENA_API_URL") or DEFAULT_API_URL
            token = self.token or os.environ.get("BALENA_API_KEY") or os.environ.get("BALENA_API_TOKEN")
        return url, token


SETTINGS = _Settings()


def _nul_in(value: Any) -> str | None:
    """Where a NUL byte hides in an input value (text, or the keys and values of a map), as a rule text."""
    if isinstance(value, str):
        return nul_problem(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and nul_problem(key):
                return f"key {quote(key)} {nul_problem(key)}"
            found = _nul_in(item)
            if found:
                return f"value of {key}: {found}"
    return None


class Args(BaseModel):
    """Base of every kind's input model: unknown properties are an error, and no text holds a NUL byte.

    The NUL rule runs after the fields' own rules, which say it in their words where they check it.
    """

    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)

    @model_validator(mode="after")
    def _no_nul(self) -> "Args":
        for name in type(self).model_fields:
            problem = _nul_in(getattr(self, name))
            if problem:
                raise ValueError(f"{name}: {problem}")
        return self


def _failure_lines(error: ValidationError, skip: set[str]) -> list[str]:
    lines: list[str] = []
    for item in error.errors():
        loc = [str(part) for part in item.get("loc", ())]
        field = loc[0] if loc else ""
        if field in skip:
            continue
        message = item.get("msg", "is invalid")
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if item.get("type") == "missing":
            message = "is required"
        elif item.get("type") == "extra_forbidden":
            message = "is not a property of this resource"
        # A model-level rule has no location; its message starts with the field already.
        lines.append(f"{'.'.join(loc)}: {message}" if loc else message)
    return lines


def resource_props(inputs: Mapping[str, Any], outputs: tuple[str, ...]) -> dict[str, Any]:
    """The property bag a resource class registers: its inputs, then None for each output it fills."""
    return {**inputs, **{name: None for name in outputs if name not in inputs}}


class BalenaProvider(ResourceProvider):
    """Base of all balena dynamic providers. Subclasses hold no instance state."""

    serialize_as_secret_always = False

    kind: ClassVar[str] = ""
    args_model: ClassVar[type[Args]] = Args
    # Inputs that name a parent by natural key: input -> (parent kind, output holding its id).
    parents: ClassVar[Mapping[str, tuple[str, str]]] = {}
    # The natural-key import id (also what conflict messages tell users to adopt with).
    import_id: ClassVar[refs.ImportId | None] = None
    replacement: ClassVar[Replacement] = Replacement.DELETE_FIRST
    # For kinds with release selectors: what naming another release does.
    other_release: ClassVar[Change] = Change.UPDATE
    # What one object of this kind is called in messages, e.g. "fleet tag".
    noun: ClassVar[str] = ""

    # -- to implement ------------------------------------------------------------------------------

    def describe(self, inputs: Mapping[str, Any]) -> str:
        """A short human name for messages, e.g. ``FleetEnvVar acme/prod:LOG_LEVEL``."""
        if self.import_id is not None:
            return f"{self.kind} {self.import_id.format(inputs)}"
        return self.kind

    def validate_local(self, inputs: Mapping[str, Any], olds: Mapping[str, Any]) -> list[str]:
        """Rules beyond the args model that need no request (e.g. an expiry in the future), as failure lines.

        They run before any remote check, so input they refuse never reaches the API.
        """
        return []

    def validate_remote(self, client: BalenaClient, args: Any, changed: set[str]) -> list[str]:
        """Checks that need the API (parents exist, roles...), GET requests only, for changed inputs.

        Returns failure lines starting with the field name; a raised ``refs.MissingParent`` counts as one.
        """
        return []

    def create_object(self, client: BalenaClient, args: Any) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        """Current inputs plus server fields, or None when the object is gone. ``id_`` may be an import id."""
        raise NotImplementedError

    def update_object(
        self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: Any
    ) -> dict[str, Any]:
        raise NotImplementedError

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def judge(self, field: str, olds: Mapping[str, Any], news: Mapping[str, Any], unknown: bool) -> bool:
        """For ``Change.JUDGED`` fields: whether this change forces a replacement."""
        return True

    def equivalent(self, field: str, old: Any, new: Any, olds: Mapping[str, Any]) -> bool:
        """Whether an input change is no change at all (e.g. an alias of the same device type)."""
        return old == new

    def planned(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any], replaced: bool) -> None:
        """Called by ``diff`` with its verdict: parent kinds tell ``refs.PLANNED`` what is about to change."""

    def holds(self, args: Any, outs: Mapping[str, Any]) -> bool:
        """Whether an object found by natural key holds exactly the inputs ``args`` (see ``create``)."""
        inputs = args.model_dump(mode="json")
        release = set(self.release_fields)
        if release and not refs.same_release(outs, inputs):
            return False
        return all(outs.get(k) == v for k, v in inputs.items() if k not in release)

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def input_fields(self) -> tuple[str, ...]:
        return tuple(self.args_model.model_fields)

    def _without_same_release(
        self, changed: set[str], olds: Mapping[str, Any], news: Mapping[str, Any], uncertain: set[str] = frozenset()
    ) -> set[str]:
        """``changed`` less the release selectors when the new ones name the recorded release another way
        (by version, commit or id): the same release, no change at all. Not when a selector is unknown yet."""
        release = set(self.release_fields)
        if changed & release and not release & uncertain and refs.same_release(olds, news):
            return changed - release
        return changed

    @property
    def release_fields(self) -> tuple[str, ...]:
        return tuple(n for n in self.input_fields if change_of(self.args_model, n) is Change.RELEASE)

    def client(self) -> BalenaClient:
        url, token = SETTINGS.resolve()
        if not token:
            raise ResourceError(
                f"{self.kind}: no balena API token. Set the secret stack config balena:apiToken "
                "(`pulumi config set --secret balena:apiToken ...`) or the BALENA_API_KEY environment variable."
            )
        return get_client(url, token)

    def inputs_of(self, props: Mapping[str, Any]) -> dict[str, Any]:
        inputs = {name: props.get(name) for name in self.input_fields}
        given = props.get(refs.SELECTOR_KEY)
        if self.release_fields and given in refs.RELEASE_SELECTORS:
            # The resolved release is an output under all three names; only the given one is an input.
            for name in self.release_fields:
                if name != given:
                    inputs[name] = None
        return inputs

    def _fail(self, what: str, props: Mapping[str, Any], error: BalenaError) -> ResourceError:
        return ResourceError(f"{self.describe(props)}: {what} failed: {error}")

    def natural_key(self, inputs: Mapping[str, Any]) -> str | None:
        """The natural-key import id of the object these inputs describe, or None for kinds without one."""
        return None if self.import_id is None else self.import_id.format(inputs)

    def adopt_hint(self, inputs: Mapping[str, Any]) -> str:
        key = self.natural_key(inputs)
        if key is None:
            return "adopt it with its numeric id as import id, or delete it first"
        return f"adopt it with import id {key!r} (pulumi.ResourceOptions(import_={key!r})), or delete it first"

    def conflict(self, inputs: Mapping[str, Any], error: BalenaError) -> ResourceError:
        noun = self.noun or self.kind
        return ResourceError(
            f"{self.describe(inputs)}: the {noun} already exists and is not managed by this resource: "
            f"{self.adopt_hint(inputs)} (the API said: {error.api_message or error})"
        )

    def find_existing(self, client: BalenaClient, args: Any) -> dict[str, Any] | None:
        """The object with the natural key of ``args``, as ``read`` would report it, or None."""
        key = self.natural_key(args.model_dump(mode="json"))
        if key is None:
            return None
        try:
            return self.read_object(client, key, {})
        except (NotFound, refs.MissingParent):
            return None

    # -- Pulumi provider protocol ------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        SETTINGS.set(req.config.get("balena:apiUrl"), req.config.get("balena:apiToken"))

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        fields = self.input_fields
        raw = {k: v for k, v in news.items() if k != PROVIDER_KEY and not (k not in fields and v is None)}
        unknown = {k for k, v in raw.items() if is_unknown(v)}
        known = {k: v for k, v in raw.items() if k not in unknown}
        lines: list[str] = []
        if self.release_fields:
            problem = refs.selector_problem(raw)
            if problem:
                lines.append(problem)
        args = None
        try:
            if unknown:
                # Validate what is known; fields whose values arrive later are checked at `up` time.
                self.args_model.model_validate({**known, **{k: None for k in unknown}})
            else:
                args = self.args_model.model_validate(raw)
        except ValidationError as exc:
            lines += _failure_lines(exc, unknown)
        if lines or args is None:
            return self._result(raw, lines)
        inputs = args.model_dump(mode="json")
        lines = self.validate_local(inputs, olds)
        if lines:
            return self._result(inputs, lines)
        old_inputs = {k: olds.get(k) for k in fields} if olds else {}
        changed = {k for k in inputs if not olds or inputs[k] != old_inputs.get(k)}
        # The release recorded (under all three names after an import) named another way: no lookup.
        changed = self._without_same_release(changed, olds, inputs)
        if changed:
            try:
                lines = self.validate_remote(self.client(), args, changed)
            except refs.MissingParent as missing:
                lines = [str(missing)]
            except BalenaError as exc:
                raise self._fail("validation", inputs, exc) from None
        return self._result(inputs, lines)

    def _result(self, inputs: dict[str, Any], lines: list[str]) -> CheckResult:
        # No failure names its property: the engine would print the value next to it, in plaintext even
        # for a secret. Each line starts with the field instead.
        if not lines:
            return CheckResult(inputs, [])
        # One failure for all lines, its first line a short headline: the engine's progress display shows
        # only that first line, and the lines themselves appear once, under Diagnostics.
        count = f"{len(lines)} invalid inputs" if len(lines) > 1 else "invalid input"
        return CheckResult(inputs, [CheckFailure("", "\n".join([f"{count}:", *lines]))])

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed: set[str] = set()
        uncertain: set[str] = set()
        for name in self.input_fields:
            new = news.get(name)
            old = olds.get(name)
            if is_unknown(new):
                uncertain.add(name)
            elif new != old and not self.equivalent(name, old, new, olds):
                changed.add(name)
        changed = self._without_same_release(changed, olds, news, uncertain)
        if not changed and not uncertain:
            self.planned(id_, olds, news, replaced=False)
            return DiffResult(changes=False, replaces=[], delete_before_replace=False)
        replaces: set[str] = set()
        for name in changed | uncertain:
            mode = change_of(self.args_model, name)
            unknown = name in uncertain
            if mode is Change.REPLACE:
                replaces.add(name)
            elif mode is Change.PARENT:
                kind, id_output = self.parents[name]
                client = None if unknown else self.client()
                if not refs.same_parent(client, kind, olds.get(id_output), news.get(name), unknown=unknown):  # type: ignore[arg-type]
                    replaces.add(name)
            elif mode is Change.RELEASE:
                if self.other_release is Change.REPLACE:
                    replaces.add(name)
            elif mode is Change.JUDGED:
                if self.judge(name, olds, news, unknown):
                    replaces.add(name)
        self.planned(id_, olds, news, replaced=bool(replaces))
        return DiffResult(
            changes=True,
            replaces=sorted(replaces),
            delete_before_replace=bool(replaces) and self.replacement is Replacement.DELETE_FIRST,
        )

    # A create whose answer was lost is settled by looking the object up; when it was not made after all,
    # it is sent again, at most this many times in all.
    create_attempts: ClassVar[int] = 3

    def create(self, props: dict[str, Any]) -> CreateResult:
        args = self.args_model.model_validate(self.inputs_of(props))
        inputs = args.model_dump(mode="json")
        client = self.client()
        for attempt in range(1, self.create_attempts + 1):
            try:
                id_, outs = self.create_object(client, args)
            except refs.MissingParent as missing:
                raise ResourceError(f"{self.describe(inputs)}: {missing}") from None
            except Conflict as exc:
                if not exc.is_unique_violation:
                    raise self._fail("create", inputs, exc) from None
                raise self.conflict(inputs, exc) from None
            except (TransportError, ServerError) as exc:
                # The request may have reached the API and its answer been lost: the object may exist now.
                settled = self._settle(client, args, exc, last=attempt == self.create_attempts)
                if settled is None:
                    continue  # it was not created: sending it again cannot duplicate it
                id_, outs = settled
            except BalenaError as exc:
                raise self._fail("create", inputs, exc) from None
            return CreateResult(id_, {**inputs, **outs})
        raise AssertionError("unreachable")  # the last attempt either returns or raises

    def _settle(
        self, client: BalenaClient, args: Any, cause: BalenaError, *, last: bool
    ) -> tuple[str, dict[str, Any]] | None:
        """After a create whose outcome is unknown: the object if it now exists exactly as sent, None if
        it does not exist (so the create may be sent again); an error when it exists with other values."""
        inputs = args.model_dump(mode="json")
        noun = self.noun or "object"
        if not self._can_look_up(inputs):
            raise ResourceError(
                f"{self.describe(inputs)}: create failed with an unknown outcome ({cause}); a {noun} has no "
                "natural key to look it up by, so check whether it was created before running `pulumi up` again"
            )
        try:
            found = self.find_existing(client, args)
        except BalenaError as exc:
            raise ResourceError(
                f"{self.describe(inputs)}: create failed with an unknown outcome ({cause}), and looking the "
                f"{noun} up failed too ({exc}); run `pulumi up` again"
            ) from (cause if isinstance(cause, OutcomeUnknown) else None)  # the host keeps it to recover
        if found is None:
            if last:
                raise self._fail("create", inputs, cause)
            return None
        if not self.holds(args, found):
            raise ResourceError(
                f"{self.describe(inputs)}: the create's answer was lost ({cause}) and the {noun} now exists "
                f"with other values: {self.adopt_hint(inputs)}"
            )
        found_id = str(found.pop("__id"))
        # Inputs the program left out (the release selectors it did not use) take the found values.
        return found_id, {k: v for k, v in found.items() if inputs.get(k) is None}

    def _can_look_up(self, inputs: Mapping[str, Any]) -> bool:
        return self.natural_key(inputs) is not None or type(self).find_existing is not BalenaProvider.find_existing

    def recover_create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """Called by the provider host when this machine's journal shows that an earlier run sent the create
        of this very resource (same URN) and never learnt its outcome: the provider process died mid-call.

        Returns ``(id, outputs)`` as ``create`` would when the object exists by natural key and holds
        exactly these inputs; None when it does not exist (the host then creates it). An object with other
        values, or a kind with no natural key to look it up by, is an error: nothing is taken over on a guess.
        """
        args = self.args_model.model_validate(self.inputs_of(props))
        inputs = args.model_dump(mode="json")
        noun = self.noun or "object"
        interrupted = (
            f"{self.describe(inputs)}: an interrupted run sent the create of this {noun} and never learnt its outcome"
        )
        if not self._can_look_up(inputs):
            raise ResourceError(
                f"{interrupted}; a {noun} has no natural key to look it up by, so it cannot be recovered "
                f"automatically: check whether it was created (delete it, or adopt it by its numeric id with "
                "import_), then run `pulumi up` again, which creates it"
            )
        try:
            found = self.find_existing(self.client(), args)
        except BalenaError as exc:
            raise ResourceError(
                f"{interrupted}, and looking the {noun} up failed ({exc}); run `pulumi up` again"
            ) from OutcomeUnknown(cause=exc)  # still unknown: the host keeps its note for the next run
        if found is None:
            return None
        if not self.holds(args, found):
            raise ResourceError(
                f"{interrupted}, and the {noun} now exists with other values: {self.adopt_hint(inputs)}"
            )
        found_id = str(found.pop("__id"))
        return found_id, {**inputs, **{k: v for k, v in found.items() if inputs.get(k) is None}}

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if not id_.isdigit() and self.import_id is None:
            raise ResourceError(
                f"{self.kind}: import id {quote(id_)} is not a numeric id; a {self.noun or self.kind} is adopted "
                "by its numeric id"
            )
        try:
            outs = self.read_object(self.client(), id_, props)
        except (NotFound, refs.MissingParent):
            outs = None
        except BalenaError as exc:
            raise self._fail("refresh", props, exc) from None
        if outs is None:
            # An empty id tells the engine the object no longer exists.
            return ReadResult(None, {})  # type: ignore[arg-type]
        new_id = str(outs.pop("__id", id_))
        return ReadResult(new_id, outs, self.read_inputs(outs, props))

    def read_inputs(self, outs: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs a read records: on an import, a release under all three of its names.

        An import cannot know whether the program names its release by version, commit or id; with all
        three recorded, check and diff see the program's name for it as the same release, with no lookup.
        """
        inputs = self.inputs_of(outs)
        if importing(props):
            for name in self.release_fields:
                inputs[name] = outs.get(name)
        return inputs

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        args = self.args_model.model_validate(self.inputs_of(news))
        inputs = args.model_dump(mode="json")
        try:
            outs = self.update_object(self.client(), id_, olds, args)
        except refs.MissingParent as missing:
            raise ResourceError(f"{self.describe(inputs)}: {missing}") from None
        except BalenaError as exc:
            raise self._fail("update", inputs, exc) from None
        return UpdateResult({**inputs, **outs})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        try:
            self.delete_object(self.client(), id_, props)
        except NotFound:
            return  # already gone: destroy is idempotent
        except BalenaError as exc:
            raise self._fail("delete", props, exc) from None


def importing(props: Mapping[str, Any]) -> bool:
    """Whether a read is an import: no state but the serialized provider itself."""
    return not any(key != "__provider" for key in props)


def secret_inputs(provider: type[BalenaProvider]) -> frozenset[str]:
    return secret_fields(provider.args_model)
