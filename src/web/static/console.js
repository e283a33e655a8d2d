// wpsd ER console: live state over server-sent events, actions over a small JSON API.
// Everything from the network (device names, SSIDs) goes into the page as text, never as HTML.
/* global document, Node, CSS, fetch, FormData, EventSource */
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
const revealedKeys = new Map();
/** A learn/configure request waiting for its outcome in the event log. */
const pendingAp = { learn: null, config: null };

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

function renderAps() {
  const body = $('#ap-rows');
  $('#ap-empty').hidden = state.aps.length > 0;
  body.replaceChildren(
    ...state.aps.map((ap) => {
      const s = ap.settings;
      const wps = ap.busy
        ? h('span', { class: 'badge busy' }, 'Running…')
        : ap.wpsState === 2
          ? h('span', { class: 'badge conf' }, 'Configured')
          : h('span', { class: 'badge unconf' }, 'Not configured');
      let keyCell = h('span', { class: 'pending' }, '—');
      if (s && s.hasKey) {
        const shown = revealedKeys.get(ap.uuid);
        keyCell = h(
          'span',
          { class: 'keycell' },
          h('span', { class: 'mono', 'data-testid': 'ap-key' }, shown ?? '••••••••'),
          ' ',
          h('button', { type: 'button', class: 'btn ghost small', 'data-testid': 'ap-key-toggle', 'aria-label': `${shown ? 'Hide' : 'Show'} the key of ${apName(ap)}`, onclick: () => toggleKey(ap) }, shown ? 'Hide' : 'Show'),
        );
      } else if (s) {
        keyCell = h('span', { class: 'meta' }, 'none');
      }
      return h(
        'tr',
        { 'data-testid': 'ap-row', 'data-uuid': ap.uuid },
        h('td', {}, h('div', { class: 'name' }, apName(ap)), h('div', { class: 'meta' }, [ap.manufacturer, ap.modelName, ap.modelNumber].filter(Boolean).join(' · '))),
        h('td', { class: 'mono' }, h('div', {}, ap.mac), h('div', { class: 'meta' }, ap.uuid)),
        h('td', {}, wps),
        h('td', { 'data-testid': 'ap-ssid' }, s ? h('span', { class: 'ssid' }, s.ssid) : h('span', { class: 'pending' }, 'not learned')),
        h('td', { class: 'nowrap' }, s ? `${s.authType} / ${s.encrType}` : ''),
        h('td', { class: 'nowrap' }, keyCell),
      );
    }),
  );
  const opts = state.aps.map((ap) => ({ value: ap.uuid, label: `${apName(ap)} · ${ap.mac}`, preferred: !ap.settings }));
  fillSelect($('#learn-ap'), opts);
  fillSelect($('#config-ap'), opts);
}

async function toggleKey(ap) {
  if (revealedKeys.has(ap.uuid)) {
    revealedKeys.delete(ap.uuid);
    renderAps();
    return;
  }
  const r = await post('/api/reveal-key', { ap: ap.uuid });
  if (r.ok) revealedKeys.set(ap.uuid, r.data.key);
  else setMsg($('#learn-form'), r.data.error, 'error');
  renderAps();
}

function renderEnrollees() {
  const body = $('#enrollee-rows');
  $('#enrollee-empty').hidden = state.enrollees.length > 0;
  const apById = new Map(state.aps.map((a) => [a.uuid, a]));
  body.replaceChildren(
    ...state.enrollees.map((e) => {
      const ap = e.apUuid ? apById.get(e.apUuid) : undefined;
      const waiting = e.state === 'probe' || e.state === 'm1';
      return h(
        'tr',
        { 'data-testid': 'enrollee-row', 'data-mac': e.mac, 'data-uuid': e.uuid, 'data-state': e.state },
        h('td', { class: 'nowrap' }, h('div', { class: 'name' }, enrolleeName(e)), h('div', { class: 'meta' }, [e.manufacturer, e.modelName, e.modelNumber].filter(Boolean).join(' · '))),
        h('td', { class: 'mono' }, h('div', {}, e.mac), h('div', { class: 'meta' }, e.uuid)),
        h(
          'td',
          {},
          h('div', { class: 'chips' }, methodsText(e.configMethods).map((m) => h('span', { class: 'chip', title: m.long }, m.short)), e.devPasswdId === 4 ? h('span', { class: 'chip pbc' }, 'wants PBC') : null),
          h('div', { class: 'meta mono' }, `type ${e.priDevType}`),
        ),
        h(
          'td',
          {},
          h('span', { class: `badge ${e.state}`, 'data-testid': 'enrollee-state', title: e.detail ?? '' }, STATE_TEXT[e.state] ?? e.state),
          h('div', { class: 'meta nowrap', 'data-testid': 'enrollee-ap' }, ap ? `via ${apName(ap)}` : e.detail ?? ''),
        ),
        h(
          'td',
          { class: 'row-actions' },
          waiting ? h('button', { type: 'button', class: 'btn small', 'data-testid': 'enrollee-pin', onclick: () => choosePin(e) }, 'PIN…') : null,
          ' ',
          waiting ? h('button', { type: 'button', class: 'btn small', 'data-testid': 'enrollee-pbc', onclick: () => doPbc(enrolleeId(e)) }, 'PBC') : null,
        ),
      );
    }),
  );
  const opts = state.enrollees.map((e) => ({
    value: enrolleeId(e),
    label: `${enrolleeName(e)} · ${e.mac} · ${STATE_TEXT[e.state] ?? e.state}`,
    preferred: e.state === 'm1' || e.state === 'probe',
  }));
  opts.push({ value: 'any', label: 'Any Enrollee (wildcard PIN)' });
  fillSelect($('#pin-enrollee'), opts);
}

function choosePin(e) {
  const sel = $('#pin-enrollee');
  sel.value = enrolleeId(e);
  sel.dataset.touched = '1';
  $('#pin-pin').focus();
}

function renderCounts() {
  $('[data-testid="count-aps"]').textContent = String(state.aps.length);
  $('[data-testid="count-waiting"]').textContent = String(state.enrollees.filter((e) => e.state === 'probe' || e.state === 'm1').length);
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

function eventClass(text) {
  if (text.startsWith('WPS-FAIL') || text.includes('state=FAILED') || text.startsWith('WPS-TIMEOUT')) return 'ev-fail';
  if (text.startsWith('WPS-SUCCESS') || text.startsWith('WPS-REG-SUCCESS') || text.startsWith('AP-STA-CONNECTED') || text.startsWith('WPS-NEW-AP-SETTINGS')) return 'ev-success';
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
    list.append(
      h(
        'li',
        { class: eventClass(ev.text), 'data-testid': 'event-line' },
        h('time', { datetime: t.toISOString() }, `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`),
        h('span', { class: `src ${ev.source}` }, ev.source),
        h('span', { class: 'text' }, h('b', {}, ev.text.split(' ', 1)[0]), ev.text.slice(ev.text.split(' ', 1)[0].length)),
      ),
    );
    notePending(ev.text);
  }
  while (list.childElementCount > MAX_LOG_LINES) list.firstElementChild.remove();
  if (follow) list.scrollTop = list.scrollHeight;
}

/** Turns the outcome of a learn/configure run into a message on its form. */
function notePending(text) {
  for (const kind of ['learn', 'config']) {
    const p = pendingAp[kind];
    if (!p) continue;
    const form = kind === 'learn' ? $('#learn-form') : $('#config-form');
    if (text.startsWith(`WPS-ER-AP-SETTINGS uuid=${p.uuid} `)) {
      const ssid = /ssid=(.*?) auth_type=/.exec(text)?.[1] ?? '';
      setMsg(form, kind === 'learn' ? `Learned: SSID ${ssid}.` : `Configured: SSID ${ssid}.`, 'ok');
      pendingAp[kind] = null;
    } else if (text.startsWith('WPS-FAIL')) {
      const why = / config_error=18\b/.test(text) ? ' The AP PIN is probably wrong.' : '';
      setMsg(form, `The AP refused the run (${text.trim()}).${why}`, 'error');
      pendingAp[kind] = null;
    }
  }
}

// --- actions -----------------------------------------------------------------

async function doPbc(enrollee) {
  const form = $('#pin-form');
  const r = await submit(form, '/api/pbc', { enrollee }, 'Starting push-button enrollment…');
  if (r) setMsg(form, `Push button accepted for ${enrollee}; waiting for the Enrollee.`, 'ok');
}

function wireForms() {
  for (const sel of document.querySelectorAll('select')) sel.addEventListener('change', () => (sel.dataset.touched = '1'));

  $('#learn-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const ap = String(f.get('ap') ?? '');
    const r = await submit(ev.target, '/api/learn', { ap, pin: String(f.get('pin') ?? '') }, 'Asking the AP…');
    if (r) {
      pendingAp.learn = { uuid: ap };
      setMsg(ev.target, 'Learning… the settings appear when the AP answers.', '');
    }
  });

  $('#config-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = {};
    for (const k of ['ap', 'pin', 'ssid', 'auth', 'encr', 'key']) body[k] = String(f.get(k) ?? '');
    const r = await submit(ev.target, '/api/configure', body, 'Sending new settings…');
    if (r) {
      pendingAp.config = { uuid: body.ap };
      setMsg(ev.target, 'Configuring… the AP applies the settings when the run completes.', '');
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
    const r = await submit(ev.target, '/api/pin', body, 'Adding the PIN…');
    if (r) setMsg(ev.target, `PIN accepted for ${enrollee === 'any' ? 'any Enrollee' : known ? enrolleeName(known) : enrollee}; waiting for the Enrollee.`, 'ok');
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
