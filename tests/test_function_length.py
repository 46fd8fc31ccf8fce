"""Short functions, thin views (CONTRIBUTING.md, "Functions and views").

A function of ``consortium/`` fits on a screen (80 lines) and a view only routes: it reads the
request, calls services inside one transaction and answers (30 lines). The rules are checked on
the source with ``ast`` so that a long function fails here rather than in review. Alembic
migrations are exempt: their ``upgrade``/``downgrade`` are generated schema listings, read
as data rather than logic.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "consortium"
MAX_FUNCTION_LINES = 80
MAX_VIEW_LINES = 30
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete"})
EXEMPT_DIRS = (PACKAGE / "migrations",)


def _is_view(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ROUTE_DECORATORS
        for decorator in node.decorator_list
    )


def _functions(source: str):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, node.end_lineno - node.lineno + 1


def too_long(source: str) -> list[tuple[str, int, int]]:
    """``(name, lines, limit)`` for every function of ``source`` over its limit."""
    found = []
    for node, lines in _functions(source):
        limit = MAX_VIEW_LINES if _is_view(node) else MAX_FUNCTION_LINES
        if lines > limit:
            found.append((node.name, lines, limit))
    return found


def _modules():
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if not any(path.is_relative_to(exempt) for exempt in EXEMPT_DIRS)
    )


def _offenders() -> dict[tuple[str, str], int]:
    modules = _modules()
    assert len(modules) > 50  # the walk really reads the package
    return {
        (str(path.relative_to(PACKAGE)), name): lines
        for path in modules
        for name, lines, _limit in too_long(path.read_text(encoding="utf-8"))
    }


def test_no_function_or_view_is_over_its_limit():
    assert _offenders() == {}, "split these into named steps"


def test_the_rule_sees_a_long_view_and_a_long_function():
    view_body = "\n".join(f"    x{i} = {i}" for i in range(MAX_VIEW_LINES))
    function_body = "\n".join(f"    y{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    source = (
        f"@bp.post('/x')\ndef long_view():\n{view_body}\n\n"
        f"@bp.get('/y')\ndef short_view():\n    return 1\n\n"
        f"def long_function():\n{function_body}\n"
    )
    assert too_long(source) == [
        ("long_view", MAX_VIEW_LINES + 1, MAX_VIEW_LINES),
        ("long_function", MAX_FUNCTION_LINES + 1, MAX_FUNCTION_LINES),
    ]


@pytest.mark.parametrize("lines", [MAX_FUNCTION_LINES - 1, MAX_FUNCTION_LINES - 2])
def test_a_function_at_the_limit_passes(lines):
    body = "\n".join(f"    z{i} = {i}" for i in range(lines))
    assert too_long(f"def fits():\n{body}\n") == []
