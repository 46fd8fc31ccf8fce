"""Exact regression tests for the faults the hardening sweeps found."""

from __future__ import annotations

import pytest

from consortium.calls.catalogue import CatalogueError, parse_catalogue


def test_catalogue_nested_deeper_than_the_stack_is_refused_not_a_crash():
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(b"[" * 100_000 + b"]" * 100_000)
    assert caught.value.template == "The file is nested too deeply."
