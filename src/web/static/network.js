// The network picture: the ER on top, each AP below it, its stations in a fan under it,
// coloured by state and labelled. Laid out for the width the picture has; past
// MAX_SHOWN stations per AP the waiting ones are drawn first and a line counts the rest by state.
/* global document */
const SVG_NS = 'http://www.w3.org/2000/svg';
const MIN_WIDTH = 320;
const MAX_AP_SPACING = 320;
const HEIGHT = 320;
const ER_Y = 30;
const AP_Y = 112;
/** Stations drawn around one AP; the rest are counted. */
const MAX_SHOWN = 16;
const FAN_RADIUS = 92;
/** Roughly the width of one label character at 10px. */
const CHAR_PX = 6;
const STATE_ORDER = { m1: 0, probe: 1, failed: 2, enrolled: 3 };
const STATE_WORD = { probe: 'probe', m1: 'M1', enrolled: 'enrolled', failed: 'failed' };

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, String(v));
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

function title(text) {
  return s('title', { text });
}

function short(text, n) {
  return text.length > n ? text.slice(0, Math.max(1, n - 1)) + '…' : text;
}

/** A station's label: the first word of its name (its tail when long: that is where numbers are), else its MAC's tail. */
function stationLabel(e, chars) {
  const word = (e.deviceName || '').trim().split(/\s+/, 1)[0] || e.mac.slice(-5);
  if (word.length <= chars) return word;
  // "lab-sta-02" -> "sta-02": the numbered tail tells stations apart.
  const tail = word.split('-').slice(-2).join('-');
  if (/\d/.test(word) && tail.length <= chars) return tail;
  return word.slice(0, chars - 1) + '…';
}

/** Where station i of n sits: on a fan below its AP, clear of the ER link above. */
function stationSpot(cx, cy, r, i, n) {
  const from = (12 * Math.PI) / 180;
  const to = (168 * Math.PI) / 180;
  const t = n === 1 ? 0.5 : i / (n - 1);
  const a = to - (to - from) * t;
  return { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a), a };
}

function countsLine(stas) {
  const n = {};
  for (const e of stas) n[e.state] = (n[e.state] ?? 0) + 1;
  return Object.keys(STATE_WORD)
    .filter((k) => n[k])
    .map((k) => `${n[k]} ${STATE_WORD[k]}`)
    .join(' · ');
}

export function drawNetwork(svg, state) {
  const aps = state.aps ?? [];
  const enrollees = state.enrollees ?? [];
  const known = new Set(aps.map((a) => a.uuid));
  const groups = aps.map((ap) => ({ ap, stas: enrollees.filter((e) => e.apUuid === ap.uuid) }));
  const stray = enrollees.filter((e) => !e.apUuid || !known.has(e.apUuid));
  if (stray.length > 0) groups.push({ ap: null, stas: stray });

  const avail = Math.max(MIN_WIDTH, Math.round(svg.clientWidth || 800));
  const spacing = Math.min(MAX_AP_SPACING, Math.max(MIN_WIDTH, avail / Math.max(1, groups.length)));
  const width = Math.max(avail, Math.ceil(spacing * groups.length));
  const narrow = avail < 560;
  const radius = narrow ? FAN_RADIUS * 0.8 : FAN_RADIUS * 1.15;
  const chars = narrow ? 7 : 10;
  svg.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
  const links = s('g');
  const nodes = s('g');
  const erX = width / 2;

  groups.forEach((g, i) => {
    const cx = (width - groups.length * spacing) / 2 + spacing * (i + 0.5);
    const learned = g.ap !== null && g.ap.settings !== undefined;
    links.append(
      s('path', {
        class: `net-link${learned ? ' learned' : ' dashed'}`,
        d: `M ${erX} ${ER_Y + 17} C ${erX} ${(ER_Y + AP_Y) / 2}, ${cx} ${(ER_Y + AP_Y) / 2}, ${cx} ${AP_Y - 22}`,
      }),
    );
    const ordered = g.stas.length > MAX_SHOWN ? [...g.stas].sort((a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9)) : g.stas;
    const shown = ordered.slice(0, MAX_SHOWN);
    shown.forEach((e, j) => {
      const p = stationSpot(cx, AP_Y, radius, j, shown.length);
      links.append(s('line', { class: 'net-sta-link', x1: cx, y1: AP_Y, x2: p.x, y2: p.y }));
      // Labels run outwards along the spoke, never upside down.
      const deg = (p.a * 180) / Math.PI;
      const left = deg > 90;
      const lx = p.x + 12 * Math.cos(p.a);
      const ly = p.y + 12 * Math.sin(p.a);
      nodes.append(
        s(
          'g',
          { class: `net-sta ${e.state}`, 'data-testid': 'net-station', 'data-mac': e.mac, 'data-state': e.state },
          title(`${e.deviceName || 'Enrollee'} ${e.mac} — ${e.state}`),
          s('circle', { cx: p.x, cy: p.y, r: 8 }),
          s('text', {
            'data-testid': 'net-station-label',
            x: lx,
            y: ly,
            dy: '0.35em',
            'text-anchor': left ? 'end' : 'start',
            transform: `rotate(${left ? deg - 180 : deg} ${lx} ${ly})`,
            text: stationLabel(e, chars),
          }),
        ),
      );
    });
    if (g.stas.length > shown.length) {
      nodes.append(
        s('text', { class: 'net-summary', 'data-testid': 'net-summary', x: cx, y: HEIGHT - 10, 'text-anchor': 'middle', text: `${g.stas.length} stations: ${countsLine(g.stas)} (${shown.length} drawn)` }),
      );
    }
    const room = Math.max(8, Math.floor((width - (cx + 34) - 6) / CHAR_PX));
    const apLabel = g.ap ? short(g.ap.friendlyName || g.ap.modelName || g.ap.mac, Math.min(26, room)) : 'Unknown AP';
    const sub = g.ap ? (learned ? short(`SSID ${g.ap.settings.ssid}`, Math.min(28, room)) : 'not learned') : '';
    nodes.append(
      s(
        'g',
        { class: `net-ap${learned ? '' : ' unlearned'}`, 'data-testid': 'net-ap', 'data-uuid': g.ap ? g.ap.uuid : '' },
        title(g.ap ? `${apLabel} ${g.ap.mac} ${g.ap.uuid}` : 'Stations whose AP is not known'),
        s('circle', { class: 'wave', cx, cy: AP_Y, r: 28 }),
        s('circle', { class: 'body', cx, cy: AP_Y, r: 19 }),
        s('text', { class: 'net-sub', x: cx, y: AP_Y + 4, 'text-anchor': 'middle', text: 'AP' }),
        s('text', { class: 'net-label', x: cx + 34, y: AP_Y - 30, text: apLabel }),
        s('text', { class: 'net-sub', x: cx + 34, y: AP_Y - 16, text: sub }),
      ),
    );
  });

  const er = s(
    'g',
    { class: 'net-er', 'data-testid': 'net-er' },
    title(state.er ? `External Registrar ${state.er.uuid}` : 'External Registrar'),
    s('rect', { x: erX - 78, y: ER_Y - 17, width: 156, height: 34, rx: 8 }),
    s('text', { class: 'net-er-label', x: erX, y: ER_Y + 4, 'text-anchor': 'middle', text: 'External Registrar' }),
  );
  nodes.append(er);
  const parts = [links, nodes];
  if (groups.length === 0) {
    parts.push(s('text', { class: 'net-empty', x: erX, y: AP_Y + 10, 'text-anchor': 'middle', text: 'Looking for APs…' }));
  }
  svg.replaceChildren(...parts);
}
