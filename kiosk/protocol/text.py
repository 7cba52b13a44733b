"""What a name, note or reason may contain: text people can read, nothing that hides or reorders it.

Names and notes reach every screen and printed receipt.  A control
character there garbles an ESC/POS printer and the log; right-to-left
overrides (U+202E) make "Budi <U+202E>gnp.exe" show as "Budi exe.png"; a name of only
zero-width spaces looks empty on every screen yet passes a length check.
So: control characters are refused (notes and messages keep line breaks and
tabs), direction overrides and isolates are dropped, and a text left with
nothing visible counts as empty.
"""

from __future__ import annotations

import unicodedata

# Embeddings, overrides and isolates: they reorder what follows them on screen.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\t")


def clean_text(value: str, *, multiline: bool = False, required: bool = True) -> str:
    """The text with direction controls dropped; ValueError for control characters, and for
    nothing visible when the text is required (an optional one becomes "")."""
    allowed = LINE_BREAKS if multiline else frozenset()
    for character in value:
        if unicodedata.category(character) == "Cc" and character not in allowed:
            raise ValueError(f"must not contain control characters (found U+{ord(character):04X})")
    text = "".join(character for character in value if character not in DIRECTION_CONTROLS).strip()
    if not any(_visible(character) for character in text):
        if required and value:
            raise ValueError("must contain a visible character (not only spaces or invisible ones)")
        return ""
    return text


def clean_line(value: str) -> str:
    return clean_text(value)


def clean_lines(value: str) -> str:
    return clean_text(value, multiline=True)


def clean_optional_lines(value: str) -> str:
    return clean_text(value, multiline=True, required=False)


def _visible(character: str) -> bool:
    return not character.isspace() and unicodedata.category(character) not in ("Cf", "Cc", "Zs", "Mn")
