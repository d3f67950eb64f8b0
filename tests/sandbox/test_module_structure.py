"""The sandbox's modules import one way: no cycle, counting imports inside functions too, and no rule is
found by name through ``globals()``. Checked on the source with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

from balena_pulumi.sandbox.rules import FAMILIES, REGISTRY
from balena_pulumi.sandbox.schema import RESOURCES

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "balena_pulumi" / "sandbox"


def module_names(root: Path, package: str) -> dict[str, Path]:
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join([package, *parts])] = path
    return out


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """module -> modules of the package it imports anywhere in its body (module level or in functions).

    Importing ``pkg.sub.mod`` from outside ``pkg.sub`` also runs ``pkg.sub``'s ``__init__``, so that counts
    as an edge too; the root package's own ``__init__`` is left out (Python creates it before any child).
    """
    modules = module_names(root, package)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        here = mod if is_pkg else mod.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                    target = f"{base}.{node.module}" if node.module else base
                else:
                    target = node.module or ""
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    targets.add(sub if sub in modules else target)
        for t in targets:
            if t not in modules or t == mod:
                continue
            graph[mod].add(t)
            # packages between the root and the target whose __init__ runs on this import
            parts = t.split(".")
            for i in range(len(package.split(".")) + 1, len(parts)):
                parent = ".".join(parts[:i])
                if parent in modules and parent != mod and not mod.startswith(parent + "."):
                    graph[mod].add(parent)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_sandbox_has_no_import_cycle():
    graph = import_graph(PACKAGE_DIR, "balena_pulumi.sandbox")
    assert len(graph) > 20  # the walk found the package's modules
    assert "balena_pulumi.sandbox.store" in graph["balena_pulumi.sandbox.routes"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_check_sees_imports_inside_functions(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def late():\n    from ..a import x\n    return x\n")
    graph = import_graph(pkg, "pkg")
    assert graph["pkg.a"] == {"pkg.sub.b", "pkg.sub"}
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.a"]


def test_no_sandbox_module_looks_names_up_through_globals():
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("globals", "eval"):
                offenders.append(f"{path.relative_to(PACKAGE_DIR)}:{node.lineno}")
    assert offenders == []


def test_every_rules_family_is_registered_and_owns_only_sandbox_resources():
    families = REGISTRY.families()
    assert sorted(families) == sorted(f.FAMILY for f in FAMILIES)
    assert sorted(families) == ["devices", "fleets", "keys", "members", "organizations", "releases", "tags",
                                "variables"]
    names = {r.name for r in RESOURCES}
    owned = [name for resources in families.values() for name in resources]
    assert len(owned) == len(set(owned)) and set(owned) <= names
    assert REGISTRY.family_of("device_service_environment_variable") == "variables"
    assert REGISTRY.family_of("image__is_part_of__release") == "releases"
    assert REGISTRY.get("release").hooks() == ["before_post", "after_post", "before_patch", "after_patch",
                                               "before_delete"]
