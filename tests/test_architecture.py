"""Import rules, checked by import-linter with the contracts of pyproject.toml.

Three contracts (CONTRIBUTING.md, "Import contracts"): the layers inside each area, pure
modules free of the framework, and one-way imports between the services of different areas.
The tests below run them on the real code, show that each one fails on a deliberately added
upward import (on the import graph, never in the code), and keep the contracts from going
stale: the list of pure modules follows a naming rule instead of someone's memory.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest
from importlinter import api
from importlinter.application import use_cases
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "consortium"
PYPROJECT = str(ROOT / "pyproject.toml")

#: The naming rule. Framework glue is a module with one of these names (the layers of an area,
#: a background job, the app's extensions, the login guards, the proposal access check, the
#: database backup), or any module of these packages (the Flask glue, the JSON API, the demo
#: loader). Every other module of consortium/ is pure: no Flask, no SQLAlchemy, no models.
GLUE_NAMES = frozenset(
    {
        "__init__",
        "models",
        "forms",
        "views",
        "services",
        "cli",
        "jobs",
        "extensions",
        "guards",
        "access",
        "backup",
    }
)
GLUE_PACKAGES = frozenset(
    {"consortium.web", "consortium.api", "consortium.demo", "consortium.migrations"}
)

CONTRACT_TYPES = {"layers": LayersContract, "forbidden": ForbiddenContract}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def pure_by_rule() -> set[str]:
    names = set()
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        if path.stem in GLUE_NAMES or any(
            name == p or name.startswith(p + ".") for p in GLUE_PACKAGES
        ):
            continue
        names.add(name)
    return names


def contracts() -> dict[str, object]:
    configuration = api.read_configuration(PYPROJECT)
    return {
        options["id"]: CONTRACT_TYPES[options["type"]](
            name=options["name"],
            session_options=configuration["session_options"],
            contract_options=options,
        )
        for options in configuration["contracts_options"]
    }


def contract_options(contract_id: str) -> dict:
    configuration = api.read_configuration(PYPROJECT)
    return next(c for c in configuration["contracts_options"] if c["id"] == contract_id)


@pytest.fixture
def graph() -> grimp.ImportGraph:
    """A fresh graph per test: checking a contract removes its ignored imports from it."""
    return grimp.build_graph("consortium", include_external_packages=True, cache_dir=None)


def test_lint_imports_passes():
    """What `lint-imports` runs in CI: every contract kept."""
    assert use_cases.lint_imports(config_filename=PYPROJECT) is True


def test_pure_modules_contract_lists_every_module_the_rule_calls_pure():
    """A new module outside the glue names is pure until proven otherwise: add it to the
    contract (or, if it really is glue, give it a glue name)."""
    listed = set(contract_options("pure-modules")["source_modules"])
    assert listed == pure_by_rule()


def test_every_area_services_module_has_a_place_between_areas(graph):
    layers = contract_options("services-between-areas")["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    services = {m for m in graph.modules if m.startswith("consortium.") and m.endswith(".services")}
    assert placed == services


@pytest.mark.parametrize("contract_id", ["area-layers", "pure-modules", "services-between-areas"])
def test_the_real_code_keeps_the_contract(graph, contract_id):
    assert contracts()[contract_id].check(graph, verbose=False).kept is True


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [
        # inside an area: a service must not reach up to its forms or views
        ("area-layers", "consortium.directory.services", "consortium.directory.forms"),
        ("area-layers", "consortium.fit.services", "consortium.fit.views"),
        ("area-layers", "consortium.tasks.models", "consortium.tasks.services"),
        # a pure module stays free of the framework, the database and the models
        ("pure-modules", "consortium.fit.scoring", "flask"),
        ("pure-modules", "consortium.network.analysis", "sqlalchemy"),
        ("pure-modules", "consortium.formatting", "consortium.extensions"),
        ("pure-modules", "consortium.dossier.drafting", "consortium.proposals.models"),
        # between areas: fit uses the network, never the reverse; commitments never use fit
        ("services-between-areas", "consortium.network.services", "consortium.fit.services"),
        ("services-between-areas", "consortium.commitments.services", "consortium.fit.services"),
        (
            "services-between-areas",
            "consortium.commitments.services",
            "consortium.dossier.services",
        ),
    ],
)
def test_an_added_upward_import_breaks_the_contract(graph, contract_id, importer, imported):
    contract = contracts()[contract_id]
    assert not graph.direct_import_exists(importer=importer, imported=imported)
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="x")
    try:
        assert contract.check(graph, verbose=False).kept is False
    finally:
        graph.remove_import(importer=importer, imported=imported)


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


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_nothing_imports_views(path):
    if path == PACKAGE / "__init__.py":
        return  # the factory registers the blueprints
    bad = {name for name in imported_modules(path) if name.endswith(".views") or ".views." in name}
    assert bad == set()
