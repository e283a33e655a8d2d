// The network picture: the ER on top, each AP below it, the stations around their AP
// coloured by state. Redrawn from the state on every change (a few dozen nodes at most).
/* global document */
const SVG_NS = 'http://www.w3.org/2000/svg';
const BASE_WIDTH = 800;
const AP_SPACING = 300;
const SIDE_MARGIN = 50;
const HEIGHT = 270;
const ER_Y = 32;
const AP_Y = 122;
const RING_RADIUS = [76, 112];
const PER_RING = [7, 11];
const LABEL_LIMIT = 7;

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
  return text.length > n ? text.slice(0, n - 1) + '…' : text;
}

/** Where station i of n sits around its AP: in a fan below it, clear of the ER link above and of the next AP. */
function stationSpot(cx, cy, i, n) {
  const ring = i < PER_RING[0] ? 0 : 1;
  const index = ring === 0 ? i : i - PER_RING[0];
  const count = ring === 0 ? Math.min(n, PER_RING[0]) : Math.min(n - PER_RING[0], PER_RING[1]);
  const from = (15 * Math.PI) / 180;
  const to = (165 * Math.PI) / 180;
  const t = count === 1 ? 0.5 : index / (count - 1);
  const a = from + (to - from) * t;
  const r = RING_RADIUS[ring];
  return { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) * 0.85, a };
}

export function drawNetwork(svg, state) {
  const aps = state.aps ?? [];
  const enrollees = state.enrollees ?? [];
  const known = new Set(aps.map((a) => a.uuid));
  const groups = aps.map((ap) => ({ ap, stas: enrollees.filter((e) => e.apUuid === ap.uuid) }));
  const stray = enrollees.filter((e) => !e.apUuid || !known.has(e.apUuid));
  if (stray.length > 0) groups.push({ ap: null, stas: stray });

  // A margin each side leaves room for the label to the right of the last AP.
  const width = Math.max(BASE_WIDTH, groups.length * AP_SPACING + 2 * SIDE_MARGIN);
  svg.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
  const links = s('g');
  const nodes = s('g');
  const erX = width / 2;

  groups.forEach((g, i) => {
    const cx = (width - groups.length * AP_SPACING) / 2 + AP_SPACING * (i + 0.5);
    const learned = g.ap !== null && g.ap.settings !== undefined;
    links.append(
      s('path', {
        class: `net-link${learned ? ' learned' : ' dashed'}`,
        d: `M ${erX} ${ER_Y + 17} C ${erX} ${(ER_Y + AP_Y) / 2}, ${cx} ${(ER_Y + AP_Y) / 2}, ${cx} ${AP_Y - 22}`,
      }),
    );
    const shown = g.stas.slice(0, PER_RING[0] + PER_RING[1]);
    shown.forEach((e, j) => {
      const p = stationSpot(cx, AP_Y, j, shown.length);
      links.append(s('line', { class: 'net-sta-link', x1: cx, y1: AP_Y, x2: p.x, y2: p.y }));
      const label = shown.length <= LABEL_LIMIT ? short(e.deviceName || e.mac.slice(-5), 12) : null;
      const below = Math.sin(p.a) > 0.3;
      const anchor = Math.cos(p.a) > 0.35 ? 'start' : Math.cos(p.a) < -0.35 ? 'end' : 'middle';
      const dx = anchor === 'start' ? 13 : anchor === 'end' ? -13 : 0;
      const dy = anchor === 'middle' ? (below ? 22 : -13) : 4;
      nodes.append(
        s(
          'g',
          { class: `net-sta ${e.state}`, 'data-testid': 'net-station', 'data-mac': e.mac, 'data-state': e.state },
          title(`${e.deviceName || 'Enrollee'} ${e.mac} — ${e.state}`),
          s('circle', { cx: p.x, cy: p.y, r: 9 }),
          label ? s('text', { x: p.x + dx, y: p.y + dy, 'text-anchor': anchor, text: label }) : null,
        ),
      );
    });
    if (g.stas.length > shown.length) {
      nodes.append(s('text', { class: 'net-sub', x: cx, y: HEIGHT - 6, 'text-anchor': 'middle', text: `+${g.stas.length - shown.length} more` }));
    }
    const apLabel = g.ap ? short(g.ap.friendlyName || g.ap.modelName || g.ap.mac, 26) : 'Unknown AP';
    const sub = g.ap ? (learned ? `SSID ${short(g.ap.settings.ssid, 22)}` : 'not learned') : '';
    nodes.append(
      s(
        'g',
        { class: `net-ap${learned ? '' : ' unlearned'}`, 'data-testid': 'net-ap', 'data-uuid': g.ap ? g.ap.uuid : '' },
        title(g.ap ? `${apLabel} ${g.ap.mac} ${g.ap.uuid}` : 'Stations whose AP is not known'),
        s('circle', { class: 'wave', cx, cy: AP_Y, r: 30 }),
        s('circle', { class: 'body', cx, cy: AP_Y, r: 20 }),
        s('text', { class: 'net-sub', x: cx, y: AP_Y + 4, 'text-anchor': 'middle', text: 'AP' }),
        s('text', { class: 'net-label', x: cx + 34, y: AP_Y - 38, text: apLabel }),
        s('text', { class: 'net-sub', x: cx + 34, y: AP_Y - 23, text: sub }),
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
