"""The tree keeps the shape the README's Development section maps: what lives where, and which way
imports flow. Checked on the source (module-level imports), so a new file is held to it at once."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("helpdesk", "channels", "sla", "knowledge_base")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts}


def _top_level_imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `path` imports when it is loaded (imports inside functions are deferred)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def test_helpdesk_top_level_holds_only_the_app_wiring():
    loose = sorted(p.stem for p in (ROOT / "helpdesk").glob("*.py"))
    assert loose == ["__init__", "config", "demo", "extensions", "security"]
    assert not list(ROOT.glob("helpdesk/**/*_jobs.py"))


def test_a_domain_module_does_not_repeat_its_package_in_its_name():
    for package in ("sla", "surveys", "reports", "webchat", "telegram", "meta", "mail", "portal"):
        folder = ROOT / "helpdesk" / "services" / package
        assert (folder / "__init__.py").exists(), package
        stems = [p.stem for p in folder.glob("*.py")]
        assert not [s for s in stems if s.startswith(package.rstrip("s") + "_")], (package, stems)


def test_imports_flow_down_channels_and_sla_import_nothing_of_the_app():
    known = _modules()
    for name, path in known.items():
        deferred_too = {n for n in _all_imports(path)}
        if name.split(".")[0] in ("channels", "sla"):
            assert not [n for n in deferred_too if n.startswith(("helpdesk", "knowledge_base", "flask"))], name
        if name.startswith("helpdesk.models"):
            assert not [n for n in deferred_too if n.startswith("helpdesk.services")], name
        if name.startswith(("helpdesk.models", "helpdesk.services")):
            upwards = ("helpdesk.web", "helpdesk.api", "helpdesk.realtime", "helpdesk.jobs", "helpdesk.listeners",
                       "helpdesk.cli", "helpdesk.webchat", "helpdesk.webhooks")
            assert not [n for n in deferred_too if n.startswith(upwards)], name


def _all_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_import_cycle_at_load_time():
    known = _modules()
    graph = {name: _top_level_imports(path, known) - {name} for name, path in known.items()}
    # A package's own __init__ runs before its modules: importing `a.b` loads `a` first.
    for name in list(graph):
        parent = name.rpartition(".")[0]
        if parent in graph:
            graph[name].add(parent)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1 and not node.startswith(nxt + "."):
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
