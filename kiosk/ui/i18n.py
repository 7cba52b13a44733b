"""English and Indonesian, switchable while the app runs.

Source strings are English; ``assets/translations/kiosk_id.qm`` (made from
``kiosk_id.ts`` by ``scripts/update_translations.sh``) holds Indonesian.
Installing or removing a translator makes Qt send every widget a
LanguageChange event; each screen re-reads its texts in ``changeEvent``, so
switching language does not need a restart.  A missing .qm file leaves the
screen in English with one log line, rather than failing to start.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from kiosk.paths import asset

log = logging.getLogger("kiosk.ui")

LANGUAGES: dict[str, QLocale.Language] = {
    "en": QLocale.Language.English,
    "id": QLocale.Language.Indonesian,
}
_COUNTRIES = {"en": QLocale.Country.UnitedKingdom, "id": QLocale.Country.Indonesia}

_installed: list[QTranslator] = []
_current = "en"


def current_language() -> str:
    return _current


def install_translator(app: QCoreApplication, language: str) -> None:
    """Switch the whole UI to ``language`` ("en" or "id")."""
    global _current  # noqa: PLW0603 - one UI language per process, like Qt's own translator list
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not available; use one of {', '.join(LANGUAGES)}")
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    QLocale.setDefault(QLocale(LANGUAGES[language], _COUNTRIES[language]))
    _current = language
    if language == "en":
        log.info("UI language: English")
        return
    try:
        path = asset("translations", f"kiosk_{language}.qm")
    except FileNotFoundError as exc:
        log.warning("%s; the screen stays in English", exc)
        return
    translator = QTranslator(app)
    if not translator.load(str(path)):
        log.warning("translation file %s could not be loaded; the screen stays in English", path)
        return
    app.installTranslator(translator)
    _installed.append(translator)
    log.info("UI language: %s (%s)", language, path.name)


def fill(template: str, *values: str) -> str:
    """Qt-style %1, %2 placeholders filled in one pass (translators may reorder them).

    Why not ``.replace("%1", a).replace("%2", b)``: the values come from the
    wire, and an order number holding "%2" got the refusal's reason put inside
    it.  One pass never looks inside a value it has put in.
    """
    return re.sub(
        r"%(\d)",
        lambda m: values[int(m.group(1)) - 1] if 0 < int(m.group(1)) <= len(values) else m.group(0),
        template,
    )
