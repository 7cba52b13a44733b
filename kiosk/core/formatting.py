"""Money and time as people in an Indonesian food court read them.

Plain Python so receipts, ESC/POS slips, the state dump and the screens all
format the same way.
"""

from __future__ import annotations

from datetime import datetime


def format_rupiah(amount: int) -> str:
    """``50000`` → ``Rp 50.000``; negative amounts (refunds) get a leading minus."""
    sign = "-" if amount < 0 else ""
    grouped = f"{abs(int(amount)):,}".replace(",", ".")
    return f"{sign}Rp {grouped}"


def format_clock(moment: datetime) -> str:
    """Local wall-clock time, 24 h: ``14:05``."""
    return moment.astimezone().strftime("%H:%M")


def format_elapsed(seconds: float) -> str:
    """A card's age: ``0:45``, ``12:03``, ``1:02:33``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
