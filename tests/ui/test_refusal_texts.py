"""Every refusal a screen can meet reads as a sentence in the screen's language, never as the server's English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.ui.i18n import install_translator
from kiosk.ui.refusals import order_refusal_text, refusal_text

SERVER_ENGLISH = "SERVER ENGLISH"
# What the server (and the screen's own checks) answer a screen with, beyond a malformed request.
CODES = [
    "unauthorized",
    "forbidden",
    "not_found",
    "internal_error",
    "storage_full",
    "storage_read_only",
    "storage_error",
    "storage_replaced",
    "server_stopping",
    "too_many_large_reads",
    "too_many_connections",
    "too_many_failed_logins",
    "body_too_large",
    "invalid_id",
]


@pytest.fixture
def english_after(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    install_translator(qapp, "en")


@pytest.mark.parametrize("code", CODES)
def test_each_refusal_reads_as_a_sentence_in_english_and_in_indonesian(
    english_after: QApplication, code: str
) -> None:
    install_translator(english_after, "en")
    english = refusal_text(code, SERVER_ENGLISH)
    assert english != SERVER_ENGLISH  # before: the server's English message, for six of these
    assert order_refusal_text(code, SERVER_ENGLISH) != SERVER_ENGLISH
    install_translator(english_after, "id")
    indonesian = refusal_text(code, SERVER_ENGLISH)
    assert indonesian not in (SERVER_ENGLISH, english)
