"""Replace a file's whole content so that a reader, a crash or a power cut sees the old or the new, never half.

Why one helper: five writers (config, resume point, seen ids, offline
queue, the support state dump) each wrote a temporary file and renamed it,
and only one of them flushed it to disk first, so after a power cut the
others could leave an empty file under the real name (the kiosk PCs are
switched off at the wall).  The temporary is made with the final file's
permissions (``mode``), so a file holding the token is never readable by
others, not even for a moment, and it is removed if the write fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def replace_file(path: Path, chunks: bytes | Iterable[bytes], *, mode: int = 0o644) -> None:
    """Write ``chunks`` to ``path`` atomically and durably; raises OSError (nothing replaced) on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(chunks, bytes):
                handle.write(chunks)
            else:
                handle.writelines(chunks)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
