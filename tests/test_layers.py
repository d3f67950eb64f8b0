"""The layers import one way only (docs/architecture.md): checked on the source, not by convention."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

RULES = {
    "balena_pulumi/client": ("pulumi", "pulumi_policy", "balena_pulumi.resources", "balena_pulumi.sandbox"),
    "balena_pulumi/sandbox": (
        "pulumi",
        "pulumi_policy",
        "balena_pulumi.client",
        "balena_pulumi.resources",
        "requests",
        "pydantic",
    ),
    "balena_pulumi/resources": ("balena_pulumi.sandbox", "pulumi_policy"),
    "policies": ("balena_pulumi.client", "balena_pulumi.sandbox", "balena_pulumi.engine", "balena_pulumi.program"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _cases():
    for folder, forbidden in RULES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield pytest.param(path, forbidden, id=str(path.relative_to(ROOT)))


@pytest.mark.parametrize(("path", "forbidden"), list(_cases()))
def test_module_respects_its_layer(path: Path, forbidden: tuple[str, ...]):
    bad = sorted(
        name for name in imported_modules(path) if any(name == f or name.startswith(f + ".") for f in forbidden)
    )
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}, which its layer may not use (docs/architecture.md)"


def test_policies_import_only_the_token_module_from_resources():
    for path in (ROOT / "policies").rglob("*.py"):
        for name in imported_modules(path):
            if name.startswith("balena_pulumi.resources"):
                assert name.startswith("balena_pulumi.resources.tokens"), f"{path} imports {name}"
