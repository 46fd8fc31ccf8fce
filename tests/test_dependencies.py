"""Every third-party package the code imports is declared in pyproject.toml."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_top_levels(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "consortium"}


def declared(requirements: list[str]) -> set[str]:
    """Distribution names, normalised (PEP 503), without versions or extras."""
    return {
        re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", r).group(0)).lower()
        for r in requirements
    }


def distributions_of(modules: set[str]) -> dict[str, set[str]]:
    known = packages_distributions()
    return {
        module: {re.sub(r"[-_.]+", "-", d).lower() for d in known.get(module, [module])}
        for module in modules
    }


def test_the_application_declares_what_it_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = declared(project["dependencies"])
    missing = {
        module
        for module, dists in distributions_of(imported_top_levels(ROOT / "consortium")).items()
        if not dists & runtime
    }
    assert missing == set()


def test_each_runtime_dependency_is_declared_once():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [
        re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", r).group(0)).lower()
        for r in project["dependencies"]
    ]
    assert len(names) == len(set(names))
