"""The console's HTML: a sign-in form, and one page listing the screens and the codes waiting to be paired.

Plain HTML and a small script, no build step.  Everything that comes from the
API is put on the page with ``textContent`` (never as HTML), so a device name
or an error message holding markup shows as the text it is.  Usable on a
phone: one column, large touch targets.
"""

from __future__ import annotations

import html

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#15161a;color:#e8eaf0}
main{max-width:960px;margin:0 auto;padding:16px}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:1.6rem}
table{width:100%;border-collapse:collapse} td,th{padding:8px;border-bottom:1px solid #333;text-align:left}
.online{color:#7ddc8a} .offline{color:#f08c8c} .error{color:#f08c8c}
input,button{font-size:1rem;padding:10px;margin:4px 0;min-height:44px}
button{background:#3a6df0;color:#fff;border:0;border-radius:6px;cursor:pointer}
form.inline{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
@media (max-width:600px){td:nth-child(n+5),th:nth-child(n+5){display:none}}
"""


def login_html(message: str = "") -> str:
    note = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Kiosk console: sign in</title><style>{_STYLE}</style></head>
<body><main><h1>Kiosk console</h1>{note}
<form method="post" action="/admin/login">
<label for="token">Admin token</label><br>
<input id="token" name="token" type="password" autocomplete="current-password" required size="40"><br>
<button type="submit">Sign in</button></form></main></body></html>"""


CONSOLE_SCRIPT = """
const csrf = document.querySelector('meta[name="csrf"]').content;
const cell = (row, text, cls) => { const td = row.insertCell(); td.textContent = text ?? ''; if (cls) td.className = cls; return td; };
async function api(method, path, body) {
  const answer = await fetch(path, {method, credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}, body: body ? JSON.stringify(body) : undefined});
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error((data.error && data.error.message) || answer.status);
  return data;
}
async function refresh() {
  try {
    const fleet = await api('GET', '/api/devices');
    const rows = document.getElementById('screens'); rows.replaceChildren();
    for (const d of fleet.devices) {
      const row = rows.insertRow(); row.dataset.name = d.name;
      cell(row, d.name); cell(row, d.rooms.join(', '));
      cell(row, d.revoked_at ? 'revoked' : (d.online ? 'online' : 'offline'), d.online ? 'online' : 'offline');
      cell(row, d.lag === null ? '' : String(d.lag)); cell(row, d.app_version); cell(row, d.address);
      cell(row, d.orders_on_screen === null ? '' : String(d.orders_on_screen)); cell(row, d.last_error, 'error');
      const actions = row.insertCell();
      if (!d.revoked_at) { const b = document.createElement('button'); b.textContent = 'Revoke';
        b.onclick = () => act(() => api('DELETE', '/api/devices/' + encodeURIComponent(d.name))); actions.append(b); }
    }
    const stats = await api('GET', '/api/stats');
    const live = document.getElementById('live'); live.replaceChildren();
    const line = (text) => { const li = document.createElement('li'); li.textContent = text; live.append(li); };
    line('connections: ' + stats.connections + ' · orders today: ' + stats.orders_today + ' · seq: ' + stats.seq);
    for (const [room, count] of Object.entries(stats.rooms)) line(room + ': ' + count + ' screen(s)');
    const waiting = await api('GET', '/api/pairing');
    const codes = document.getElementById('codes'); codes.replaceChildren();
    for (const p of waiting.pairings) { const row = codes.insertRow(); cell(row, p.code); cell(row, p.hostname); cell(row, p.address); cell(row, p.status); }
    document.getElementById('problem').textContent = '';
  } catch (e) { document.getElementById('problem').textContent = String(e.message || e); }
}
async function act(call) { try { await call(); } catch (e) { document.getElementById('problem').textContent = String(e.message || e); } refresh(); }
document.getElementById('approve').onsubmit = (event) => { event.preventDefault(); const f = event.target;
  act(async () => { await api('POST', '/api/pairing/' + encodeURIComponent(f.code.value.replace(/\\s/g, '')) + '/approve',
    {name: f.device.value, rooms: f.rooms.value.split(',').map(r => r.trim()).filter(Boolean)}); f.reset(); }); };
document.getElementById('alert').onsubmit = (event) => { event.preventDefault(); const f = event.target;
  act(async () => { await api('POST', '/api/alerts', {severity: f.severity.value, message: f.message.value});
    f.reset(); document.getElementById('sent').textContent = 'Alert sent.'; }); };
refresh(); setInterval(refresh, 5000);
"""


def console_html(csrf: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="csrf" content="{html.escape(csrf, quote=True)}"><title>Kiosk console</title><style>{_STYLE}</style></head>
<body><main><h1>Kiosk console</h1>
<form method="post" action="/admin/logout"><input type="hidden" name="csrf" value="{html.escape(csrf, quote=True)}">
<button type="submit">Sign out</button></form>
<p id="problem" class="error" role="alert"></p>
<h2>Screens</h2>
<table><thead><tr><th>Name</th><th>Rooms</th><th>State</th><th>Lag</th><th>Version</th><th>Address</th><th>Orders</th>
<th>Last error</th><th></th></tr></thead><tbody id="screens"></tbody></table>
<h2>Live</h2>
<ul id="live"></ul>
<h2>Alert every screen</h2>
<form id="alert" class="inline"><select name="severity"><option value="info">info</option>
<option value="warning">warning</option><option value="error">error</option></select>
<input name="message" placeholder="Message, e.g. Kitchen closes in 15 minutes" required maxlength="500" size="40">
<button type="submit">Send</button></form><p id="sent" role="status"></p>
<h2>Pair a new screen</h2>
<form id="approve" class="inline"><input name="code" placeholder="Code on the screen" required maxlength="7">
<input name="device" placeholder="Name, e.g. kitchen-2" required maxlength="64">
<input name="rooms" placeholder="Rooms, e.g. display" required><button type="submit">Approve</button></form>
<table><thead><tr><th>Code</th><th>Screen</th><th>Address</th><th>State</th></tr></thead><tbody id="codes"></tbody></table>
</main><script src="/admin/console.js"></script></body></html>"""
