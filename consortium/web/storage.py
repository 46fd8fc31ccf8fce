"""Writing uploaded files safely: all or nothing, and a clear error when the disk refuses.

No Flask here: services call :func:`write_upload`; the web layer turns
:class:`StorageUnavailable` into a "try again" page (consortium/web/errors.py) after rolling
the transaction back, so no row points at a missing or half-written file.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


class StorageUnavailable(Exception):
    """An uploaded file could not be written (disk full, read-only folder, quota...)."""


def write_upload(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place; on any
    OSError the partial file is removed and StorageUnavailable is raised."""
    temporary = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise StorageUnavailable(f"{path.parent}: {error.strerror or error}") from error
