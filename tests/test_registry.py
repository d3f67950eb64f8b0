"""Every resource kind ships as four things: its module, its test file, its doc page, its registry line."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from balena_pulumi.resources import REGISTRY
from balena_pulumi.resources.tokens import KINDS, token

ROOT = Path(__file__).resolve().parent.parent


def test_every_registered_kind_is_a_known_kind():
    assert set(REGISTRY) <= set(KINDS)


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_kind_has_module_class_token_test_and_doc(kind: str):
    module_name = REGISTRY[kind]
    module = importlib.import_module(f"balena_pulumi.resources.{module_name}")
    cls = getattr(module, kind)
    assert f"pulumi-python:{cls._resource_type_name}" == token(kind)
    assert (ROOT / "tests" / "e2e" / f"test_{module_name}.py").exists(), f"no end-to-end test for {kind}"
    doc = ROOT / "docs" / "resources" / f"{module_name}.md"
    assert doc.exists(), f"no doc page for {kind}"
    text = doc.read_text()
    assert token(kind) in text, f"{doc} does not name the type token"
    assert "Import id" in text, f"{doc} does not document the import id"
