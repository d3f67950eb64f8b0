"""Which resources the root program registers for a config, and the import id of each (no engine needed).

:func:`plan` runs ``program.build`` itself on the config, under Pulumi's in-process mocks (the runtime
the SDK offers for unit tests: no engine, no provider, no request). Each balena resource the program
registers becomes a :class:`Record`: its kind, its resource name, its inputs as the provider would
receive them, and its natural-key import id from the kind's own ``natural_key`` (``None`` for kinds
adopted by numeric id). Because it is the program's own code that registers them, the records follow
whatever kinds and names ``build`` uses; nothing here knows how the program maps config to resources.

The run happens in a copy of the current context, so the Pulumi settings it installs vanish with it.
"""

from __future__ import annotations

import contextvars
import copy
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from balena_pulumi import program
from balena_pulumi.resources import provider_class, tokens

# The output through which children name a parent by its natural key. The mocks answer it with the
# parent's natural key, as the API would (a fleet's slug is its import id).
NATURAL_KEY_OUTPUTS: dict[str, str] = {"Fleet": "slug"}


@dataclass(frozen=True)
class Record:
    kind: str
    name: str
    inputs: dict[str, Any]
    natural_key: str | None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


class _Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.records: list[Record] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = {k: v for k, v in args.inputs.items() if k != "__provider"}
        if args.typ.startswith(tokens.TOKEN_PREFIX):
            kind = args.typ[len(tokens.TOKEN_PREFIX):]
            provider = provider_class(kind)()
            inputs = {k: outputs.get(k) for k in provider.input_fields}
            key = provider.natural_key(inputs)
            self.records.append(Record(kind, args.name, inputs, key))
            if kind in NATURAL_KEY_OUTPUTS:
                outputs[NATURAL_KEY_OUTPUTS[kind]] = key
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        return {}


def to_raw(config: dict[str, Any], secrets: dict[str, Any] | None) -> dict[str, Any]:
    """Config in its key names (``apiKeys``) to the model's field names (``api_keys``), secrets included."""
    raw = {program._KEYS[key]: copy.deepcopy(value) for key, value in config.items()}
    if secrets:
        raw["secrets"] = copy.deepcopy(secrets)
    return raw


def plan(config: dict[str, Any], secrets: dict[str, Any] | None = None) -> tuple[list[Record], program.OrganizationSpec]:
    """Run the root program on ``config`` (config key names, without ``balena-org:``) under mocks."""
    spec = program.parse_spec(to_raw(config, secrets))
    recorder = _Recorder()

    def run() -> None:
        mocks.set_mocks(recorder, project=program.NAMESPACE, stack="discover", preview=False)
        _sync_await(run_pulumi_func(lambda: program.build(spec)))

    contextvars.copy_context().run(run)
    return recorder.records, spec
