"""The console's words in both UI languages (English, Indonesian), and which one a browser gets.

Declared once here: the page's HTML takes them from ``words(language)`` and
its script from the same table (a JSON block on the page), so a label never
exists in one language only; tests/server/test_console_text.py checks that
both languages have every key.  What the server or a screen says back
(an error message, a screen's refusal) is shown as it comes, in English.

The language is ``?lang=`` (kept in a cookie), else the cookie, else the
browser's Accept-Language, else English.
"""

from __future__ import annotations

from flask import Request

LANGUAGES = ("en", "id")
LANGUAGE_COOKIE = "kiosk_console_lang"

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Kiosk console",
        "sign_in": "Sign in",
        "admin_token": "Admin token",
        "wrong_token": "That is not the admin token.",
        "locked_out": "Too many failed sign-ins from this address; try again in %1 s.",
        "sign_out": "Sign out",
        "language": "Bahasa Indonesia",
        "screens": "Screens",
        "name": "Name",
        "rooms": "Rooms",
        "state": "State",
        "since": "Since",
        "lag": "Lag (applied seq)",
        "version": "Version",
        "address": "Address",
        "orders": "Orders",
        "sound": "Sound",
        "last_error": "Last error",
        "online": "online",
        "offline": "offline",
        "revoked": "revoked",
        "muted": "muted",
        "on": "on",
        "identify": "Identify",
        "reload": "Reload",
        "revoke": "Revoke",
        "confirm_revoke": "Revoke %1? The screen drops at once and needs pairing again.",
        "live": "Live",
        "connections": "connections",
        "orders_today": "orders today",
        "events_per_minute": "events per minute",
        "not_yet": "not measured yet",
        "in_room": "%1: %2 screen(s)",
        "open_orders": "Open orders per tenant",
        "tenant": "tenant %1: %2",
        "none": "none",
        "refusals": "Recent refusals",
        "alerts": "Recent alerts",
        "alert_all": "Alert every screen",
        "message_ph": "Message, e.g. Kitchen closes in 15 minutes",
        "send": "Send",
        "alert_sent": "Alert sent.",
        "pair": "Pair a new screen",
        "code_ph": "Code on the screen",
        "name_ph": "Name, e.g. kitchen-2",
        "rooms_ph": "Rooms, e.g. display",
        "approve": "Approve",
        "code": "Code",
        "screen": "Screen",
        "change": "Change a screen",
        "device_ph": "Screen's name",
        "new_name_ph": "New name (empty: keep)",
        "new_rooms_ph": "New rooms (empty: keep)",
        "save": "Save",
        "saved": "Saved: %1 in %2; it reconnects now.",
        "push": "Push settings",
        "to_screen": "to one screen",
        "to_room": "to a room",
        "target_ph": "Screen name or room",
        "value_ph": "Value, e.g. 240",
        "apply": "Apply",
        "applied": "%1: done — %2",
        "refused": "%1: refused — %2",
        "unanswered": "%1: no answer",
        "relayed": "Also sent to the screens on the other server processes; their reports show the outcome.",
        "nobody": "No screen is connected there.",
        "paused": "Live updates paused; reconnecting…",
        "info": "info",
        "warning": "warning",
        "error": "error",
        "pick": "Tap a screen's name to fill in the forms below.",
    },
    "id": {
        "title": "Konsol Kiosk",
        "sign_in": "Masuk",
        "admin_token": "Token admin",
        "wrong_token": "Itu bukan token admin.",
        "locked_out": "Terlalu banyak percobaan masuk yang gagal dari alamat ini; coba lagi dalam %1 detik.",
        "sign_out": "Keluar",
        "language": "English",
        "screens": "Layar",
        "name": "Nama",
        "rooms": "Ruang",
        "state": "Status",
        "since": "Sejak",
        "lag": "Tertinggal (seq)",
        "version": "Versi",
        "address": "Alamat",
        "orders": "Pesanan",
        "sound": "Suara",
        "last_error": "Kesalahan terakhir",
        "online": "daring",
        "offline": "luring",
        "revoked": "dicabut",
        "muted": "senyap",
        "on": "nyala",
        "identify": "Tunjukkan",
        "reload": "Muat ulang",
        "revoke": "Cabut",
        "confirm_revoke": "Cabut %1? Layar langsung terputus dan perlu dipasangkan lagi.",
        "live": "Langsung",
        "connections": "koneksi",
        "orders_today": "pesanan hari ini",
        "events_per_minute": "peristiwa per menit",
        "not_yet": "belum terukur",
        "in_room": "%1: %2 layar",
        "open_orders": "Pesanan terbuka per tenant",
        "tenant": "tenant %1: %2",
        "none": "tidak ada",
        "refusals": "Penolakan terakhir",
        "alerts": "Peringatan terakhir",
        "alert_all": "Peringatan ke semua layar",
        "message_ph": "Pesan, mis. Dapur tutup 15 menit lagi",
        "send": "Kirim",
        "alert_sent": "Peringatan terkirim.",
        "pair": "Pasangkan layar baru",
        "code_ph": "Kode di layar",
        "name_ph": "Nama, mis. dapur-2",
        "rooms_ph": "Ruang, mis. display",
        "approve": "Setujui",
        "code": "Kode",
        "screen": "Layar",
        "change": "Ubah layar",
        "device_ph": "Nama layar",
        "new_name_ph": "Nama baru (kosong: tetap)",
        "new_rooms_ph": "Ruang baru (kosong: tetap)",
        "save": "Simpan",
        "saved": "Tersimpan: %1 di %2; layar menyambung ulang sekarang.",
        "push": "Kirim pengaturan",
        "to_screen": "ke satu layar",
        "to_room": "ke satu ruang",
        "target_ph": "Nama layar atau ruang",
        "value_ph": "Nilai, mis. 240",
        "apply": "Terapkan",
        "applied": "%1: selesai — %2",
        "refused": "%1: ditolak — %2",
        "unanswered": "%1: tidak menjawab",
        "relayed": "Juga dikirim ke layar di proses server lain; laporan layar itu menunjukkan hasilnya.",
        "nobody": "Tidak ada layar yang tersambung di sana.",
        "paused": "Pembaruan langsung terhenti; menyambung ulang…",
        "info": "info",
        "warning": "peringatan",
        "error": "galat",
        "pick": "Ketuk nama layar untuk mengisi formulir di bawah.",
    },
}


def words(language: str) -> dict[str, str]:
    return TEXT[language if language in TEXT else "en"]


def fill(template: str, *values: str) -> str:
    """``%1``, ``%2``… replaced in one pass, as the screens' ``fill`` (a value holding %2 stays as it is)."""
    out, i = [], 0
    while i < len(template):
        if template[i] == "%" and i + 1 < len(template) and template[i + 1].isdigit():
            index = int(template[i + 1]) - 1
            out.append(values[index] if index < len(values) else template[i : i + 2])
            i += 2
        else:
            out.append(template[i])
            i += 1
    return "".join(out)


def language_of(request: Request) -> str:
    """``?lang=``, else the cookie, else the browser's first language we have, else English."""
    asked = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if asked in LANGUAGES:
        return asked
    best = request.accept_languages.best_match(LANGUAGES)
    return best or "en"
