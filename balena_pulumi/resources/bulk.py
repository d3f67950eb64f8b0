"""Bulk kinds: the entries of one parent (its variables of one scope, its tags) as one resource.

A fleet's 30 environment variables as 30 resources are 30 engine steps, and the engine writes the whole
state file after every step; as one ``FleetEnvVars`` they are one step. Every bulk kind is a scope of
:class:`BulkScope` (which API resource, which parent, which rules for keys and values) served by the one
:class:`BulkProvider`; a kind module only declares its args model and its resource class.

What a bulk resource guarantees, entry by entry, as the single kinds do for their one object:

* **authoritative over its own entries only**: the names (tag keys) it created or adopted. Other entries
  of the parent are never read into the state, changed or deleted;
* **validation in preview**: every key and value against the scope's rules, naming the entry and the
  rule, never printing a value; known entries of a map whose other values are not known yet are checked
  too;
* **a diff per entry**: ``[diff: ~variables.LOG_LEVEL +variables.MQTT_HOST]`` (the provider host passes
  the detailed diff on to the engine);
* **the fewest requests, concurrently**: one DELETE for every removed entry, one PATCH per changed value,
  one POST per new entry, nothing for the rest; the PATCHes and POSTs run at once on the client's shared
  threads (``BalenaClient.concurrently``: bounded for the whole process, and a 429 holds back every
  thread until its Retry-After);
* **partial failure**: when some writes fail, the state records exactly the entries that exist (a
  :class:`~balena_pulumi.errors.PartialFailure`, which the provider host hands to the engine); nothing is
  lost and nothing can be duplicated (the API refuses a second entry of one key), and the next
  ``pulumi up`` makes the remaining changes. A POST whose answer was lost is settled by one listing of
  the parent's entries: the entry is taken when it holds what was sent, sent again when it is absent;
* **drift per entry on refresh**: one GET of the parent's entries; a value changed outside Pulumi shows
  up, an entry deleted outside Pulumi leaves the state (and the next ``up`` creates it again);
* **adoption**: the import id ``<PARENT>:KEY,KEY,...`` adopts exactly the listed entries
  (:meth:`BulkProvider.natural_key` lists the map's keys), a plain ``<PARENT>`` every entry of the parent;
* **one owner per entry**: a key managed by a bulk and a single resource (or two bulk resources) of one
  program fails the program (``guard``), in the claim family of the single kind of the same API resource.

Keys in an import id are separated by ``,``; a tag key holding ``,`` or ``%`` is written with those two
characters percent-encoded (``%2C``, ``%25``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar
from urllib.parse import quote as percent_quote
from urllib.parse import unquote as percent_unquote

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult
from pydantic import AfterValidator, BeforeValidator

from balena_pulumi import provider_context
from balena_pulumi.client import BalenaClient, BalenaError, Conflict, NotFound, OutcomeUnknown
from balena_pulumi.errors import PartialFailure

from . import refs
from .base import UNKNOWN, BalenaProvider, Replacement, importing, is_unknown, resource_props
from .errors import ResourceError
from .fields import Change, field, quote

# At most this many entry problems are spelled out in one message; the rest are counted.
PROBLEMS_SHOWN = 10
# Entries deleted by one request: their ids go in the URL (`id in (...)`), which must stay short.
DELETE_BATCH = 250


class BulkPartialFailure(PartialFailure, ResourceError):
    """Some entries of a bulk resource were written, others not: the state records those that exist."""


# -- entry rules -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryRules:
    """How the keys and values of one scope's map are checked (the single kind's own rules)."""

    key_word: str  # "name" (variables) or "key" (tags), in messages
    check_key: Callable[[str], str]
    check_value: Callable[[str], str]


def entry_problems(entries: Mapping[str, Any], rules: EntryRules) -> list[str]:
    """One line per bad key or value, in key order; values are never quoted (they may be secrets)."""
    problems: list[str] = []
    for key in sorted(entries, key=str):
        key_ok = True
        try:
            rules.check_key(key)
        except ValueError as exc:
            key_ok = False
            text = str(exc)
            shown = quote(key)
            for suffix in (f"; got {shown}", f": {shown}"):
                if text.endswith(suffix):
                    text = text[: -len(suffix)]
            problems.append(f"{rules.key_word} {shown}: {text}")
        value = entries[key]
        if not isinstance(value, str):
            problems.append(f"value of {key if key_ok else quote(key)}: must be a string")
            continue
        try:
            rules.check_value(value)
        except ValueError as exc:
            problems.append(f"value of {key if key_ok else quote(key)}: {exc}")
    if len(problems) > PROBLEMS_SHOWN:
        problems = problems[:PROBLEMS_SHOWN] + [f"and {len(problems) - PROBLEMS_SHOWN} more"]
    return problems


def _map(value: Any) -> Any:
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a map of keys to values; got {'nothing' if value is None else 'a ' + type(value).__name__}")
    return dict(value)


def entries_type(rules: EntryRules) -> Any:
    """The pydantic type of a bulk map: keys and values checked by the scope's rules, all problems at once."""

    def check(entries: dict[str, Any]) -> dict[str, str]:
        problems = entry_problems(entries, rules)
        if problems:
            raise ValueError("; ".join(problems))
        return entries

    return Annotated[dict[str, Any], BeforeValidator(_map), AfterValidator(check)]


# -- import ids --------------------------------------------------------------------------------------------


def encode_keys(keys: Sequence[str]) -> str:
    """Keys for an import id: sorted, ``,``-separated; ``%`` and ``,`` inside a key percent-encoded."""
    return ",".join(percent_quote(k, safe="".join(chr(c) for c in range(32, 127) if chr(c) not in "%,")) for k in sorted(keys))


def decode_keys(text: str) -> list[str]:
    return [percent_unquote(part) for part in text.split(",") if part != ""]


_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def property_path(field_name: str, key: str) -> str:
    """The engine's property path of one map entry: ``variables.LOG_LEVEL``, ``tags["app.owner"]``."""
    if _SIMPLE_KEY.match(key):
        return f"{field_name}.{key}"
    return f'{field_name}["{key.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"]'


# -- scopes ------------------------------------------------------------------------------------------------


class BulkParent:
    """How a bulk scope names, finds and keeps its parent. Subclassed per family (variables, tags)."""

    inputs: tuple[str, ...] = ()  # input properties naming the parent
    outputs: tuple[str, ...] = ()  # outputs describing the resolved parent (ids, the resolved release)
    fk_output: str = ""  # the output holding the entries' parent id (also the resource id)
    shape: str = ""  # the parent part of the import id, e.g. "<FLEET>:<SERVICE>"
    example: str = ""
    judged: Mapping[str, tuple[str, str]] = {}  # inputs of Change.PARENT: input -> (parent kind, id output)

    @property
    def id_parts(self) -> int:
        """How many ``:``-separated pieces the parent takes in an import id."""
        return len(self.inputs)

    def resolve(self, client: BalenaClient, values: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """The parent's id and outputs from the inputs that name it (cached GETs); ``MissingParent``."""
        raise NotImplementedError

    def from_id(self, client: BalenaClient, fk: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """Inputs and outputs of a parent known only by its id (adoption by the resource id)."""
        raise NotImplementedError

    def exists(self, client: BalenaClient, fk: int) -> bool:
        raise NotImplementedError

    def key(self, values: Mapping[str, Any]) -> str:
        """The parent part of the import id, e.g. ``acme/production:main``."""
        return ":".join(str(values.get(name)) for name in self.inputs)

    def parse(self, kind: str, text: str) -> dict[str, Any]:
        """Parent inputs from the parent part of an import id."""
        pieces = text.split(":")
        if len(pieces) != len(self.inputs) or not all(pieces):
            raise ResourceError(f"{kind}: malformed import id {quote(text)}: expected {self.shape}")
        return dict(zip(self.inputs, pieces))


@dataclass(frozen=True)
class BulkScope:
    """One bulk kind as data: its entries (API family and kind), its parent, its rules."""

    kind: str  # e.g. "FleetConfigVars"
    family: str  # "variables" or "tags": the map input, and the client family
    api_kind: str  # client.variables(api_kind) / client.tags(api_kind)
    label: str  # one entry, as the single kind calls it: "fleet config variable" (also the claim's words)
    claim_family: str  # the duplicate-management family, shared with the single kind
    parent: BulkParent
    rules: EntryRules
    example_keys: tuple[str, ...]

    @property
    def map_input(self) -> str:
        return self.family

    @property
    def ids_output(self) -> str:
        return "variable_ids" if self.family == "variables" else "tag_ids"

    @property
    def plural(self) -> str:
        return self.label + "s"

    @property
    def output_names(self) -> tuple[str, ...]:
        return (*self.parent.outputs, self.ids_output)

    def api(self, client: BalenaClient) -> Any:
        return client.variables(self.api_kind) if self.family == "variables" else client.tags(self.api_kind)

    def key_of(self, row: Any) -> str:
        return row.name if self.family == "variables" else row.tag_key

    def import_shape(self) -> str:
        word = "NAME" if self.family == "variables" else "KEY"
        return f"{self.parent.shape}[:{word},{word},...]"

    def import_example(self) -> str:
        return f"{self.parent.example}:{encode_keys(self.example_keys)}"


# -- diffs ---------------------------------------------------------------------------------------------------


class BulkDiff(DiffResult):
    """A ``DiffResult`` that also says which entries change (property path -> kind), for the engine's display.

    Kinds are the engine's: ``ADD``, ``DELETE``, ``UPDATE`` and their ``_REPLACE`` forms. The provider host
    turns ``detailed_diff`` into the gRPC ``detailedDiff`` (the SDK's own server drops it).
    """

    def __init__(self, *args: Any, detailed_diff: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.detailed_diff = dict(detailed_diff or {})


# -- the provider ----------------------------------------------------------------------------------------------


@dataclass
class _Written:
    """Where a change set stands: the entries that exist now, and what could not be done."""

    entries: dict[str, tuple[int, str]]  # key -> (entry id, value it holds)
    conflicts: list[str]
    failures: list[str]
    done: int = 0  # writes that succeeded


class BulkProvider(BalenaProvider):
    """One provider for every bulk scope; a kind sets ``scope`` and ``args_model``."""

    scope: ClassVar[BulkScope]
    replacement = Replacement.DELETE_FIRST  # as the single kinds: the old parent's entries go first
    other_release = Change.REPLACE  # tags on another release are other tags

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        scope = cls.__dict__.get("scope")
        if scope is None:
            return
        cls.kind = scope.kind
        cls.noun = scope.plural
        cls.parents = dict(scope.parent.judged)
        cls.import_id = refs.ImportId(scope.parent.inputs, scope.import_shape(), scope.import_example())

    # -- naming ------------------------------------------------------------------------------------------

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"{self.kind} {self.scope.parent.key(inputs)}"

    def natural_key(self, inputs: Mapping[str, Any]) -> str | None:
        """``<PARENT>:KEY,KEY,...``: the import id that adopts exactly the entries of this map."""
        entries = inputs.get(self.scope.map_input)
        keys = sorted(entries) if isinstance(entries, Mapping) else []
        return f"{self.scope.parent.key(inputs)}:{encode_keys(keys)}"

    def _what(self, count: int) -> str:
        return f"{count} {self.scope.label}{'' if count == 1 else 's'}"

    # -- check and diff ----------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        entries = news.get(self.scope.map_input)
        if isinstance(entries, Mapping) and is_unknown(entries):
            # Some values are known only at `up` time: check the keys and the values known now.
            known = {k: ("" if is_unknown(v) else v) for k, v in entries.items()}
            problems = entry_problems(known, self.scope.rules)
            if problems:
                result.failures.append(CheckFailure("", f"{self.scope.map_input}: {'; '.join(problems)}"))
        return result

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        verdict = super().diff(id_, olds, news)
        if not verdict.changes:
            return verdict
        replaced = set(verdict.replaces or [])
        detailed: dict[str, str] = {}
        release = set(self.release_fields)
        same_release = bool(release) and refs.same_release(olds, news)
        map_input = self.scope.map_input
        for name in self.input_fields:
            if name == map_input:
                continue
            new, old = news.get(name), olds.get(name)
            if name in replaced:
                detailed[name] = "UPDATE_REPLACE"
            elif (is_unknown(new) or new != old) and not (name in release and same_release):
                if not (name in release and new is None):
                    detailed[name] = "UPDATE"
        old_entries = olds.get(map_input) if isinstance(olds.get(map_input), Mapping) else {}
        new_entries = news.get(map_input)
        if not isinstance(new_entries, Mapping):
            if new_entries != old_entries:
                detailed[map_input] = "UPDATE"
        else:
            for key in sorted(set(old_entries) | set(new_entries)):
                path = property_path(map_input, key)
                if key not in old_entries:
                    detailed[path] = "ADD"
                elif key not in new_entries:
                    detailed[path] = "DELETE"
                elif is_unknown(new_entries[key]) or new_entries[key] != old_entries[key]:
                    detailed[path] = "UPDATE"
        return BulkDiff(
            changes=True,
            replaces=verdict.replaces,
            stables=verdict.stables,
            delete_before_replace=verdict.delete_before_replace,
            detailed_diff=detailed,
        )

    # -- previews --------------------------------------------------------------------------------------

    def preview_create(self, props: Mapping[str, Any]) -> dict[str, Any]:
        inputs = {k: props.get(k) for k in self.input_fields}
        unknown = {name: UNKNOWN for name in self.scope.output_names if inputs.get(name) is None}
        return {**inputs, **unknown}

    def preview_update(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        inputs = {k: news.get(k) for k in self.input_fields}
        kept = {name: olds.get(name) for name in self.scope.parent.outputs if inputs.get(name) is None}
        entries = news.get(self.scope.map_input)
        old_ids = olds.get(self.scope.ids_output) or {}
        ids: Any = UNKNOWN
        if isinstance(entries, Mapping):
            ids = {key: old_ids.get(key, UNKNOWN) for key in entries}
        return {**inputs, **kept, self.scope.ids_output: ids}

    # -- lifecycle ---------------------------------------------------------------------------------------

    def validate_remote(self, client: BalenaClient, args: Any, changed: set[str]) -> list[str]:
        if changed & set(self.scope.parent.inputs):
            self.scope.parent.resolve(client, args.model_dump(mode="json"))
        return []

    def create(self, props: dict[str, Any]) -> CreateResult:
        args = self.args_model.model_validate(self.inputs_of(props))
        inputs = args.model_dump(mode="json")
        client = self.client()
        try:
            fk, parent = self.scope.parent.resolve(client, inputs)
        except refs.MissingParent as missing:
            raise ResourceError(f"{self.describe(inputs)}: {missing}") from None
        except BalenaError as exc:
            raise self._fail("create", inputs, exc) from None
        desired: dict[str, str] = inputs[self.scope.map_input]
        written = self._write(client, fk, {}, desired)
        if written.conflicts:
            # Entries of these keys exist and are not this resource's: undo this create, so that the
            # import id below can adopt them together with the rest of the map.
            made = [entry_id for entry_id, _ in written.entries.values()]
            try:
                self._delete_many(self.scope.api(client), fk, made)
            except BalenaError as exc:
                written.failures.append(f"undoing the {len(made)} entries just made failed: {exc}")
            else:
                written.entries = {}
                raise ResourceError(self._conflict_message(inputs, written.conflicts, created=True)) from None
        if written.failures or written.conflicts:
            self._partial("create", fk, inputs, parent, written, len(desired))
        return CreateResult(str(fk), self._outputs(inputs, parent, written.entries))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        args = self.args_model.model_validate(self.inputs_of(news))
        inputs = args.model_dump(mode="json")
        client = self.client()
        fk = int(olds.get(self.scope.parent.fk_output) or id_)
        parent = {name: olds.get(name) for name in self.scope.parent.outputs}
        if any(inputs.get(name) != olds.get(name) for name in self.scope.parent.inputs if name not in self.release_fields):
            # The same parent under a new name (diff judged it so): its outputs follow, nothing is written.
            try:
                fk, parent = self.scope.parent.resolve(client, inputs)
            except refs.MissingParent as missing:
                raise ResourceError(f"{self.describe(inputs)}: {missing}") from None
            except BalenaError as exc:
                raise self._fail("update", inputs, exc) from None
        old_values: Mapping[str, Any] = olds.get(self.scope.map_input) or {}
        current = {key: (int(entry_id), old_values.get(key)) for key, entry_id in (olds.get(self.scope.ids_output) or {}).items()}
        desired: dict[str, str] = inputs[self.scope.map_input]
        written = self._write(client, fk, current, desired)
        if written.failures or written.conflicts:
            self._partial("update", fk, inputs, parent, written, None)
        return UpdateResult(self._outputs(inputs, parent, written.entries))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        ids = [int(i) for i in (props.get(self.scope.ids_output) or {}).values()]
        if not ids:
            return
        fk = int(props.get(self.scope.parent.fk_output) or id_)
        try:
            self._delete_many(self.scope.api(self.client()), fk, ids)
        except NotFound:
            return
        except BalenaError as exc:
            raise self._fail("delete", props, exc) from None

    def _delete_many(self, api: Any, fk: int, ids: Sequence[int]) -> None:
        """One request per :data:`DELETE_BATCH` entries (one for any map of ordinary size)."""
        for start in range(0, len(ids), DELETE_BATCH):
            api.delete_many(fk, list(ids[start : start + DELETE_BATCH]))

    def recover_create(self, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """After a create of this resource was interrupted (the provider host's journal): take the entries
        that exist with the keys and values sent, make the rest, and answer as the create would have.

        None when none of the map's entries exists (the host then creates as usual). An entry of one of
        the map's keys that holds another value is not taken: its POST meets it, as a key already taken.
        """
        args = self.args_model.model_validate(self.inputs_of(dict(props)))
        inputs = args.model_dump(mode="json")
        client = self.client()
        try:
            fk, parent = self.scope.parent.resolve(client, inputs)
        except refs.MissingParent:
            return None
        desired: dict[str, str] = inputs[self.scope.map_input]
        found = {
            self.scope.key_of(row): (row.id, row.value)
            for row in self.scope.api(client).list(fk)
            if desired.get(self.scope.key_of(row)) == row.value
        }
        if not found:
            return None
        written = self._write(client, fk, found, desired)
        if written.failures or written.conflicts:
            self._partial("create", fk, inputs, parent, written, len(desired))
        return str(fk), self._outputs(inputs, parent, written.entries)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            found = self._read(self.client(), id_, props)
        except (NotFound, refs.MissingParent):
            found = None
        except BalenaError as exc:
            if importing(props):
                raise ResourceError(f"{self.kind} {quote(id_)}: import failed: {exc}") from None
            raise self._fail("refresh", props, exc) from None
        if found is None:
            return ReadResult(None, {})  # type: ignore[arg-type]  # gone: the parent no longer exists
        new_id = str(found.pop("__id"))
        return ReadResult(new_id, found, self.read_inputs(found, props))

    def _read(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        parent_spec = self.scope.parent
        fk = props.get(parent_spec.fk_output)
        listed: list[str] | None = None
        if fk is None:
            # Adoption: `<PARENT>[:KEY,KEY,...]`, the parent by natural key or by its id (the resource id).
            head, names = self._split_import_id(id_)
            listed = None if names is None else decode_keys(names)
            if head.isdigit():
                fk = int(head)
                if not parent_spec.exists(client, fk):
                    return None
                parent_inputs, parent = parent_spec.from_id(client, fk)
            else:
                parent_inputs = parent_spec.parse(self.kind, head)
                fk, parent = parent_spec.resolve(client, parent_inputs)
            parent = {**parent_inputs, **parent}
        else:
            parent = {name: props.get(name) for name in (*parent_spec.inputs, *parent_spec.outputs)}
        ids = props.get(self.scope.ids_output)
        entries = props.get(self.scope.map_input)
        if isinstance(ids, Mapping):
            owned: set[str] | None = set(ids)
        elif isinstance(entries, Mapping):
            owned = set(entries)
        elif listed is not None:
            owned = set(listed)
        else:
            owned = None  # adopting every entry of the parent
        rows = self.scope.api(client).list(int(fk)) if owned is None or owned else []
        if not rows and not parent_spec.exists(client, int(fk)):
            return None  # the parent is gone, and its entries with it
        mine = [row for row in rows if owned is None or self.scope.key_of(row) in owned]
        return {
            **parent,
            self.scope.map_input: {self.scope.key_of(row): row.value for row in mine},
            self.scope.ids_output: {self.scope.key_of(row): row.id for row in mine},
            "__id": int(fk),
        }

    def _split_import_id(self, id_: str) -> tuple[str, str | None]:
        """(parent part, keys part or None). The keys come last and take the rest (names may hold ':')."""
        depth = self.scope.parent.id_parts
        pieces = id_.split(":", depth)
        if pieces and pieces[0].isdigit() and len(pieces[0]) < 32:
            head, _, rest = id_.partition(":")
            return head, (rest if ":" in id_ else None)
        if len(pieces) <= depth:
            return id_, None
        return ":".join(pieces[:depth]), pieces[depth]

    # -- writing a change set ------------------------------------------------------------------------------

    create_attempts: ClassVar[int] = 3

    def _write(
        self, client: BalenaClient, fk: int, current: Mapping[str, tuple[int, Any]], desired: Mapping[str, str]
    ) -> _Written:
        """Turn ``current`` (key -> (id, value)) into ``desired`` with the fewest requests, PATCHes and POSTs
        at once. Never raises for a write that fails: the result says what exists and what went wrong."""
        api = self.scope.api(client)
        written = _Written(entries=dict(current), conflicts=[], failures=[])
        removed = sorted(k for k in current if k not in desired)
        if removed:
            try:
                self._delete_many(api, fk, [current[k][0] for k in removed])  # one request for all of them
            except BalenaError as exc:
                written.failures.append(f"deleting {', '.join(removed)} failed: {exc}")
            else:
                written.done += len(removed)
                for key in removed:
                    written.entries.pop(key)
        changed = sorted(k for k in desired if k in current and current[k][1] != desired[k])
        added = sorted(k for k in desired if k not in current)

        def patch(key: str) -> Callable[[], Any]:
            return lambda: api.update(current[key][0], value=desired[key])

        def post(key: str) -> Callable[[], Any]:
            return lambda: api.create(fk, key, desired[key])

        outcomes = client.concurrently([patch(k) for k in changed] + [post(k) for k in added])
        unknown: dict[str, BalenaError] = {}
        for key, (_, error) in zip(changed, outcomes[: len(changed)]):
            if error is None:
                written.entries[key] = (current[key][0], desired[key])
                written.done += 1
            elif isinstance(error, NotFound):
                written.entries.pop(key, None)  # deleted outside Pulumi since the last refresh: create it
                unknown[key] = error
            else:
                written.failures.append(self._failed_write("changing", key, error))
        self._take_posts(written, added, outcomes[len(changed) :], desired, unknown)
        # A POST whose answer was lost, or a PATCH of an entry that has gone: one listing tells which exist.
        last_cause: dict[str, BalenaError] = {}
        for attempt in range(1, self.create_attempts + 1):
            if not unknown:
                break
            try:
                rows = {self.scope.key_of(row): row for row in api.list(fk)}
            except BalenaError as exc:
                for key, cause in sorted(unknown.items()):
                    written.failures.append(
                        f"creating {key}: the outcome is unknown ({cause}), and listing the entries failed too "
                        f"({exc}); run `pulumi refresh`, then `pulumi up`"
                    )
                return written
            again: list[str] = []
            for key, cause in sorted(unknown.items()):
                row = rows.get(key)
                if row is None:
                    again.append(key)  # not created: sending it again cannot duplicate it
                    last_cause[key] = cause
                elif row.value == desired[key]:
                    written.entries[key] = (row.id, row.value)
                    written.done += 1
                elif isinstance(cause, NotFound):
                    written.conflicts.append(key)
                else:
                    written.failures.append(
                        f"creating {key}: the answer was lost ({cause}) and the entry now exists with another value"
                    )
            unknown = {}
            if not again:
                break
            if attempt == self.create_attempts:
                written.failures += [
                    f"creating {key} failed {self.create_attempts} times, each time with an unknown outcome, and "
                    f"it does not exist (last: {last_cause[key]})"
                    for key in again
                ]
                break
            self._take_posts(written, again, client.concurrently([post(k) for k in again]), desired, unknown)
        return written

    def _take_posts(
        self,
        written: _Written,
        keys: Sequence[str],
        outcomes: Sequence[tuple[Any, Exception | None]],
        desired: Mapping[str, str],
        unknown: dict[str, BalenaError],
    ) -> None:
        for key, (made, error) in zip(keys, outcomes):
            if error is None:
                written.entries[key] = (int(made.id), desired[key])
                written.done += 1
            elif isinstance(error, Conflict) and error.is_unique_violation:
                written.conflicts.append(key)
            elif isinstance(error, OutcomeUnknown):
                unknown[key] = error  # it may have been stored: settled by one listing
            else:
                written.failures.append(self._failed_write("creating", key, error))

    def _failed_write(self, verb: str, key: str, error: Exception) -> str:
        if isinstance(error, BalenaError):
            return f"{verb} {key} failed: {error}"
        # A bug, not an API answer: say where, never the value.
        return f"{verb} {key} failed: unexpected {type(error).__name__}"

    # -- messages and results ------------------------------------------------------------------------------

    def _outputs(self, inputs: Mapping[str, Any], parent: Mapping[str, Any], entries: Mapping[str, tuple[int, Any]]) -> dict[str, Any]:
        return {
            **inputs,
            **parent,
            self.scope.map_input: {key: value for key, (_, value) in sorted(entries.items())},
            self.scope.ids_output: {key: entry_id for key, (entry_id, _) in sorted(entries.items())},
        }

    def _conflict_message(self, inputs: Mapping[str, Any], keys: Sequence[str], *, created: bool) -> str:
        many = len(keys) > 1
        them = "them" if many else "it"
        word = self.scope.rules.key_word
        owner = (
            f"the {self.scope.label}{'s' if many else ''} {', '.join(sorted(keys))} of {self.scope.parent.key(inputs)} "
            f"already exist{'' if many else 's'} and {'are' if many else 'is'} not managed by this resource"
        )
        key = self.natural_key(inputs)
        if created:
            return (
                f"{self.describe(inputs)}: {owner}: adopt {them} with import id {key!r} "
                f"(pulumi.ResourceOptions(import_={key!r}) adopts the {word}s listed after the last ':'), delete "
                f"{them} first, or leave {them} out of `{self.scope.map_input}`; nothing was created"
            )
        call = provider_context.current()
        urn = call.urn if call is not None and call.urn else "<urn>"
        return (
            f"{owner}: delete {them} first or leave {them} out of `{self.scope.map_input}`; to adopt {them} into "
            f"this resource, take the resource out of the state (`pulumi state delete '{urn}'`) and adopt all its "
            f"{word}s with import id {key!r}"
        )

    def _partial(
        self,
        step: str,
        fk: int,
        inputs: Mapping[str, Any],
        parent: Mapping[str, Any],
        written: _Written,
        wanted: int | None,
    ) -> None:
        """Raise the failure of a change set that was only partly made, with what exists now."""
        reasons = list(written.failures)
        if written.conflicts:
            reasons.append(self._conflict_message(inputs, written.conflicts, created=False))
        made = f"{written.done} write{'' if written.done == 1 else 's'} succeeded"
        exists = self._what(len(written.entries))
        head = f"{self.describe(inputs)}: {step} failed part way ({made}; {exists} of this resource exist now)"
        message = f"{head}: " + "; ".join(reasons) + (
            "; the state records exactly the entries that exist, and the next `pulumi up` makes the remaining changes"
        )
        if step == "create" and not written.entries:
            raise ResourceError(message.replace(" part way", "")) from None
        raise BulkPartialFailure(message, id=str(fk), outputs=self._outputs(inputs, parent, written.entries)) from None


def bulk_props(scope: BulkScope, resource_name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The property bag of a bulk resource, through the duplicate-management guard (keys of the map)."""
    from .guard import claim_inputs, names_of

    owner = f'{scope.kind} "{resource_name}"'
    names = names_of(inputs[scope.map_input])
    routed = claim_inputs(scope.claim_family, scope.label, owner, inputs, scope.parent.inputs, names)
    return resource_props(routed, scope.output_names)


def map_field(family: str, rules_text: str) -> Any:
    """The declaration of a bulk map input (``variables`` or ``tags``)."""
    word = "name" if family == "variables" else "key"
    return field(
        f"Map of {word} to value. {rules_text} Values may be Pulumi secrets one by one (each stays encrypted "
        f"in the state) or as a whole map. Entries added, changed or removed are created, updated or deleted "
        "in place; other entries of the parent are never touched.",
        change=Change.UPDATE,
        secret=True,
    )


__all__ = [
    "BulkDiff",
    "BulkParent",
    "BulkPartialFailure",
    "BulkProvider",
    "BulkScope",
    "EntryRules",
    "bulk_props",
    "decode_keys",
    "encode_keys",
    "entries_type",
    "entry_problems",
    "map_field",
    "property_path",
]
