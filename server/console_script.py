"""The console page's one script: render the API's pages, follow the stream, send the admin's actions.

Plain JavaScript, no build step and no library.  Every text from the server
(a device name, an error, an alert) goes on the page with ``textContent``,
never as HTML.  Live updates come from ``/admin/stream`` (server-sent events,
server/console_feed.py); EventSource reconnects by itself, and while it is
down the page says so.  The words are the page's JSON block (server/console_text.py).
"""

from __future__ import annotations

CONSOLE_SCRIPT = r"""
'use strict';
const T = JSON.parse(document.getElementById('text').textContent);
const csrf = document.querySelector('meta[name="csrf"]').content;
const $ = (id) => document.getElementById(id);
const fill = (template, ...values) => template.replace(/%(\d)/g, (m, n) => values[n - 1] ?? m);
const cell = (row, text, cls) => { const td = row.insertCell(); td.textContent = text ?? ''; if (cls) td.className = cls; return td; };
const item = (list, text, cls) => { const li = document.createElement('li'); li.textContent = text; if (cls) li.className = cls; list.append(li); };
const say = (text, isError) => { const p = $('problem'); p.textContent = isError ? text : ''; if (!isError) $('results').replaceChildren(); };

async function api(method, path, body) {
  const answer = await fetch(path, {method, credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}, body: body ? JSON.stringify(body) : undefined});
  const data = await answer.json().catch(() => ({}));
  if (answer.status === 401) { location.href = '/admin/login'; }
  if (!answer.ok) throw new Error((data.error && data.error.message) || String(answer.status));
  return data;
}

function button(label, action, onClick) {
  const b = document.createElement('button'); b.type = 'button'; b.textContent = label; b.dataset.action = action;
  b.onclick = onClick; return b;
}

function renderDevices(page) {
  const rows = $('screens'); rows.replaceChildren();
  for (const d of page.devices) {
    const row = rows.insertRow(); row.dataset.name = d.name;
    const name = cell(row, d.name, 'name'); name.tabIndex = 0;
    name.onclick = () => { for (const f of ['change', 'push']) $(f).elements.device.value = d.name; $('push').elements.kind.value = 'device'; };
    cell(row, d.rooms.join(', '));
    const state = d.revoked_at ? 'revoked' : (d.online ? 'online' : 'offline');
    cell(row, T[state], state).dataset.state = state;
    cell(row, d.since ? new Date(d.since).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', hour12: false}) : '', 'wide');
    cell(row, d.lag === null ? '' : `${d.lag} (seq ${d.applied_seq})`, 'wide');
    cell(row, d.app_version, 'wide'); cell(row, d.address, 'wide');
    cell(row, d.orders_on_screen === null ? '' : String(d.orders_on_screen), 'wide');
    cell(row, d.sound_muted === null ? '' : (d.sound_muted ? T.muted : T.on), 'wide');
    cell(row, d.last_error, 'error wide');
    const actions = row.insertCell(); actions.className = 'actions';
    if (d.revoked_at) continue;
    const path = '/api/devices/' + encodeURIComponent(d.name);
    if (d.online) {
      actions.append(button(T.identify, 'identify', () => act(async () => showResults(await api('POST', path + '/command', {command: 'identify'})))));
      actions.append(button(T.reload, 'reload', () => act(async () => showResults(await api('POST', path + '/command', {command: 'reload'})))));
    }
    actions.append(button(T.revoke, 'revoke', () => { if (confirm(fill(T.confirm_revoke, d.name))) act(() => api('DELETE', path)); }));
  }
}

function renderLive(panel) {
  const live = $('live'); live.replaceChildren();
  const rate = panel.events_per_minute === null ? T.not_yet : String(panel.events_per_minute);
  item(live, `${T.connections}: ${panel.connections} · ${T.orders_today}: ${panel.orders_today} · ${T.events_per_minute}: ${rate} · seq ${panel.seq}`);
  for (const [room, count] of Object.entries(panel.rooms)) item(live, fill(T.in_room, room, String(count)));
  const open = $('open'); open.replaceChildren();
  const tenants = Object.entries(panel.orders_open);
  if (!tenants.length) item(open, T.none);
  for (const [tenant, count] of tenants) item(open, fill(T.tenant, tenant, String(count)));
  const refusals = $('refusals'); refusals.replaceChildren();
  if (!panel.refusals.length) item(refusals, T.none);
  for (const r of panel.refusals) item(refusals, `${r.at.slice(11, 19)} ${r.who} · ${r.what} · ${r.status} ${r.code}: ${r.message}`);
  const alerts = $('alerts'); alerts.replaceChildren();
  if (!panel.alerts.length) item(alerts, T.none);
  for (const a of panel.alerts) item(alerts, `${a.at.slice(11, 19)} ${T[a.severity] ?? a.severity}: ${a.message}`, a.severity);
}

function renderPairings(page) {
  const codes = $('codes'); codes.replaceChildren();
  for (const p of page.pairings) { const row = codes.insertRow(); cell(row, p.code); cell(row, p.hostname); cell(row, p.address, 'wide'); cell(row, p.status); }
}

function showResults(results) {
  const list = $('results'); list.replaceChildren();
  for (const a of results.answers) item(list, fill(a.ok ? T.applied : T.refused, a.screen, a.message), a.ok ? 'online' : 'error');
  for (const name of results.unanswered) item(list, fill(T.unanswered, name), 'error');
  if (results.relayed) item(list, T.relayed);
  if (!results.answers.length && !results.unanswered.length && !results.relayed) item(list, T.nobody, 'error');
}

async function refreshAll() {
  renderDevices(await api('GET', '/api/devices'));
  renderLive(await api('GET', '/api/live'));
  renderPairings(await api('GET', '/api/pairing'));
}

async function act(call) {
  say('', false);
  try { await call(); } catch (e) { say(String(e.message || e), true); }
  refreshAll().catch((e) => say(String(e.message || e), true));
}

function follow() {
  const source = new EventSource('/admin/stream');
  source.addEventListener('devices', (e) => renderDevices(JSON.parse(e.data)));
  source.addEventListener('live', (e) => renderLive(JSON.parse(e.data)));
  source.addEventListener('pairings', (e) => renderPairings(JSON.parse(e.data)));
  source.addEventListener('signed-out', () => { source.close(); location.href = '/admin/login'; });
  source.onopen = () => { $('stream').textContent = ''; };
  source.onerror = () => { $('stream').textContent = T.paused; };
}

const words = (text) => text.split(',').map((r) => r.trim()).filter(Boolean);
$('approve').onsubmit = (event) => { event.preventDefault(); const f = event.target;
  act(async () => { await api('POST', '/api/pairing/' + encodeURIComponent(f.code.value.replace(/\s/g, '')) + '/approve',
    {name: f.device.value, rooms: words(f.rooms.value)}); f.reset(); }); };
$('alert').onsubmit = (event) => { event.preventDefault(); const f = event.target;
  act(async () => { await api('POST', '/api/alerts', {severity: f.severity.value, message: f.message.value});
    f.reset(); $('sent').textContent = T.alert_sent; }); };
$('change').onsubmit = (event) => { event.preventDefault(); const f = event.target; const body = {};
  if (f.new_name.value.trim()) body.name = f.new_name.value.trim();
  if (words(f.new_rooms.value).length) body.rooms = words(f.new_rooms.value);
  act(async () => { const d = await api('PATCH', '/api/devices/' + encodeURIComponent(f.device.value.trim()), body);
    f.reset(); $('sent').textContent = fill(T.saved, d.name, d.rooms.join(', ')); }); };
$('push').onsubmit = (event) => { event.preventDefault(); const f = event.target;
  const where = (f.kind.value === 'room' ? '/api/rooms/' : '/api/devices/') + encodeURIComponent(f.device.value.trim());
  act(async () => showResults(await api('POST', where + '/command', {command: 'settings', settings: {[f.setting.value]: f.value.value}}))); };
refreshAll().catch((e) => say(String(e.message || e), true));
follow();
"""
