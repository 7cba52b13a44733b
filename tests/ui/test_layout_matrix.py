"""Every screen, at every common kiosk resolution, in both languages, stays inside the screen.

The field saw windows grow past a 1366x768 screen: a long connection detail made the
kitchen window 1832 px wide, a long receipt made the cashier window 1388x1305.  Each
case here starts its own Xvfb of that size with openbox as the window manager (a
fullscreen request goes through a real WM, as on a kiosk PC), runs the real screen in
a child process against the real server (tests/ui/layout_probe.py), with data that
stresses the layout, and checks the global geometry of every window and visible widget.
Screenshots: test-artifacts/layout-<room>-<w>x<h>-<lang>.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.flows import pay
from tests.support.server_process import ServerProcess
from tests.ui.conftest import ARTIFACTS
from tests.ui.layout_probe import LONG_DETAIL, MARKER
from tests.ui.x_display import wait_for_file  # noqa: F401 - kept importable from here

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("display", "kasir-1", "tenant-1", "board")
SIZES = ((1024, 768), (1366, 768), (1920, 1080))
LANGUAGES = ("en", "id")
# What must be on screen, whole, at every size: (objectName, what a person calls it).
REQUIRED: dict[str, tuple[str, ...]] = {
    "all": ("clockLabel", "muteButton", "connectionBadge", "roomLabel"),
    "display": ("allDayPanel", "recallButton", "cardGrid"),
    "kasir-1": ("totalsPanel", "printButton", "pdfButton", "refundButton", "receiptChange", "transactions"),
    "tenant-1": ("acceptButton", "readyButton", "completeButton", "cancelButton", "tenantOrders"),
    "board": ("preparingHeading", "readyHeading", "preparingGrid", "readyGrid"),
}

LONG_NAME = "Raden Ayu Siti Nurhaliza Kusumawardhani Prameswari binti Haji Abdurrahman W."  # 80 max
LONG_NOTE = (
    "Tanpa bawang, tanpa micin, sambal dipisah, nasi setengah porsi, telur dadar jangan terlalu "
    "matang, kerupuk dibungkus terpisah karena dibawa pulang naik motor, alergi kacang tanah "
    "dan udang, tolong jangan pakai minyak bekas goreng ikan. "
) * 2
LONG_DISH = (
    "Nasi Goreng Kampung Spesial Komplit dengan Ayam Suwir, Telur Mata Sapi, Sate Usus dan Kerupuk Udang"
)
LONG_ALERT = (
    "Printer dapur lantai 3 tidak merespons sejak 12:03; pesanan tetap masuk ke layar. "
    "Kitchen printer on floor 3 has not answered since 12:03; orders still reach the screens. "
) * 3
LONG_ALERT = LONG_ALERT[:480].strip()  # the contract allows 500 characters


def item(n: int, **extra: Any) -> dict[str, Any]:
    return {"name": f"{LONG_DISH} #{n}", "qty": 1 + n % 3, "price": 12_500 + 500 * n, **extra}


def seed(server: ServerProcess, room: str) -> dict[str, Any]:
    """Orders (and payments) that stress the layout; returns what the child waits for and posts."""
    tenant = 1
    orders = [
        server.create_order(tenant, customer_name=LONG_NAME, items=[item(1, notes=LONG_NOTE)]),
        server.create_order(tenant, customer_name=LONG_NAME[:40], items=[item(n) for n in range(12)]),
        server.create_order(
            tenant,
            customer_name="Budi",
            type="takeaway",
            items=[
                item(n, notes=LONG_NOTE[:120], modifiers=["extra pedas level 5", "tanpa es"])
                for n in range(4)
            ],
        ),
    ]
    orders += [server.create_order(tenant, customer_name=f"{LONG_NAME[:60]} {n}") for n in range(5)]
    late_order = {"tenant_id": tenant, "customer_name": LONG_NAME, "items": [item(2, notes=LONG_NOTE)]}
    after_live: list[tuple[str, str, Any]] = [
        ("POST", "/api/alerts", {"severity": "warning", "message": LONG_ALERT})
    ]
    if not room.startswith("kasir"):
        after_live.append(("POST", "/api/orders", late_order))
        return {
            "rows": len(orders),
            "final_rows": len(orders) + 1,
            "after_live": after_live,
            "receipt_lines": 0,
        }
    for order in orders:
        pay(server, order, counter_id=1, amount_paid=order["total_amount"] + 3_000)
    extras = {"notes": "bungkus terpisah", "modifiers": ["sambal matah", "tanpa es"]}
    long_receipt = server.create_order(
        tenant, customer_name=LONG_NAME, items=[item(n, **extras) for n in range(40)]
    )
    payment = {"order_id": long_receipt["id"], "amount_paid": long_receipt["total_amount"] + 77_500,
               "payment_method": "cash", "counter_id": 1}  # fmt: skip
    after_live.append(("POST", "/api/payments", payment))  # opens its receipt while the screen is live
    return {"rows": len(orders), "final_rows": len(orders) + 1, "after_live": after_live, "receipt_lines": 40}


def run_probe(plan: dict[str, Any], display: str, tmp_path: Path) -> dict[str, Any]:
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(mode=0o700)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("KIOSK_") and k != "DBUS_SESSION_BUS_ADDRESS"
    }
    env.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        XDG_RUNTIME_DIR=str(runtime),
        KIOSK_CONFIG=str(tmp_path / "no-config.toml"),
        KIOSK_DATA_DIR=str(tmp_path / "data"),
        KIOSK_LOG_DIR=str(tmp_path / "logs"),
    )
    script = "from tests.ui.layout_probe import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(plan)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    assert done.returncode == 0 and lines, f"probe failed ({done.returncode}):\n{done.stderr[-4000:]}"
    result: dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
    return result


def inside(rect: list[int], screen: list[int]) -> bool:
    x, y, w, h = rect
    sx, sy, sw, sh = screen
    return x >= sx and y >= sy and x + w <= sx + sw and y + h <= sy + sh


def overflows(result: dict[str, Any]) -> list[str]:
    """Every window and visible widget that is (partly) off the screen, and every required control not seen whole."""
    screen = result["screen"]
    problems = [
        f"window {top['class']} {top['frame']} (minimum size hint {top['minimum_size_hint']})"
        for top in result["top_levels"]
        if not inside(top["frame"], screen) or not inside(top["geometry"], screen)
    ]
    for widget in result["widgets"]:
        shown = widget["shown"]
        if shown[2] > 0 and shown[3] > 0 and not inside(shown, screen):
            problems.append(f"{widget['class']} {widget['name']!r} {widget['text']!r} at {widget['rect']}")
    return problems


def missing(result: dict[str, Any], room: str) -> list[str]:
    by_name = {w["name"]: w for w in result["widgets"] if w["name"]}
    screen = result["screen"]
    lost = []
    for name in REQUIRED["all"] + REQUIRED[room]:
        widget = by_name.get(name)
        if widget is None:
            lost.append(f"{name}: not visible")
        elif not (widget["unclipped"] and inside(widget["rect"], screen)) or 0 in widget["rect"][2:]:
            lost.append(f"{name}: cut off at {widget['rect']}")
    return lost


def cut_counts(result: dict[str, Any]) -> list[str]:
    """The header's count or summary: the open orders, or the cashier's net, is never cut."""
    header = next(w for w in result["widgets"] if w["name"] == "openCount")
    first_part = header["full_text"].split(" · ")[0]
    if header["painted"] is None or header["painted"].startswith(first_part):
        return []
    return [f"openCount {header['full_text']!r} painted as {header['painted']!r}"]


CASES = [
    pytest.param(room, size, lang, id=f"{room}-{size[0]}x{size[1]}-{lang}")
    for room in ROOMS
    for size in SIZES
    for lang in LANGUAGES
]


@pytest.mark.slow
@pytest.mark.parametrize(("room", "x_session", "lang"), CASES, indirect=["x_session"])
def test_the_screen_stays_inside_the_screen(
    room: str, x_session: tuple[str, int, int], lang: str, server: ServerProcess, tmp_path: Path
) -> None:
    display, width, height = x_session
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"layout-{room}-{width}x{height}-{lang}.png"
    plan = seed(server, room)
    plan.update(
        server=server.url, admin=server.admin_token, token=server.add_device(f"layout-{room}", [room]),
        room=room, lang=lang, tmp=str(tmp_path), screenshot=str(shot),
    )  # fmt: skip
    result = run_probe(plan, display, tmp_path)
    assert result["screen"] == [0, 0, width, height]
    assert result["screenshot_saved"], f"no screenshot at {shot}"
    assert LONG_DETAIL in result["badge_tooltip"]  # the whole detail is one touch away
    problems = overflows(result) + missing(result, room) + cut_counts(result)
    assert not problems, f"{len(problems)} problem(s) at {width}x{height} ({lang}):\n" + "\n".join(
        problems[:40]
    )


PAIRING_CASES = [
    pytest.param(size, lang, id=f"pairing-{size[0]}x{size[1]}-{lang}") for size in SIZES for lang in LANGUAGES
]


@pytest.mark.slow
@pytest.mark.parametrize(("x_session", "lang"), PAIRING_CASES, indirect=["x_session"])
def test_the_pairing_screen_stays_inside_the_screen_with_a_code_readable_from_afar(
    x_session: tuple[str, int, int], lang: str, server: ServerProcess, tmp_path: Path
) -> None:
    """A new screen's first sight: the code, the server and how to approve it, whole, at every size."""
    display, width, height = x_session
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"layout-pairing-{width}x{height}-{lang}.png"
    plan = {
        "server": server.url,
        "room": "pairing",
        "lang": lang,
        "tmp": str(tmp_path),
        "screenshot": str(shot),
    }
    result = run_probe(plan, display, tmp_path)
    assert result["screen"] == [0, 0, width, height]
    assert result["screenshot_saved"], f"no screenshot at {shot}"
    problems = overflows(result)
    by_name = {w["name"]: w for w in result["widgets"] if w["name"]}
    code = by_name.get("pairing-code")
    if code is None or not inside(code["rect"], result["screen"]) or not code["unclipped"]:
        problems.append(f"the code is not whole on screen: {code}")
    assert not problems, f"{len(problems)} problem(s) at {width}x{height} ({lang}):\n" + "\n".join(
        problems[:40]
    )
    assert result["code_pixels"] >= height // 8  # readable from 2 m: an eighth of the screen or more
