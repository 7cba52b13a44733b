"""A free X display number for a test's own Xvfb."""

from __future__ import annotations

import random
from pathlib import Path


def free_display_number() -> int:
    """A number with neither a lock file nor a socket (random, so parallel runs rarely collide)."""
    candidates = list(range(200, 400))
    random.shuffle(candidates)
    for number in candidates:
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number between 200 and 399")
