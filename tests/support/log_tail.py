"""The end of a child process's log file, for a failing test's message (one helper for every service)."""

from __future__ import annotations

from pathlib import Path


def log_tail(path: Path | None, lines: int = 40, *, missing: str = "(no log)") -> str:
    """The last ``lines`` lines of ``path``, or ``missing`` when there is no such file (yet)."""
    if path is None:
        return missing
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return missing
    return "\n".join(text.splitlines()[-lines:])
