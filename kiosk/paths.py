"""Where the app finds its bundled assets, from a source tree or a frozen bundle.

One resolver for sounds, style sheets, translations and icons, so that the
PyInstaller bundle and a git checkout behave the same.  ``KIOSK_ASSETS_DIR``
overrides both (useful for a site-specific sound pack).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ENV = "KIOSK_ASSETS_DIR"


def assets_dir() -> Path:
    override = os.environ.get(_ENV)
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "assets"
    return Path(__file__).resolve().parent.parent / "assets"


def asset(*parts: str) -> Path:
    """Path of one asset, e.g. ``asset("sounds", "new_order.wav")``; raises if it is missing."""
    path = assets_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"asset {'/'.join(parts)} not found in {assets_dir()} (set {_ENV} to override)"
        )
    return path
