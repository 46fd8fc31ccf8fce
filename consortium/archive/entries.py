"""Which archive entry names are safe to unpack, and where they may land.

A backup or proposal archive may come from anyone who persuades an administrator to restore
it, so every name is treated as hostile: absolute paths, ``..``, drive letters, backslashes,
empty or ``.`` parts, NUL bytes, symbolic links and names given twice are refused, and each
file's resolved target must stay inside the folder it is unpacked to. Pure: no Flask, no
database.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath


class UnsafeEntry(ValueError):
    """An archive entry or manifest field that could write outside its folder."""


def check_entry_name(name: str) -> None:
    if not name or "\x00" in name or "\\" in name or ":" in name:
        raise UnsafeEntry(f"unsafe path in archive: {name!r}")
    if name.startswith("/"):
        raise UnsafeEntry(f"unsafe path in archive: {name!r}")
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UnsafeEntry(f"unsafe path in archive: {name!r}")


def check_entry_names(names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        check_entry_name(name)
        if name in seen:
            raise UnsafeEntry(f"unsafe archive: {name!r} appears twice")
        seen.add(name)


def is_symbolic_link(external_attr: int) -> bool:
    """Whether a zip entry's Unix mode (high 16 bits of ``external_attr``) is a link."""
    return stat.S_ISLNK(external_attr >> 16)


def target_inside(root: Path, relative: str) -> Path:
    """``root / relative`` once checked to resolve inside ``root`` (links followed)."""
    check_entry_name(relative)
    target = Path(root) / PurePosixPath(relative)
    resolved_root = Path(root).resolve()
    if not target.resolve().is_relative_to(resolved_root):
        raise UnsafeEntry(f"unsafe path in archive: {relative!r} leaves its folder")
    return target
