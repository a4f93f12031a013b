// The node's live page (docs/http.md). Plain script, no framework, no build step: it reads
// /api/node, /api/peers and /api/keys with fetch and listens to /api/events (server-sent events).
// Keys, values and ids are user data: they only ever reach the page as textContent, never as markup.
'use strict';

const MAX_EVENTS = 200;        // lines kept in the events list
const CHART_SECONDS = 60;      // samples a chart shows
const PAGE_SIZE = 50;          // rows of the dictionary table
const MAX_KEY_CHARS = 1024;    // the node cuts longer keys in what it sends (docs/http.md)

// The token: from the URL the node printed (then taken out of the address bar), or kept for this tab.
const token = (() => {
  const url = new URL(location.href);
  const given = url.searchParams.get('token');
  if (given) {
    sessionStorage.setItem('syncmesh-token', given);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return given || sessionStorage.getItem('syncmesh-token');
})();

const $ = (id) => document.getElementById(id);

async function api(path) {
  const headers = token ? { Authorization: 'Bearer ' + token } : {};
  const response = await fetch(path, { headers, cache: 'no-store' });
  if (!response.ok) {
    let reason = response.status + ' ' + response.statusText;
    try { reason += ': ' + (await response.json()).error; } catch (e) { /* not JSON */ }
    throw new Error(path + ': ' + reason);
  }
  return response.json();
}

function showError(error) {
  const p = $('error');
  if (error) {
    p.textContent = String(error.message || error);
    p.hidden = false;
  } else {
    p.hidden = true;
  }
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function bytes(n) {
  if (n == null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
}

function when(seconds) {
  return seconds == null ? '' : new Date(seconds * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z');
}

function duration(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's';
}

// ---------------------------------------------------------------- node and peers

let node = null;

async function loadNode() {
  node = await api('/api/node');
  $('node-short').textContent = node.shortId;
  $('node-id').textContent = node.id;
  $('node-address').textContent = node.address + (node.host !== node.address.split(':')[0] ? ' (bound ' + node.host + ':' + node.port + ')' : '');
  $('node-network').textContent = (node.secure ? 'secure' : 'open') + ', subnet ' + node.subnet + ', ' + node.transport
    + (node.leasing ? ', leasing' : ', no leasing');
  $('node-network').title = 'protocol ' + node.protocol;
  $('node-keys').textContent = node.keys;
  $('node-tombstones').textContent = node.tombstones;
  $('node-uptime').textContent = duration(node.uptimeSeconds);
  $('node-status').textContent = node.status;
  const lines = $('status-lines');
  lines.replaceChildren(...node.statusLines.slice(-10).map((line) => {
    const li = document.createElement('li');
    li.textContent = line;
    return li;
  }));
  $('lease-head').hidden = !node.leasing;
}

async function loadPeers() {
  const { peers } = await api('/api/peers');
  const body = $('peers-body');
  body.replaceChildren(...peers.map((p) => {
    const tr = document.createElement('tr');
    tr.dataset.peer = p.id;
    cell(tr, p.shortId).title = p.id;
    cell(tr, p.address + (p.outgoing ? ' →' : ' ←'));
    cell(tr, p.dialect + (p.extension ? ' (ext v' + p.extension + ')' : ''));
    cell(tr, p.link);
    cell(tr, bytes(p.bytesIn), 'num');
    cell(tr, bytes(p.bytesOut), 'num');
    cell(tr, (p.framesIn ?? '–') + ' / ' + (p.framesOut ?? '–'), 'num');
    cell(tr, bytes(p.queuedBytes), 'num');
    return tr;
  }));
  $('peers-empty').hidden = peers.length > 0;
  $('peers-count').textContent = '(' + peers.length + ')';
}

// ---------------------------------------------------------------- dictionary

const view = { prefix: '', owner: '', cursors: [null], page: 0, next: null, lastKey: null };

async function loadKeys() {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (view.prefix) q.set('prefix', view.prefix);
  if (view.owner) q.set('owner', view.owner);
  const after = view.cursors[view.page];
  if (after != null) q.set('after', after);
  const result = await api('/api/keys?' + q);
  view.next = result.next;
  // The last row's key, when the page is full and its keys are whole: a change to a key sorting after
  // it (or before the page's cursor) cannot change the rows shown (see keysChanged).
  const whole = result.keys.length === PAGE_SIZE && result.keys.every((k) => !k.keyTruncated);
  view.lastKey = whole ? result.keys[result.keys.length - 1].key : null;
  const body = $('keys-body');
  body.replaceChildren(...result.keys.map((k) => {
    const tr = document.createElement('tr');
    tr.dataset.key = k.key;
    cell(tr, k.key, k.keyTruncated ? 'cut' : '');
    cell(tr, k.value, k.valueTruncated ? 'cut' : '');
    cell(tr, k.owner == null ? '' : k.owner.slice(0, 10)).title = k.owner || '';
    cell(tr, when(k.timestamp));
    const lease = cell(tr, node && node.leasing ? when(k.leaseExpires) : '');
    lease.hidden = !(node && node.leasing);
    return tr;
  }));
  $('keys-empty').hidden = result.keys.length > 0;
  $('keys-info').textContent = '(' + result.matched + (view.prefix || view.owner ? ' matching' : '') + ')';
  $('page-number').textContent = 'page ' + (view.page + 1);
  $('prev').disabled = view.page === 0;
  $('next').disabled = result.next == null;
}

$('filter').addEventListener('submit', (e) => {
  e.preventDefault();
  view.prefix = $('prefix').value;
  view.owner = $('owner').value.trim();
  view.cursors = [null];
  view.page = 0;
  loadKeys().catch(showError);
});
$('next').addEventListener('click', () => {
  if (view.next == null) return;
  view.cursors[view.page + 1] = view.next;
  view.page++;
  loadKeys().catch(showError);
});
$('prev').addEventListener('click', () => {
  if (view.page === 0) return;
  view.page--;
  loadKeys().catch(showError);
});

// Changes come faster than a table should redraw: one reload of the shown page at most every second,
// and never more than 1/20 of the time busy with it (each reload walks the whole dictionary on the
// node's HTTP thread, so a large dictionary under a stream of writes is reloaded less often).
// Unfiltered, a change the rows cannot show is not reloaded for at all: a key sorting after a full
// page's last row, or before its cursor (the count comes from the stream's tick). Keys compare as the
// node sorts them, by UTF-16 code units. A gap in the stream (dropped events) always reloads.
let keysTimer = null;
let keysLoadMs = 0;
function keysChanged(key) {
  if (key !== undefined && cannotShow(key)) return;
  if (keysTimer == null) {
    keysTimer = setTimeout(() => {
      keysTimer = null;
      const started = performance.now();
      loadKeys().then(() => { keysLoadMs = performance.now() - started; }).catch(showError);
    }, Math.max(1000, 20 * keysLoadMs));
  }
}

function cannotShow(key) {
  // a key of MAX_KEY_CHARS or more may be cut (a delete event does not say): it decides nothing
  if (view.prefix || view.owner || view.lastKey == null || key.length >= MAX_KEY_CHARS) return false;
  const after = view.cursors[view.page];
  return key > view.lastKey || (after != null && key <= after);
}

// ---------------------------------------------------------------- events

function addEvent(kind, text) {
  const list = $('events-list');
  const li = document.createElement('li');
  li.className = 'ev-' + kind;
  li.dataset.kind = kind;
  li.textContent = new Date().toLocaleTimeString() + '  ' + kind + '  ' + text;
  list.prepend(li);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}

// ---------------------------------------------------------------- charts

const charts = {
  writes: { canvas: $('chart-writes'), now: $('writes-now'), a: [], b: [], unit: (v) => v.toFixed(0) + ' / s' },
  bytes: { canvas: $('chart-bytes'), now: $('bytes-now'), a: [], b: [], unit: (v) => bytes(Math.round(v)) + '/s' },
};
let lastTick = null;

function push(chart, a, b) {
  chart.a.push(a);
  chart.b.push(b);
  if (chart.a.length > CHART_SECONDS) { chart.a.shift(); chart.b.shift(); }
  chart.now.textContent = chart.unit(a) + ' · ' + chart.unit(b);
  draw(chart);
}

function draw(chart) {
  const c = chart.canvas, g = c.getContext('2d');
  const styles = getComputedStyle(document.documentElement);
  g.clearRect(0, 0, c.width, c.height);
  c.dataset.samples = String(chart.a.length);
  const max = Math.max(1, ...chart.a, ...chart.b);
  const x = (i) => c.width - 3 - (chart.a.length - 1 - i) * ((c.width - 6) / (CHART_SECONDS - 1));
  const y = (v) => c.height - 3 - (v / max) * (c.height - 8);
  g.strokeStyle = styles.getPropertyValue('--line').trim();
  g.beginPath();
  g.moveTo(0, y(0) + 1);
  g.lineTo(c.width, y(0) + 1);
  g.stroke();
  for (const [series, color] of [[chart.a, '--a'], [chart.b, '--b']]) {
    g.strokeStyle = g.fillStyle = styles.getPropertyValue(color).trim();
    g.lineWidth = 1.5;
    g.beginPath();
    series.forEach((v, i) => (i === 0 ? g.moveTo(x(i), y(v)) : g.lineTo(x(i), y(v))));
    g.stroke();
    const last = series.length - 1;
    g.fillRect(x(last) - 2, y(series[last]) - 2, 4, 4);
  }
  g.fillStyle = styles.getPropertyValue('--muted').trim();
  g.fillText('max ' + chart.unit(max), 4, 10);
}

function tick(t) {
  if (lastTick != null && t.time > lastTick.time) {
    const s = (t.time - lastTick.time) / 1000;
    const rate = (now, before) => Math.max(0, now - before) / s;
    push(charts.writes, rate(t.writesLocal, lastTick.writesLocal), rate(t.writesRemote, lastTick.writesRemote));
    push(charts.bytes, rate(t.bytesIn, lastTick.bytesIn), rate(t.bytesOut, lastTick.bytesOut));
  }
  lastTick = t;
  $('node-keys').textContent = t.keys;
  if (!view.prefix && !view.owner) $('keys-info').textContent = '(' + t.keys + ')';
  $('node-tombstones').textContent = t.tombstones;
  if (node) $('node-uptime').textContent = duration(Math.max(0, Math.round((t.time - Date.parse(node.startedAt)) / 1000)));
  loadPeers().catch(showError); // traffic counters change every second
}

// ---------------------------------------------------------------- the stream

function listen() {
  // EventSource sends no header: the server's HttpOnly cookie carries the token when one is needed.
  const stream = new EventSource('/api/events');
  const on = (name, handler) => stream.addEventListener(name, (e) => {
    try { handler(JSON.parse(e.data)); } catch (error) { showError(error); }
  });
  stream.onopen = () => {
    $('stream-state').textContent = 'connected';
    $('stream-state').className = 'state-on';
    showError(null);
    Promise.all([loadNode(), loadPeers(), loadKeys()]).catch(showError); // catch up on what the gap missed
  };
  stream.onerror = () => {
    $('stream-state').textContent = 'reconnecting';
    $('stream-state').className = 'state-off';
  };
  on('update', (d) => {
    addEvent('update', d.key + (d.keyTruncated ? '…' : '') + ' = ' + d.value + (d.valueTruncated ? '…' : '')
      + '  by ' + (d.owner || '?').slice(0, 10));
    keysChanged(d.keyTruncated ? undefined : d.key);
  });
  on('delete', (d) => {
    addEvent('delete', d.key);
    keysChanged(d.key); // a delete does not say whether its key was cut: cannotShow checks the length
  });
  on('peer', (d) => {
    addEvent('peer', d.event + ' ' + d.shortId + ' ' + d.address + ' (' + d.dialect + ')');
    loadPeers().catch(showError);
    loadNode().catch(showError);
  });
  on('refused', (d) => {
    addEvent('refused', d.line);
    loadNode().catch(showError);
  });
  on('dropped', (d) => {
    addEvent('dropped', d.count + ' events not shown (the node writes faster than this page shows)');
    keysChanged(); // what was missed may be on the shown page
  });
  on('tick', tick);
}

Promise.all([loadNode(), loadPeers()]).then(loadKeys).catch(showError);
listen();
