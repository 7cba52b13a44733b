"""Bounds both sides agree on for values that travel outside a model: seqs, ids in paths, keys.

A screen keeps some of these on disk between runs (the resume seq, queued
actions), where anything may have happened to them; it checks them against
these bounds before it sends them, so a damaged file cannot turn into a
request the server refuses forever, or into a request for another path.
"""

from __future__ import annotations

import re

# The largest seq the server accepts in ?after= (JSON numbers are exact up to 2^53).
MAX_SEQ = 2**53
# The longest Idempotency-Key the server stores.
MAX_IDEMPOTENCY_KEY = 200

# An entity id as it may stand in a URL path segment unquoted: the server's ids are whole
# numbers; an older backend's may be text, but only unreserved URL characters, starting
# with a letter or digit (so never "." or "..", never a "/").
_PLAIN_TEXT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.~-]{0,127}")
PLAIN_ID_RULE = "a whole number, or up to 128 letters, digits and _ . ~ - starting with a letter or digit"


def is_valid_seq(value: object) -> bool:
    """A seq a server could have given: a whole number (not a bool) in 0..MAX_SEQ."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SEQ


def is_plain_id(value: object) -> bool:
    """An order or payment id that can go into ``/api/orders/<id>`` as it is.

    Anything else is refused rather than percent-encoded: the server's WSGI
    layer decodes ``%2F`` before routing (``/api/orders/1%2Fstatus`` reaches
    ``/api/orders/1/status``), and ``requests`` turns ``%2E%2E`` back into
    ``..``, which urllib3 then resolves away.
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value <= MAX_SEQ
    return isinstance(value, str) and _PLAIN_TEXT_ID.fullmatch(value) is not None
