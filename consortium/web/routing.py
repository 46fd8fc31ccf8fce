"""URL converters."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` limited to PostgreSQL's integer range: a larger id is a 404, not an
    overflow deep in the database driver."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)
