// wpsd ER console: live state over server-sent events, actions over a small JSON API.
// Everything from the network (device names, SSIDs) goes into the page as text, never as HTML.
/* global document, Node, CSS, fetch, FormData, EventSource, ResizeObserver, setInterval */
import { drawNetwork } from './network.js';

const MAX_LOG_LINES = 500;
const STATE_TEXT = { probe: 'Probe seen', m1: 'M1 seen', enrolled: 'Enrolled', failed: 'Failed' };
// WSC Config Methods bits (WSC 2.0 table 33), the ones people recognise.
const CONFIG_METHODS = [
  [0x0004, 'Label', 'PIN on a label'],
  [0x0008, 'Display', 'PIN on a display'],
  [0x0080, 'PBC', 'Push button'],
  [0x0100, 'Keypad', 'Keypad'],
  [0x0040, 'NFC', 'NFC interface'],
];
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

let state = { er: null, aps: [], enrollees: [] };
let lastSeq = 0;
/** Keys the user asked to see, by AP UUID, with the settings revision they belong to. */
const revealedKeys = new Map();
/** A learn/configure request waiting for its run to end: { uuid, after: the AP's run number before it }. */
const pendingAp = { learn: null, configure: null };
/** The Enrollee whose PIN/PBC run the PIN form waits for: { mac, after }. */
let pendingEnrollee = null;
/** The Enrollee the PIN field was typed for. */
let pinFor = null;

const $ = (sel) => document.querySelector(sel);

/** A DOM element with attributes and children; strings become text nodes. */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function apName(ap) {
  return ap.friendlyName || ap.modelName || ap.mac;
}

function enrolleeId(e) {
  return e.uuid && e.uuid !== ZERO_UUID ? e.uuid : e.mac;
}

function enrolleeName(e) {
  return e.deviceName || e.modelName || 'Enrollee';
}

function methodsText(cm) {
  return CONFIG_METHODS.filter(([bit]) => (cm & bit) !== 0).map(([, short, long]) => ({ short, long }));
}

// --- messages on forms ------------------------------------------------------

function setMsg(form, text, kind) {
  const p = form.querySelector('.msg');
  p.textContent = text;
  p.className = 'msg' + (kind ? ' ' + kind : '');
  p.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

function markField(form, field) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  if (!field) return;
  const el = form.querySelector(`[name="${CSS.escape(field)}"]`);
  if (el) {
    el.setAttribute('aria-invalid', 'true');
    el.focus();
  }
}

async function post(path, body) {
  let r;
  try {
    r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    return { ok: false, data: { error: 'The console cannot be reached. Is wpsd still running?' } };
  }
  let data;
  try {
    data = await r.json();
  } catch {
    data = { error: `The console answered HTTP ${r.status}.` };
  }
  return { ok: r.ok, status: r.status, data };
}

/** Sends a form's request; shows the server's message on failure. */
async function submit(form, path, body, pendingText) {
  const buttons = form.querySelectorAll('button');
  buttons.forEach((b) => (b.disabled = true));
  setMsg(form, pendingText, '');
  const r = await post(path, body);
  buttons.forEach((b) => (b.disabled = false));
  if (!r.ok) {
    setMsg(form, r.data.error || 'The request failed.', 'error');
    markField(form, r.data.field);
    return null;
  }
  markField(form, null);
  return r.data;
}

// --- rendering --------------------------------------------------------------

function fillSelect(select, options) {
  const prev = select.value;
  const wanted = select.dataset.touched ? prev : options.find((o) => o.preferred)?.value ?? prev;
  const same =
    select.options.length === options.length &&
    options.every((o, i) => select.options[i].value === o.value && select.options[i].textContent === o.label);
  if (!same) {
    select.replaceChildren(...options.map((o) => h('option', { value: o.value }, o.label)));
  }
  if (options.some((o) => o.value === wanted)) select.value = wanted;
  else if (options.length > 0 && !options.some((o) => o.value === select.value)) select.value = options[0].value;
}

/**
 * Puts `items` into `body` as rows keyed by `keyOf`: a row whose signature is
 * unchanged stays the same element, so live updates neither flicker nor take
 * the focus away; a replaced row that held the focus hands it to its
 * successor's control with the same data-testid.
 */
function patchRows(body, items, keyOf, sigOf, build) {
  const active = document.activeElement;
  let focusKey = null;
  let focusId = null;
  if (active && active !== document.body && body.contains(active)) {
    focusKey = active.closest('[data-key]')?.dataset.key ?? null;
    focusId = active.dataset.testid ?? null;
  }
  const old = new Map();
  for (const row of body.children) old.set(row.dataset.key, row);
  const rows = items.map((item) => {
    const key = keyOf(item);
    const sig = sigOf(item);
    const cur = old.get(key);
    if (cur && cur.dataset.sig === sig) return cur;
    const row = build(item);
    row.dataset.key = key;
    row.dataset.sig = sig;
    return row;
  });
  let cursor = body.firstElementChild;
  for (const row of rows) {
    if (row === cursor) cursor = cursor.nextElementSibling;
    else body.insertBefore(row, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
  if (focusKey !== null && focusId !== null && !body.contains(document.activeElement)) {
    const row = [...body.children].find((r) => r.dataset.key === focusKey);
    row?.querySelector(`[data-testid="${CSS.escape(focusId)}"]`)?.focus();
  }
}

function clock(ms) {
  const t = new Date(ms);
  return `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`;
}

function lockText(lock, now) {
  if (lock.until === undefined) return 'until a new AP PIN is set';
  const left = Math.max(0, Math.ceil((lock.until - now) / 1000));
  return `until ${clock(lock.until)} (${left} s)`;
}

function apRow(ap) {
  const s = ap.settings;
  const badges = [
    ap.busy
      ? h('span', { class: 'badge busy' }, 'Running…')
      : ap.wpsState === 2
        ? h('span', { class: 'badge conf' }, 'Configured')
        : h('span', { class: 'badge unconf' }, 'Not configured'),
  ];
  if (ap.setupLocked) {
    badges.push(
      h('span', { class: 'badge locked', 'data-testid': 'ap-locked', title: 'WPS-AP-SETUP-LOCKED: the AP refuses its AP PIN after repeated wrong ones' }, 'Setup locked'),
      h('div', { class: 'meta', 'data-testid': 'ap-lock-end', 'data-until': ap.setupLocked.until ?? '' }, lockText(ap.setupLocked, Date.now())),
    );
  }
  let keyCell = h('span', { class: 'pending' }, '—');
  if (s && s.hasKey) {
    const r = revealedKeys.get(ap.uuid);
    const shown = r && r.revision === (ap.settingsRevision ?? 0) ? r.key : undefined;
    keyCell = h(
      'span',
      { class: 'keycell' },
      h('span', { class: shown ? 'mono key' : 'mono nowrap', 'data-testid': 'ap-key' }, shown ?? '••••••••'),
      h('button', { type: 'button', class: 'btn ghost small', 'data-testid': 'ap-key-toggle', 'aria-label': `${shown ? 'Hide' : 'Show'} the key of ${apName(ap)}`, onclick: () => toggleKey(ap) }, shown ? 'Hide' : 'Show'),
    );
  } else if (s) {
    keyCell = h('span', { class: 'meta' }, 'none');
  }
  return h(
    'tr',
    { 'data-testid': 'ap-row', 'data-uuid': ap.uuid },
    h('td', { 'data-label': 'AP' }, h('div', { class: 'name' }, apName(ap)), h('div', { class: 'meta' }, [ap.manufacturer, ap.modelName, ap.modelNumber].filter(Boolean).join(' · '))),
    h('td', { class: 'ids', 'data-label': 'MAC · UUID' }, h('div', { class: 'mono' }, ap.mac), h('div', { class: 'meta mono' }, ap.uuid)),
    h('td', { 'data-label': 'WPS' }, h('div', { class: 'badges' }, badges)),
    h('td', { 'data-testid': 'ap-ssid', 'data-label': 'SSID' }, s ? h('span', { class: 'ssid' }, s.ssid) : h('span', { class: 'pending' }, 'not learned')),
    h('td', { 'data-label': 'Security' }, s ? `${s.authType} / ${s.encrType}` : ''),
    h('td', { 'data-label': 'Key' }, keyCell),
  );
}

function renderAps() {
  const body = $('#ap-rows');
  $('#ap-empty').hidden = state.aps.length > 0;
  const now = Date.now();
  for (const ap of state.aps) {
    // A key shown before the settings changed (a configure) is not the AP's key any more: fetch the new one.
    const r = revealedKeys.get(ap.uuid);
    if (r && r.revision !== (ap.settingsRevision ?? 0) && !r.fetching) {
      if (ap.settings?.hasKey) void fetchKey(ap);
      else revealedKeys.delete(ap.uuid);
    }
  }
  patchRows(
    body,
    state.aps,
    (ap) => ap.uuid,
    (ap) => JSON.stringify([ap, revealedKeys.get(ap.uuid)?.key ?? null, revealedKeys.get(ap.uuid)?.revision ?? null, ap.setupLocked ? Math.ceil(((ap.setupLocked.until ?? now) - now) / 1000) : null]),
    apRow,
  );
  const opts = state.aps.map((ap) => ({ value: ap.uuid, label: `${apName(ap)} · ${ap.mac}`, preferred: !ap.settings }));
  fillSelect($('#learn-ap'), opts);
  fillSelect($('#config-ap'), opts);
  notePendingAp();
}

async function fetchKey(ap) {
  const prev = revealedKeys.get(ap.uuid);
  revealedKeys.set(ap.uuid, { ...(prev ?? { key: '', revision: -1 }), fetching: true });
  const r = await post('/api/reveal-key', { ap: ap.uuid });
  if (r.ok) revealedKeys.set(ap.uuid, { key: r.data.key, revision: r.data.revision ?? 0 });
  else {
    revealedKeys.delete(ap.uuid);
    setMsg($('#learn-form'), r.data.error, 'error');
  }
  renderAps();
}

async function toggleKey(ap) {
  if (revealedKeys.has(ap.uuid)) {
    revealedKeys.delete(ap.uuid);
    renderAps();
    return;
  }
  await fetchKey(ap);
}

/** The learn / configure request whose run a form waits for: its AP and the run number before it. */
function notePendingAp() {
  for (const kind of ['learn', 'configure']) {
    const p = pendingAp[kind];
    if (!p) continue;
    const form = kind === 'learn' ? $('#learn-form') : $('#config-form');
    const ap = state.aps.find((a) => a.uuid === p.uuid);
    if (!ap) {
      setMsg(form, 'The AP went away before the run ended.', 'error');
      pendingAp[kind] = null;
      continue;
    }
    const run = ap.run;
    if (!run || run.kind !== kind || run.id <= p.after || run.state === 'running') continue;
    pendingAp[kind] = null;
    if (run.state === 'success') {
      const ssid = ap.settings?.ssid ?? '';
      setMsg(form, kind === 'learn' ? `Learned: SSID ${ssid}.` : `Configured: the AP now uses SSID ${ssid}. “Show” in its row gives the new key.`, 'ok');
    } else {
      setMsg(form, run.message ?? 'The run failed.', 'error');
    }
  }
}

const PAGE_SIZE = 25;
const FILTERS = {
  all: { label: 'All', test: () => true },
  waiting: { label: 'Waiting', test: (e) => e.state === 'probe' || e.state === 'm1' },
  enrolled: { label: 'Enrolled', test: (e) => e.state === 'enrolled' },
  failed: { label: 'Failed', test: (e) => e.state === 'failed' },
};
const view = { filter: 'all', page: 0, search: '' };

function enrolleeWhy(e) {
  if (e.state !== 'failed') return null;
  return e.run?.message ?? e.detail ?? 'The run failed.';
}

function enrolleeRow(e) {
  const ap = e.apUuid ? state.aps.find((a) => a.uuid === e.apUuid) : undefined;
  const retry = e.state === 'failed';
  const open = e.state === 'probe' || e.state === 'm1' || retry;
  const why = enrolleeWhy(e);
  const stateTitle = e.run?.failLine ?? e.detail ?? '';
  return h(
    'tr',
    { 'data-testid': 'enrollee-row', 'data-mac': e.mac, 'data-uuid': e.uuid, 'data-state': e.state },
    h('td', { 'data-label': 'Device' }, h('div', { class: 'name' }, enrolleeName(e)), h('div', { class: 'meta' }, [e.manufacturer, e.modelName, e.modelNumber].filter(Boolean).join(' · '))),
    h('td', { class: 'ids', 'data-label': 'MAC · UUID' }, h('div', { class: 'mono' }, e.mac), h('div', { class: 'meta mono' }, e.uuid)),
    h(
      'td',
      { 'data-label': 'Methods · type' },
      h('div', { class: 'chips' }, methodsText(e.configMethods).map((m) => h('span', { class: 'chip', title: m.long }, m.short)), e.devPasswdId === 4 ? h('span', { class: 'chip pbc' }, 'wants PBC') : null),
      h('div', { class: 'meta mono' }, `type ${e.priDevType}`),
    ),
    h(
      'td',
      { 'data-label': 'State' },
      h('span', { class: `badge ${e.state}`, 'data-testid': 'enrollee-state', title: stateTitle }, STATE_TEXT[e.state] ?? e.state),
      ap ? h('div', { class: 'meta', 'data-testid': 'enrollee-ap' }, `via ${apName(ap)}`) : null,
      why ? h('div', { class: 'why', 'data-testid': 'enrollee-why', role: 'note' }, why) : null,
    ),
    h(
      'td',
      { class: 'row-actions', 'data-label': 'Actions' },
      open ? h('button', { type: 'button', class: 'btn small', 'data-testid': 'enrollee-pin', onclick: () => choosePin(e) }, retry ? 'Retry PIN…' : 'PIN…') : null,
      open ? h('button', { type: 'button', class: 'btn small', 'data-testid': 'enrollee-pbc', onclick: () => doPbc(enrolleeId(e), e) }, 'PBC') : null,
    ),
  );
}

function matchesSearch(e) {
  const q = view.search.trim().toLowerCase();
  if (!q) return true;
  return [e.deviceName, e.mac, e.uuid, e.modelName, e.manufacturer].some((v) => (v || '').toLowerCase().includes(q));
}

function renderEnrollees() {
  const all = state.enrollees;
  $('#enrollee-empty').hidden = all.length > 0;
  const counts = {};
  for (const [k, f] of Object.entries(FILTERS)) counts[k] = all.filter(f.test).length;
  for (const b of document.querySelectorAll('#enrollee-filter [data-filter]')) {
    const k = b.dataset.filter;
    b.querySelector('.n').textContent = String(counts[k]);
    b.setAttribute('aria-pressed', String(view.filter === k));
  }
  const shown = all.filter((e) => FILTERS[view.filter].test(e) && matchesSearch(e));
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  view.page = Math.min(view.page, pages - 1);
  const first = view.page * PAGE_SIZE;
  const page = shown.slice(first, first + PAGE_SIZE);
  patchRows($('#enrollee-rows'), page, (e) => e.mac, (e) => JSON.stringify([e, e.apUuid ? apName(state.aps.find((a) => a.uuid === e.apUuid) ?? {}) : '']), enrolleeRow);
  const pager = $('#enrollee-pager');
  pager.hidden = shown.length <= PAGE_SIZE;
  $('[data-testid="enrollee-page-text"]').textContent = shown.length === 0 ? '0 of 0' : `${first + 1}–${first + page.length} of ${shown.length}`;
  $('#page-prev').disabled = view.page === 0;
  $('#page-next').disabled = view.page >= pages - 1;
  const queued = $('[data-testid="enrollee-queued"]');
  queued.hidden = !state.queued;
  queued.textContent = state.queued ? `${state.queued} more stations are queued: they start probing as earlier ones enroll.` : '';

  // The PIN form lists the Enrollees that may still enroll (and the one chosen).
  const chosen = $('#pin-enrollee').value;
  const opts = all
    .filter((e) => e.state !== 'enrolled' || enrolleeId(e) === chosen)
    .map((e) => ({ value: enrolleeId(e), label: `${enrolleeName(e)} · ${e.mac} · ${STATE_TEXT[e.state] ?? e.state}`, preferred: e.state === 'm1' || e.state === 'probe' }));
  opts.push({ value: 'any', label: 'Any Enrollee (wildcard PIN)' });
  fillSelect($('#pin-enrollee'), opts);
  notePendingEnrollee();
}

/** The Enrollee a PIN or PBC was given for: its run's end goes on the PIN form. */
function notePendingEnrollee() {
  const p = pendingEnrollee;
  if (!p) return;
  const e = state.enrollees.find((x) => x.mac === p.mac);
  if (!e) return;
  const ended = e.run && e.run.id > p.after && e.run.state !== 'running';
  if (e.state === 'enrolled' && (ended || !e.run)) {
    setMsg($('#pin-form'), `${enrolleeName(e)} enrolled: it has the network's credential.`, 'ok');
    pendingEnrollee = null;
  } else if (e.state === 'failed' && (ended || !e.run)) {
    setMsg($('#pin-form'), `${enrolleeName(e)}: ${enrolleeWhy(e)}`, 'error');
    pendingEnrollee = null;
  }
}

function choosePin(e) {
  const sel = $('#pin-enrollee');
  const id = enrolleeId(e);
  if (sel.value !== id || pinFor !== id) {
    // A PIN typed for one station is never sent for the next.
    $('#pin-pin').value = '';
    $('[data-testid="pin-mac"]').value = '';
    markField($('#pin-form'), null);
    setMsg($('#pin-form'), '', '');
  }
  if (![...sel.options].some((o) => o.value === id)) sel.append(h('option', { value: id }, `${enrolleeName(e)} · ${e.mac}`));
  sel.value = id;
  sel.dataset.touched = '1';
  pinFor = id;
  $('#pin-pin').focus();
}

function renderCounts() {
  $('[data-testid="count-aps"]').textContent = String(state.aps.length);
  $('[data-testid="count-waiting"]').textContent = String(state.enrollees.filter((e) => e.state === 'probe' || e.state === 'm1').length + (state.queued ?? 0));
  $('[data-testid="count-enrolled"]').textContent = String(state.enrollees.filter((e) => e.state === 'enrolled').length);
  if (state.er) {
    $('[data-testid="er-info"]').textContent = `ER ${state.er.deviceName || ''} · ${state.er.uuid} · ${state.er.started ? 'discovering APs' : 'stopped'}`;
  }
}

function renderProgress(p) {
  const box = $('[data-testid="all-progress"]');
  if (!p) return;
  box.hidden = false;
  const bar = $('#all-bar');
  bar.max = Math.max(p.total, 1);
  bar.value = p.finished && p.total === 0 ? 1 : p.enrolled + p.failed;
  const parts = [`${p.enrolled + p.failed} / ${p.total}`, `${p.enrolled} enrolled`];
  if (p.failed > 0) parts.push(`${p.failed} failed`);
  $('[data-testid="all-progress-text"]').textContent = parts.join(' · ');
  const form = $('#all-form');
  form.querySelector('button[type="submit"]').disabled = !p.finished;
  if (p.message) setMsg(form, p.message, p.finished ? (p.failed > 0 ? 'error' : 'ok') : '');
}

function render() {
  renderAps();
  renderEnrollees();
  renderCounts();
  drawNetwork($('#network'), state);
  if (state.enrollAll) renderProgress(state.enrollAll);
}

// --- the event log -----------------------------------------------------------

function eventClass(ev) {
  const text = ev.text;
  if (ev.note) return 'ev-note';
  if (text.startsWith('WPS-FAIL') || text.includes('state=FAILED') || text.startsWith('WPS-TIMEOUT') || text.startsWith('WPS-AP-SETUP-LOCKED')) return 'ev-fail';
  if (text.startsWith('WPS-SUCCESS') || text.startsWith('WPS-REG-SUCCESS') || text.startsWith('AP-STA-CONNECTED') || text.startsWith('WPS-NEW-AP-SETTINGS') || text.startsWith('WPS-AP-SETUP-UNLOCKED')) return 'ev-success';
  if (text.startsWith('WPS-ER-AP-SETTINGS')) return 'ev-settings';
  if (text.startsWith('WPS-ER-AP-SET-SEL-REG')) return 'ev-debug';
  if (text.includes('-ADD ') || text.includes('-REMOVE ')) return 'ev-add';
  return '';
}

function two(n) {
  return String(n).padStart(2, '0');
}

function addEvents(events) {
  const list = $('#events');
  const follow = $('#log-follow').checked;
  for (const ev of events) {
    if (ev.seq <= lastSeq) continue;
    lastSeq = ev.seq;
    const t = new Date(ev.time);
    const head = ev.text.split(' ', 1)[0];
    list.append(
      h(
        'li',
        { class: eventClass(ev), 'data-testid': 'event-line' },
        h('time', { datetime: t.toISOString() }, clock(ev.time)),
        h('span', { class: `src ${ev.source}` }, ev.source),
        h('span', { class: 'text' }, h('b', {}, head), ev.text.slice(head.length), ev.note ? h('span', { class: 'note', 'data-testid': 'event-note' }, ` — ${ev.note}`) : null),
      ),
    );
  }
  while (list.childElementCount > MAX_LOG_LINES) list.firstElementChild.remove();
  if (follow) list.scrollTop = list.scrollHeight;
}

// --- actions -----------------------------------------------------------------

async function doPbc(enrollee, e) {
  const form = $('#pin-form');
  const known = e ?? state.enrollees.find((x) => enrolleeId(x) === enrollee);
  const after = known?.run?.id ?? 0;
  const r = await submit(form, '/api/pbc', { enrollee }, 'Starting push-button enrollment…');
  if (!r) return;
  setMsg(form, `Push button accepted for ${known ? enrolleeName(known) : enrollee}; waiting for the Enrollee.`, '');
  if (known) {
    pendingEnrollee = { mac: known.mac, after };
    notePendingEnrollee();
  }
}

function wireForms() {
  for (const sel of document.querySelectorAll('select')) sel.addEventListener('change', () => (sel.dataset.touched = '1'));

  $('#learn-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const ap = String(f.get('ap') ?? '');
    const after = state.aps.find((a) => a.uuid === ap)?.run?.id ?? 0;
    const r = await submit(ev.target, '/api/learn', { ap, pin: String(f.get('pin') ?? '') }, 'Asking the AP…');
    if (r) {
      pendingAp.learn = { uuid: ap, after };
      setMsg(ev.target, 'Learning… the settings appear when the AP answers.', '');
      notePendingAp();
    }
  });

  $('#config-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = {};
    for (const k of ['ap', 'pin', 'ssid', 'auth', 'encr', 'key']) body[k] = String(f.get(k) ?? '');
    const after = state.aps.find((a) => a.uuid === body.ap)?.run?.id ?? 0;
    const r = await submit(ev.target, '/api/configure', body, 'Sending new settings…');
    if (r) {
      pendingAp.configure = { uuid: body.ap, after };
      setMsg(ev.target, 'Configuring… the AP applies the settings when the run completes.', '');
      notePendingAp();
    }
  });
  $('[data-testid="config-auth"]').addEventListener('change', (ev) => {
    const open = ev.target.value === 'OPEN';
    const encr = $('[data-testid="config-encr"]');
    if (open) encr.value = 'NONE';
    else if (encr.value === 'NONE') encr.value = 'CCMP';
    $('[data-testid="config-key"]').disabled = open;
  });

  $('#pin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const enrollee = String(f.get('enrollee') ?? '');
    let mac = String(f.get('mac') ?? '').trim();
    const known = state.enrollees.find((e) => enrolleeId(e) === enrollee);
    if (!mac && known && enrollee !== known.mac) mac = known.mac;
    const body = { enrollee, pin: String(f.get('pin') ?? '') };
    if (mac) body.mac = mac;
    const after = known?.run?.id ?? 0;
    const r = await submit(ev.target, '/api/pin', body, 'Adding the PIN…');
    if (!r) return;
    // The PIN is used once; the next station gets its own.
    $('#pin-pin').value = '';
    setMsg(ev.target, `PIN accepted for ${enrollee === 'any' ? 'any Enrollee' : known ? enrolleeName(known) : enrollee}; waiting for the Enrollee.`, '');
    pendingEnrollee = known ? { mac: known.mac, after } : null;
    notePendingEnrollee();
  });
  $('#pbc-button').addEventListener('click', () => {
    const enrollee = $('#pin-enrollee').value;
    if (enrollee === 'any' || !enrollee) {
      setMsg($('#pin-form'), 'Push button needs one Enrollee: choose it in the list.', 'error');
      markField($('#pin-form'), 'enrollee');
      return;
    }
    void doPbc(enrollee);
  });

  $('#all-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = { method: String(f.get('method') ?? 'pin') };
    const pin = String(f.get('pin') ?? '').trim();
    if (pin) body.pin = pin;
    const r = await submit(ev.target, '/api/enroll-all', body, 'Starting…');
    if (r) setMsg(ev.target, 'Running…', '');
  });
  for (const radio of document.querySelectorAll('#all-form input[name="method"]')) {
    radio.addEventListener('change', () => {
      const pbc = document.querySelector('#all-form input[name="method"]:checked').value === 'pbc';
      $('[data-testid="all-pin"]').disabled = pbc;
    });
  }

  $('#log-clear').addEventListener('click', () => $('#events').replaceChildren());

  for (const b of document.querySelectorAll('#enrollee-filter [data-filter]')) {
    b.addEventListener('click', () => {
      view.filter = b.dataset.filter;
      view.page = 0;
      renderEnrollees();
    });
  }
  $('#enrollee-search').addEventListener('input', (ev) => {
    view.search = ev.target.value;
    view.page = 0;
    renderEnrollees();
  });
  $('#page-prev').addEventListener('click', () => {
    view.page = Math.max(0, view.page - 1);
    renderEnrollees();
  });
  $('#page-next').addEventListener('click', () => {
    view.page += 1;
    renderEnrollees();
  });
  $('#pin-enrollee').addEventListener('change', () => {
    if (pinFor !== $('#pin-enrollee').value) $('#pin-pin').value = '';
    pinFor = $('#pin-enrollee').value;
  });
}

// --- live connection -----------------------------------------------------------

function setConn(kind, text) {
  const c = $('[data-testid="connection"]');
  c.dataset.state = kind;
  c.querySelector('.conn-text').textContent = text;
}

function connect() {
  const es = new EventSource('/api/events');
  es.addEventListener('hello', (m) => {
    const d = JSON.parse(m.data);
    state = d.state;
    render();
    addEvents(d.events);
    setConn('live', 'Live');
  });
  es.addEventListener('state', (m) => {
    state = JSON.parse(m.data);
    render();
  });
  es.addEventListener('event', (m) => addEvents([JSON.parse(m.data)]));
  es.addEventListener('progress', (m) => {
    state.enrollAll = JSON.parse(m.data);
    renderProgress(state.enrollAll);
  });
  es.addEventListener('error', () => {
    setConn('lost', es.readyState === EventSource.CLOSED ? 'Disconnected — reload the page' : 'Reconnecting…');
  });
}

wireForms();
render();
connect();
// The network picture is laid out for the width it has.
new ResizeObserver(() => drawNetwork($('#network'), state)).observe($('#network'));
// A lock's countdown.
setInterval(() => {
  if (state.aps.some((a) => a.setupLocked)) renderAps();
}, 1000);
