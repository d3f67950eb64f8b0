"""The stateless provider base every balena resource kind builds on.

A kind subclasses ``BalenaProvider`` and supplies: its pydantic ``Args`` model (field descriptions are
the docs), the fields that force replacement, and five small functions (remote validation, create,
read, update, delete) that speak to the wire client. The base turns those into Pulumi's
check/diff/create/read/update/delete with the engine's rules:

* nothing is stored on the provider instance (it is pickled into state): credentials come from
  ``configure()`` (stack config ``balena:apiUrl`` and secret ``balena:apiToken``, falling back to
  ``BALENA_API_URL`` / ``BALENA_API_KEY``) into a process-wide settings holder;
* ``check`` validates locally with pydantic and reports ``CheckFailure``s naming the field and the rule;
  lookups that need the API (does this device type exist?) run only for inputs that changed, so a
  no-op preview sends no request at all;
* ``diff`` compares only input fields, never ``__provider``, and is safe with unknown values;
* outputs always contain every input, so there are no perpetual diffs;
* ``read`` returns refreshed inputs too and reports a deleted object as gone;
* errors are raised as ``BalenaResourceError`` with a message that reads on its own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
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
from pydantic import BaseModel, ConfigDict, ValidationError

from balena_pulumi.client import BalenaClient, BalenaError, NotFound, get_client

# The engine's placeholder for a value that is not known yet (during preview).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
PROVIDER_KEY = "__provider"
DEFAULT_API_URL = "https://api.balena-cloud.com"


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


class BalenaResourceError(Exception):
    """An expected failure, worded for the person running ``pulumi up``."""


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


class Args(BaseModel):
    """Base of every kind's input model: unknown properties are an error, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


def _failures_from(error: ValidationError, unknown_fields: set[str]) -> list[CheckFailure]:
    failures: list[CheckFailure] = []
    for item in error.errors():
        loc = [str(part) for part in item.get("loc", ())]
        field = loc[0] if loc else ""
        if field in unknown_fields:
            continue
        message = item.get("msg", "is invalid")
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if item.get("type") == "missing":
            message = "is required"
        elif item.get("type") == "extra_forbidden":
            message = "is not a property of this resource"
        failures.append(CheckFailure(".".join(loc) or "(inputs)", f"{'.'.join(loc) or 'inputs'}: {message}"))
    return failures


class BalenaProvider(ResourceProvider):
    """Base of all balena dynamic providers. Subclasses hold no instance state."""

    serialize_as_secret_always = False

    kind: ClassVar[str] = ""
    args_model: ClassVar[type[Args]] = Args
    replace_on: ClassVar[frozenset[str]] = frozenset()
    # Replacing an object with a unique natural key must delete the old one first, or the new one
    # is refused with a 409 ("... must be unique.").
    delete_before_replace: ClassVar[bool] = True

    # -- to implement ------------------------------------------------------------------------------

    def describe(self, inputs: Mapping[str, Any]) -> str:
        """A short human name for messages, e.g. ``FleetEnvVar acme/prod:LOG_LEVEL``."""
        return self.kind

    def validate_remote(self, client: BalenaClient, args: Any, changed: set[str]) -> list[CheckFailure]:
        """Checks that need the API (existence of parents, roles...). GET requests only."""
        return []

    def create_object(self, client: BalenaClient, args: Any) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        """Current inputs plus server fields, or None when the object is gone."""
        raise NotImplementedError

    def update_object(
        self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: Any
    ) -> dict[str, Any]:
        raise NotImplementedError

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def replace_reasons(self, olds: Mapping[str, Any], news: Mapping[str, Any], changed: set[str]) -> set[str]:
        """Changed fields that force replacement; kinds override this for value-dependent rules."""
        return {name for name in changed if name in self.replace_on}

    def equivalent(self, field: str, old: Any, new: Any, olds: Mapping[str, Any]) -> bool:
        """Whether an input change is no change at all (e.g. an alias of the same device type)."""
        return old == new

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def input_fields(self) -> tuple[str, ...]:
        return tuple(self.args_model.model_fields)

    def client(self) -> BalenaClient:
        url, token = SETTINGS.resolve()
        if not token:
            raise BalenaResourceError(
                f"{self.kind}: no balena API token. Set the secret stack config balena:apiToken "
                "(`pulumi config set --secret balena:apiToken ...`) or the BALENA_API_KEY environment variable."
            )
        return get_client(url, token)

    def inputs_of(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {name: props.get(name) for name in self.input_fields}

    def _fail(self, what: str, props: Mapping[str, Any], error: BalenaError) -> BalenaResourceError:
        return BalenaResourceError(f"{self.describe(props)}: {what} failed: {error}")

    # -- Pulumi provider protocol ------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        SETTINGS.set(req.config.get("balena:apiUrl"), req.config.get("balena:apiToken"))

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        raw = {k: v for k, v in news.items() if k != PROVIDER_KEY and not (k not in self.input_fields and v is None)}
        unknown = {k for k, v in raw.items() if is_unknown(v)}
        known = {k: v for k, v in raw.items() if k not in unknown}
        try:
            if unknown:
                # Validate what is known; fields whose values arrive later are checked at `up` time.
                args = None
                self.args_model.model_validate({**known, **{k: None for k in unknown}})
            else:
                args = self.args_model.model_validate(raw)
        except ValidationError as exc:
            failures = _failures_from(exc, unknown)
            if failures:
                return CheckResult(raw, failures)
            args = None
        if args is None:
            return CheckResult(raw, [])
        inputs = args.model_dump(mode="json")
        old_inputs = {k: olds.get(k) for k in self.input_fields} if olds else {}
        changed = {k for k in inputs if not olds or inputs[k] != old_inputs.get(k)}
        if changed:
            try:
                failures = self.validate_remote(self.client(), args, changed)
            except BalenaError as exc:
                raise self._fail("validation", inputs, exc) from None
            if failures:
                return CheckResult(inputs, failures)
        return CheckResult(inputs, [])

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
        if not changed and not uncertain:
            return DiffResult(changes=False, replaces=[], delete_before_replace=False)
        replaces = self.replace_reasons(olds, news, changed | uncertain)
        return DiffResult(
            changes=True,
            replaces=sorted(replaces),
            delete_before_replace=bool(replaces) and self.delete_before_replace,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        args = self.args_model.model_validate(self.inputs_of(props))
        try:
            id_, outs = self.create_object(self.client(), args)
        except BalenaError as exc:
            raise self._fail("create", props, exc) from None
        return CreateResult(id_, {**args.model_dump(mode="json"), **outs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            outs = self.read_object(self.client(), id_, props)
        except NotFound:
            outs = None
        except BalenaError as exc:
            raise self._fail("refresh", props, exc) from None
        if outs is None:
            # An empty id tells the engine the object no longer exists.
            return ReadResult(None, {})  # type: ignore[arg-type]
        new_id = str(outs.pop("__id", id_))
        return ReadResult(new_id, outs, self.inputs_of(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        args = self.args_model.model_validate(self.inputs_of(news))
        try:
            outs = self.update_object(self.client(), id_, olds, args)
        except BalenaError as exc:
            raise self._fail("update", news, exc) from None
        return UpdateResult({**args.model_dump(mode="json"), **outs})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        try:
            self.delete_object(self.client(), id_, props)
        except NotFound:
            return  # already gone: destroy is idempotent
        except BalenaError as exc:
            raise self._fail("delete", props, exc) from None


def changed_fields(olds: Mapping[str, Any], news: Mapping[str, Any], fields: Iterable[str]) -> set[str]:
    return {f for f in fields if olds.get(f) != news.get(f)}
