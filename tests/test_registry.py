"""Every resource kind ships as four things: its module, its test file, its doc page, its type token.

The registry is derived from the kind modules (``balena_pulumi/resources/<family>/<kind>.py``), so these
tests are what keeps a new kind complete: a module without a test, a doc page (with an `import_` example)
or a token in ``tokens.KINDS`` fails here.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from balena_pulumi.resources import REGISTRY, provider_class
from balena_pulumi.resources.tokens import KINDS, token

ROOT = Path(__file__).resolve().parent.parent


def test_the_registry_and_the_token_list_name_the_same_kinds():
    assert set(REGISTRY) == set(KINDS)


def test_every_kind_module_lives_in_a_family_package():
    for kind, module in REGISTRY.items():
        family, _, stem = module.partition(".")
        assert family and stem, f"{kind} is not in a family package"
        assert (ROOT / "balena_pulumi" / "resources" / family / f"{stem}.py").exists()


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_kind_has_module_class_token_test_and_doc(kind: str):
    stem = REGISTRY[kind].rsplit(".", 1)[-1]
    module = importlib.import_module(f"balena_pulumi.resources.{REGISTRY[kind]}")
    cls = getattr(module, kind)
    assert f"pulumi-python:{cls._resource_type_name}" == token(kind)
    assert provider_class(kind).kind == kind
    assert (ROOT / "tests" / "e2e" / f"test_{stem}.py").exists(), f"no end-to-end test for {kind}"
    doc = ROOT / "docs" / "resources" / f"{stem}.md"
    assert doc.exists(), f"no doc page for {kind}"
    text = doc.read_text()
    assert token(kind) in text, f"{doc} does not name the type token"
    assert "Import id" in text, f"{doc} does not document the import id"
    assert "import_=" in text, f"{doc} has no example of adopting an existing object with import_"
