"""Guard against PYSIDE-3474: PySide6 6.12.0 on Python < 3.12 leaks a reference
to ``None`` on every void-returning call, until the interpreter aborts with
``none_dealloc``.  If a future bump of the PySide6 pin brings it back, this
test fails instead of the kiosk dying at the lunch rush.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

CALLS = 5000


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 (PEP 683)")
def test_void_qt_calls_do_not_consume_references_to_none(qapp: object) -> None:
    label = QLabel()
    holder = QObject()
    before = sys.getrefcount(None)
    for n in range(CALLS):
        label.setText("x")  # void C++ methods, wrapped to return None
        holder.setObjectName("y")
        label.setVisible(n < 0)
    after = sys.getrefcount(None)
    # The leak removes one reference per call (15 000 here); a little noise
    # from the interpreter itself is allowed, a per-call loss is not.
    assert after >= before - 100, f"refcount(None) fell by {before - after} over {3 * CALLS} void Qt calls"
