"""The console's HTML: a sign-in form, and one page for the screens, the live panel and the admin's actions.

Plain HTML and a small script (server/console_script.py), no build step, in
the browser's language (server/console_text.py).  Everything that comes from
the API is put on the page by the script with ``textContent`` (never as
HTML), so a device name or an error message holding markup shows as the text
it is.  Usable on a phone: one column, large touch targets, and the table
keeps name, state and actions there (the rest is for wider screens).
"""

from __future__ import annotations

import html

import orjson

from kiosk.protocol.screen_commands import PUSHABLE_SETTINGS
from server.console_text import fill, words

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#15161a;color:#e8eaf0}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:1.6rem}
a{color:#9ab8ff}
table{width:100%;border-collapse:collapse} td,th{padding:8px;border-bottom:1px solid #333;text-align:left}
td.name{cursor:pointer;text-decoration:underline dotted} td.actions{white-space:nowrap}
.online{color:#7ddc8a} .offline{color:#f0b27a} .revoked{color:#9aa3b2} .error,.warning{color:#f08c8c}
input,button,select{font-size:1rem;padding:8px 10px;margin:4px 0;min-height:44px;box-sizing:border-box}
button{background:#3a6df0;color:#fff;border:0;border-radius:6px;cursor:pointer;margin-right:4px}
button[data-action=revoke]{background:#8a2b2b}
form.inline{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:0 24px}
ul{padding-left:1.2rem} li{margin:2px 0}
header{display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between}
@media (max-width:700px){.wide{display:none} main{padding:8px} input{width:100%}
 .fleet thead{display:none} .fleet tr{display:flex;flex-wrap:wrap;align-items:center;border-bottom:1px solid #333}
 .fleet td{border:0;padding:6px 8px} .fleet td.actions{flex-basis:100%;padding-top:0}}
"""


def _head(language: str, title: str, extra: str = "") -> str:
    return f"""<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
{extra}<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"""


def login_html(language: str, message: str = "") -> str:
    t = words(language)
    note = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    other = "id" if language == "en" else "en"
    return f"""{_head(language, t["title"] + ": " + t["sign_in"])}
<body><main><header><h1>{t["title"]}</h1><a href="/admin/login?lang={other}">{t["language"]}</a></header>{note}
<form method="post" action="/admin/login">
<label for="token">{t["admin_token"]}</label><br>
<input id="token" name="token" type="password" autocomplete="current-password" required size="40"><br>
<button type="submit">{t["sign_in"]}</button></form></main></body></html>"""


def _script_text(language: str) -> str:
    """The words as a JSON block the script reads (not run: CSP allows only /admin/console.js)."""
    return orjson.dumps(words(language)).decode().replace("<", "\\u003c")


def console_html(csrf: str, language: str) -> str:
    t = {key: html.escape(value) for key, value in words(language).items()}
    token = html.escape(csrf, quote=True)
    other = "id" if language == "en" else "en"
    settings = "".join(f'<option value="{name}">{name}</option>' for name in PUSHABLE_SETTINGS)
    severities = "".join(f'<option value="{s}">{t[s]}</option>' for s in ("info", "warning", "error"))
    return f"""{_head(language, words(language)["title"], f'<meta name="csrf" content="{token}">')}
<body><main><header><h1>{t["title"]}</h1><span><a href="/admin?lang={other}">{t["language"]}</a>
<form method="post" action="/admin/logout" style="display:inline"><input type="hidden" name="csrf" value="{token}">
<button type="submit">{t["sign_out"]}</button></form></span></header>
<p id="problem" class="error" role="alert"></p><p id="stream" class="warning" role="status"></p>
<h2>{t["screens"]}</h2><p>{t["pick"]}</p>
<table class="fleet"><thead><tr><th>{t["name"]}</th><th>{t["rooms"]}</th><th>{t["state"]}</th><th class="wide">{t["since"]}</th><th class="wide">{t["lag"]}</th>
<th class="wide">{t["version"]}</th><th class="wide">{t["address"]}</th><th class="wide">{t["orders"]}</th>
<th class="wide">{t["sound"]}</th><th class="wide">{t["last_error"]}</th><th></th></tr></thead>
<tbody id="screens"></tbody></table>
<ul id="results" role="status"></ul>
<div class="columns"><section><h2>{t["push"]}</h2>
<form id="push" class="inline"><select name="kind"><option value="device">{t["to_screen"]}</option>
<option value="room">{t["to_room"]}</option></select>
<input name="device" placeholder="{t["target_ph"]}" required maxlength="64">
<select name="setting">{settings}</select><input name="value" placeholder="{t["value_ph"]}" required maxlength="500">
<button type="submit">{t["apply"]}</button></form></section>
<section><h2>{t["change"]}</h2>
<form id="change" class="inline"><input name="device" placeholder="{t["device_ph"]}" required maxlength="64">
<input name="new_name" placeholder="{t["new_name_ph"]}" maxlength="64">
<input name="new_rooms" placeholder="{t["new_rooms_ph"]}"><button type="submit">{t["save"]}</button></form>
</section></div>
<h2>{t["live"]}</h2>
<div class="columns"><ul id="live"></ul><section><h3>{t["open_orders"]}</h3><ul id="open"></ul></section></div>
<div class="columns"><section><h3>{t["refusals"]}</h3><ul id="refusals"></ul></section>
<section><h3>{t["alerts"]}</h3><ul id="alerts"></ul></section></div>
<h2>{t["alert_all"]}</h2>
<form id="alert" class="inline"><select name="severity">{severities}</select>
<input name="message" placeholder="{t["message_ph"]}" required maxlength="500" size="40">
<button type="submit">{t["send"]}</button></form><p id="sent" role="status"></p>
<h2>{t["pair"]}</h2>
<form id="approve" class="inline"><input name="code" placeholder="{t["code_ph"]}" required maxlength="7">
<input name="device" placeholder="{t["name_ph"]}" required maxlength="64">
<input name="rooms" placeholder="{t["rooms_ph"]}" required><button type="submit">{t["approve"]}</button></form>
<table><thead><tr><th>{t["code"]}</th><th>{t["screen"]}</th><th class="wide">{t["address"]}</th><th>{t["state"]}</th></tr>
</thead><tbody id="codes"></tbody></table>
</main><script type="application/json" id="text">{_script_text(language)}</script>
<script src="/admin/console.js"></script></body></html>"""


def locked_out_text(language: str, wait_s: float) -> str:
    return fill(words(language)["locked_out"], f"{wait_s:.0f}")
