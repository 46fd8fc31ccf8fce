"""Layering rules: pure modules import no framework, and nothing imports views."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "consortium"
PURE_MODULES = sorted(
    path
    for path in PACKAGE.rglob("*.py")
    if path.stem
    in {
        "scoring",
        "checks",
        "thesaurus",
        "gemet",
        "analysis",
        "kernels",
        "timeline",
        "layouts",
        "exports",
        "figure",
        "document",
        "drafting",
        "markup",
        "wordimport",
        "schedule",
        "structure",
        "workflow",
        "budget",
        "letter",
        "catalogue",
        "permissions",
        "records",
        "spreadsheet",
        "countries",
        "dedupe",
        "folding",
        "rules",
        "findings",
        "budget_charts",
        "grid",
        "grid_workbook",
        "charts",
        "sources",
        "matching",
        "coparticipation",
    }
)
FORBIDDEN = (
    "flask",
    "flask_sqlalchemy",
    "flask_login",
    "flask_wtf",
    "flask_babel",
    "sqlalchemy",
    "consortium.extensions",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_pure_modules_exist():
    assert len(PURE_MODULES) >= 5


@pytest.mark.parametrize("path", PURE_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_module_imports_no_framework(path):
    bad = {
        name
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
        or name.endswith(".models")
        or ".models." in name
    }
    assert bad == set()


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_nothing_imports_views(path):
    if path == PACKAGE / "__init__.py":
        return  # the factory registers the blueprints
    bad = {name for name in imported_modules(path) if name.endswith(".views") or ".views." in name}
    assert bad == set()
