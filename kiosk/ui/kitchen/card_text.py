"""The strings an order card shows, apart from how they are laid out and painted.

Its own module because both card_layout.py (where each line goes) and
card_delegate.py (painting, and building these texts from an order) use it:
kept in either, the two would import each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemLines:
    main: str
    modifiers: str
    notes: str
    allergy: bool = False  # the note names an allergen: drawn on an amber band


@dataclass(frozen=True)
class CardText:
    """Every string a card shows, computed once and used by paint() and by tests."""

    number: str
    elapsed: str
    customer: str
    kind: str
    status: str
    reason: str
    items: tuple[ItemLines, ...]

    def lines(self) -> list[str]:
        out = [self.number, self.elapsed, self.customer, self.kind, self.status, self.reason]
        for item in self.items:
            out += [item.main, item.modifiers, item.notes]
        return [line for line in out if line]
