"""The console in both languages: every word in each, the same placeholders, and the language a browser gets."""

from __future__ import annotations

import re

import requests

from server.console_text import TEXT, fill
from tests.support.server_process import ServerProcess


def test_both_languages_have_every_word_with_the_same_placeholders() -> None:
    assert set(TEXT["en"]) == set(TEXT["id"])
    for key, english in TEXT["en"].items():
        assert sorted(re.findall(r"%\d", english)) == sorted(re.findall(r"%\d", TEXT["id"][key])), key


def test_fill_replaces_in_one_pass() -> None:
    assert fill("%1: %2 screen(s)", "display", "%1") == "display: %1 screen(s)"


def test_the_page_follows_the_browser_and_then_the_admins_pick(server: ServerProcess) -> None:
    indonesian = requests.get(
        f"{server.url}/admin/login", headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}, timeout=10
    )
    assert '<html lang="id">' in indonesian.text and "Konsol Kiosk" in indonesian.text
    browser = requests.Session()
    picked = browser.get(f"{server.url}/admin/login?lang=en", headers={"Accept-Language": "id"}, timeout=10)
    assert '<html lang="en">' in picked.text and "Kiosk console" in picked.text
    again = browser.get(f"{server.url}/admin/login", headers={"Accept-Language": "id"}, timeout=10)
    assert '<html lang="en">' in again.text  # the pick is kept in a cookie
    refused = browser.post(f"{server.url}/admin/login?lang=id", data={"token": "wrong"}, timeout=10)
    assert refused.status_code == 401 and "Itu bukan token admin." in refused.text
