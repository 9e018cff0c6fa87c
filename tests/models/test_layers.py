"""The domain's layers import downwards only, as the README's Design section draws them.

A lower layer that needs an upper one to act calls a hook (``models/hooks.py``) that
``models/wiring.py`` connects; it never imports the upper layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Bottom first. Modules of one layer may import each other and anything below; the two
#: packages of the fourth layer stand side by side and do not import each other.
LAYERS: list[tuple[str, list[str]]] = [
    (
        "foundation: what every write uses inside its transaction",
        [
            "models.clock",
            "models.errors",
            "models.settings",
            "models.piccolo_conf",
            "models.sqlite_engine",
            "models.database",
            "models.vault",
            "models.sealing",
            "models.hooks",
            "models.organisations",
            "models.audit",
            "models.changes",
            "models.client_ids",
            "models.outbox",
        ],
    ),
    ("people: who signs in, staff and phones", ["models.people"]),
    ("cases", ["models.cases"]),
    ("follow-up", ["models.followup", "models.attachments"]),
    ("outcomes", ["models.outcomes"]),
    ("stories", ["models.stories"]),
    (
        "across: what reads across the others, and what wires them",
        [
            "models.tasks",
            "models.sync",
            "models.events",
            "models.keys",
            "models.piccolo_app",
            "models.wiring",
            "models.schema",
        ],
    ),
]
SIDE_BY_SIDE = {"outcomes", "stories"}


def layer_of(module: str) -> int:
    for index, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS (and to the README)")


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted((ROOT / "models").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__" and not path.read_text().strip():
            continue
        found.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return found


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module imported, line, whether inside a function) for every import of ours."""
    tree = ast.parse(path.read_text())
    inside = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for sub in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = (
                [f"{node.module}.{alias.name}" for alias in node.names]
                if node.module == "models"
                else [node.module]
            )
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in ("models", "api", "jobs"):
                found.append((name, node.lineno, id(node) in inside))
    return found


MODULES = _modules()


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_a_module_imports_only_its_own_layer_and_the_ones_below(module: str, path: Path):
    mine = layer_of(module)
    for imported, line, _ in _imports(path):
        where = f"{path.relative_to(ROOT)}:{line} imports {imported}"
        assert imported.split(".")[0] == "models", f"{where}: the domain knows no HTTP or jobs"
        theirs = layer_of(imported)
        assert theirs <= mine, f"{where}, an upper layer: call a hook instead"
        names = {LAYERS[mine][0], LAYERS[theirs][0]}
        assert names != SIDE_BY_SIDE, f"{where}: outcomes and stories stand side by side"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_no_import_hides_inside_a_function(module: str, path: Path):
    hidden = [f"line {line}: {name}" for name, line, inside in _imports(path) if inside]
    assert hidden == [], f"{module} imports inside a function (an import circle?): {hidden}"


def test_the_layer_test_itself_refuses_an_upward_import(tmp_path: Path):
    """A module of cases that imports outcomes is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from models.outcomes.frozen import freeze_on_closure\n")
    ((imported, _, _),) = _imports(bad)
    assert layer_of(imported) > layer_of("models.cases.lifecycle")
