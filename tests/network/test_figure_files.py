"""The figure cache shared by the worker processes: files in the instance folder."""

from __future__ import annotations

import os

from consortium.network.services import FigureFiles


def test_round_trip_and_pruning(tmp_path) -> None:
    files = FigureFiles(tmp_path / "figures", keep=2)
    assert files.get("a") is None
    for number, key in enumerate(("a", "b", "c")):
        files.put(key, key.encode())
        os.utime(tmp_path / "figures" / f"{key}.png", (1000 + number, 1000 + number))
    files.put("c", b"c")  # pruning runs on each write: the oldest ("a") is gone
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["b.png", "c.png"]
    assert files.get("b") == b"b" and files.get("a") is None


def test_an_unwritable_folder_is_a_miss_not_an_error(tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    files = FigureFiles(blocker / "figures")
    files.put("a", b"png")
    assert files.get("a") is None
