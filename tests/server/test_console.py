"""The admin console's sign-in: cookie flags, CSRF on every write, lock-out, and nothing without it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.auth_throttle import FAILURES_ALLOWED
from tests.support.server_process import ServerProcess


def _signed_in(server: ServerProcess) -> tuple[requests.Session, str]:
    browser = requests.Session()
    answer = browser.post(
        f"{server.url}/admin/login", data={"token": server.admin_token}, allow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin"), answer.text
    page = browser.get(f"{server.url}/admin", allow_redirects=False)
    assert page.status_code == 200
    csrf = page.text.split('name="csrf" content="', 1)[1].split('"', 1)[0]
    return browser, csrf


def test_nothing_without_signing_in(server: ServerProcess) -> None:
    answer = requests.get(f"{server.url}/admin", allow_redirects=False, timeout=10)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin/login")
    assert requests.get(f"{server.url}/api/devices", timeout=10).status_code == 401


def test_the_cookie_is_httponly_strict_and_the_api_takes_it(server: ServerProcess) -> None:
    browser = requests.Session()
    answer = browser.post(
        f"{server.url}/admin/login", data={"token": server.admin_token}, allow_redirects=False
    )
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP here; behind TLS it is Secure (next test)
    assert server.admin_token not in cookie
    assert browser.get(f"{server.url}/api/devices", timeout=10).status_code == 200
    page = browser.get(f"{server.url}/admin", timeout=10)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_every_write_with_the_cookie_needs_the_csrf_token(server: ServerProcess) -> None:
    browser, csrf = _signed_in(server)
    started = requests.post(f"{server.url}/api/pairing", timeout=10).json()
    body = {"name": "kitchen-9", "rooms": ["display"]}
    forged = browser.post(f"{server.url}/api/pairing/{started['code']}/approve", json=body, timeout=10)
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_token_missing"
    wrong = browser.post(
        f"{server.url}/api/pairing/{started['code']}/approve", json=body, headers={"X-CSRF-Token": "x" * 32}
    )
    assert wrong.status_code == 403
    ok = browser.post(
        f"{server.url}/api/pairing/{started['code']}/approve", json=body, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 200, ok.text


def test_signing_out_ends_the_session(server: ServerProcess) -> None:
    browser, csrf = _signed_in(server)
    cookie = browser.cookies.get("kiosk_console")
    out = browser.post(f"{server.url}/admin/logout", data={"csrf": csrf}, allow_redirects=False)
    assert out.status_code == 303
    stolen = requests.get(f"{server.url}/api/devices", cookies={"kiosk_console": cookie or ""}, timeout=10)
    assert stolen.status_code == 401  # the old cookie no longer works anywhere


def test_a_device_token_cannot_sign_in_and_guessing_is_locked_out(server: ServerProcess) -> None:
    device = server.add_device("till-1", ["kasir-1"])
    refused = requests.post(
        f"{server.url}/admin/login", data={"token": device}, allow_redirects=False, timeout=10
    )
    assert refused.status_code == 401 and "kiosk_console" not in refused.headers.get("Set-Cookie", "")
    answers = [
        requests.post(f"{server.url}/admin/login", data={"token": f"guess-{n}"}, timeout=10).status_code
        for n in range(FAILURES_ALLOWED + 1)
    ]
    assert answers[-1] == 429, answers
    locked = requests.post(f"{server.url}/admin/login", data={"token": server.admin_token}, timeout=10)
    assert locked.status_code == 429  # even the right token waits: a lucky guess must not show


@pytest.fixture
def behind_tls(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "kiosk.db", extra_args=["--behind-proxy", "1"])
    process.start()
    yield process
    process.stop()


def test_behind_a_tls_balancer_the_cookie_is_secure(behind_tls: ServerProcess) -> None:
    answer = requests.post(
        f"{behind_tls.url}/admin/login",
        data={"token": behind_tls.admin_token},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303 and "Secure" in answer.headers["Set-Cookie"]


def test_no_admin_route_answers_without_a_session_and_no_write_without_its_csrf_token(
    server: ServerProcess,
) -> None:
    """Every route of the table, the console's new ones too: nothing for nobody, no write on a bare cookie."""
    from kiosk.protocol.api import ROUTES

    server.add_device("kitchen-1", ["display"])
    browser, _ = _signed_in(server)
    for route in ROUTES:
        if route.public:
            continue
        path = route.path(**{name: "kitchen-1" if name == "name" else 1 for name in route.params})
        path = path.replace("/rooms/1/", "/rooms/display/")
        bare = requests.request(route.method, f"{server.url}{path}", json={}, timeout=10)
        assert bare.status_code == 401, (route, bare.text)
        if route.method != "GET":
            forged = browser.request(route.method, f"{server.url}{path}", json={}, timeout=10)
            assert forged.status_code == 403, (route, forged.text)
            assert forged.json()["error"]["code"] == "csrf_token_missing", route
    stream = requests.get(f"{server.url}/admin/stream", timeout=10)
    assert stream.status_code == 401
