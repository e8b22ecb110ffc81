// @ts-check
// The web console's page script: polls the process's JSON views (relative URLs, so it works behind
// `kubectl port-forward` and path prefixes) and draws tables and uPlot charts. Plain JS served as
// is: no build step, nothing fetched from elsewhere.
/* global uPlot */

const config = JSON.parse(document.getElementById('console-config')?.textContent ?? '{}');
const TOKEN_KEY = 'alluxio-console-token';
const TABS = config.kind === 'coordinator'
  ? { overview: 'Overview', ring: 'Hash ring', jobs: 'Jobs', conf: 'Configuration', warnings: 'Warnings' }
  : { overview: 'Overview', conf: 'Configuration', warnings: 'Warnings' };
/** Views that cost a fan-out to every worker: refreshed less often. */
const SLOW = { ring: 5 };

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const statusEl = /** @type {HTMLElement} */ (document.getElementById('status'));
let tab = 'overview';
let charts = /** @type {any[]} */ ([]);
let ticks = 0;
let timer = 0;
let confFilter = '';

class LoginNeeded extends Error {}

function headers() {
  const t = sessionStorage.getItem(TOKEN_KEY);
  return t ? { authorization: `Bearer ${t}` } : {};
}

async function api(view) {
  const res = await fetch(`api/v1/console/${view}`, { headers: headers(), cache: 'no-store' });
  const body = await res.json();
  if (res.status === 401 || res.status === 403) throw new LoginNeeded(body.message);
  if (!res.ok) throw new Error(body.message ?? `${view}: HTTP ${res.status}`);
  return body;
}

// ---- formatting
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
function bytes(n) {
  if (n === null || n === undefined) return '-';
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${UNITS[i]}`;
}
const rate = (n) => (n === null || n === undefined ? '-' : `${bytes(n)}/s`);
const pct = (x) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A table cell carrying its raw value (data-value) next to the text people read. */
const cell = (field, text, value, cls = '') => `<td data-field="${field}"${value === undefined ? '' : ` data-value="${esc(value ?? '')}"`} class="${cls}">${esc(text)}</td>`;
const card = (field, label, text, value) => `<div class="card" data-card="${field}" data-value="${esc(value ?? '')}"><div class="label">${esc(label)}</div><div class="value">${esc(text)}</div></div>`;
function table(headersRow, rows, empty) {
  if (rows.length === 0) return `<p class="muted">${esc(empty)}</p>`;
  return `<table><thead><tr>${headersRow.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
function lastRate(series, name) {
  const col = series.rates[name];
  if (!col) return null;
  for (let i = col.length - 1; i >= 0; i--) if (col[i] !== null) return col[i];
  return null;
}
function hitRates(series) {
  const c = series.rates.cachedRead ?? [];
  const m = series.rates.missedRead ?? [];
  return series.t.map((_, i) => {
    const a = c[i];
    const b = m[i];
    return a === null || b === null || a === undefined || b === undefined || a + b === 0 ? null : (a / (a + b)) * 100;
  });
}

// ---- charts (uPlot, one per metric; data kept in memory by the process, SAMPLE_MS apart)
function drawCharts(series) {
  const t = series.t.map((x) => x / 1000);
  const read = series.t.map((_, i) => sum(series.rates.cachedRead?.[i], series.rates.missedRead?.[i]));
  const defs = [
    { id: 'chart-read', title: 'Read throughput', data: read, fmt: rate },
    { id: 'chart-ufs', title: 'UFS read rate', data: series.rates.ufsRead ?? t.map(() => null), fmt: rate },
    { id: 'chart-hit', title: 'Cache hit rate (%)', data: hitRates(series), fmt: (v) => (v === null ? '-' : `${v.toFixed(0)}%`) },
  ];
  if (charts.length === 0) {
    const box = document.getElementById('charts');
    if (!box) return;
    // All boxes first, then the plots: each measures its box once the grid has its final layout.
    const els = defs.map((d) => {
      const el = document.createElement('div');
      el.className = 'chart';
      el.id = d.id;
      box.appendChild(el);
      return el;
    });
    defs.forEach((d, i) => {
      const el = els[i];
      charts.push(new uPlot({
        title: d.title, width: Math.max(el.clientWidth - 16, 240), height: 170,
        series: [{}, { label: d.title, stroke: '#5b3cc4', width: 2, fill: 'rgba(91,60,196,0.08)', value: (_u, v) => d.fmt(v) }],
        axes: [{}, { values: (_u, vals) => vals.map((v) => d.fmt(v)), size: 96 }],
        legend: { show: false },
      }, [t, d.data], el));
    });
  } else {
    defs.forEach((d, i) => charts[i].setData([t, d.data]));
  }
}
function sum(a, b) {
  return a === null || a === undefined || b === null || b === undefined ? null : a + b;
}

// ---- views
function workerState(w) {
  if (w.status === 'OFFLINE') return ['DOWN', 'DOWN (lost)'];
  if (!w.reachable) return ['DOWN', 'DOWN (unreachable)'];
  return ['UP', 'UP'];
}

async function overview() {
  const [o, series] = await Promise.all([api('overview'), api('series')]);
  if (config.kind === 'worker') return workerOverview(o, series);
  const r = o.report;
  const readRate = sum(lastRate(series, 'cachedRead'), lastRate(series, 'missedRead'));
  // Up: registered and answering. A worker killed a moment ago still holds its lease (ONLINE in
  // etcd until alluxio.worker.failure.detection.timeout) but no longer answers: it is down.
  const up = r.workers.filter((w) => workerState(w)[0] === 'UP').length;
  const cards = [
    card('upWorkers', 'Workers up', up, up),
    card('downWorkers', 'Workers down', r.workers.length - up, r.workers.length - up),
    card('capacityBytes', 'Capacity', bytes(r.capacityBytes), r.capacityBytes),
    card('usedBytes', 'Used', bytes(r.usedBytes), r.usedBytes),
    card('hitRate', 'Hit rate', pct(r.hitRate), r.hitRate),
    card('readRate', 'Read throughput', rate(readRate), readRate),
    card('ufsRate', 'UFS read rate', rate(lastRate(series, 'ufsRead')), lastRate(series, 'ufsRead')),
  ].join('');
  const workers = r.workers.map((w) => {
    const [s, text] = workerState(w);
    const thr = lastRate(series, `${w.workerId}:read`);
    const ufs = lastRate(series, `${w.workerId}:ufs`);
    return `<tr data-worker="${esc(w.workerId)}">${cell('workerId', w.workerId)}${cell('address', w.address)}${cell('state', text, s, `state-${s}`)}`
      + `${cell('usedBytes', bytes(w.usedBytes), w.usedBytes, 'num')}${cell('capacityBytes', bytes(w.capacityBytes), w.capacityBytes, 'num')}`
      + `${cell('hitRate', pct(w.hitRate), w.hitRate, 'num')}${cell('throughput', s === 'UP' ? rate(thr) : '-', thr, 'num')}`
      + `${cell('ufsRate', s === 'UP' ? rate(ufs) : '-', ufs, 'num')}${cell('cachedReadBytes', bytes(w.cachedReadBytes), w.cachedReadBytes, 'num')}`
      + `${cell('ufsReadBytes', bytes(w.ufsReadBytes), w.ufsReadBytes, 'num')}</tr>`;
  });
  const mounts = o.mounts.map((m) => `<tr data-mount="${esc(m.path)}">${cell('path', m.path)}${cell('ufs', m.ufs)}`
    + `${cell('options', Object.entries(m.options).map(([k, v]) => `${k}=${v}`).join(', '))}</tr>`);
  render(`<div class="cards">${cards}</div><div class="charts" id="charts"></div>`
    + `<h2>Workers</h2>${table(['Worker', 'Address', 'State', 'Used', 'Capacity', 'Hit rate', 'Throughput', 'UFS read rate', 'Cached read', 'UFS read'], workers, 'no workers have registered')}`
    + `<h2>Mounts</h2>${table(['Path', 'Under storage', 'Options'], mounts, 'no mounts')}`, series);
}

function workerOverview(o, series) {
  const w = o.worker;
  const readRate = sum(lastRate(series, 'cachedRead'), lastRate(series, 'missedRead'));
  const cards = [
    card('state', 'In the ring', w.inRing ? 'yes' : 'no', w.inRing),
    card('capacityBytes', 'Capacity', bytes(w.capacityBytes), w.capacityBytes),
    card('usedBytes', 'Used', bytes(w.usedBytes), w.usedBytes),
    card('pages', 'Pages', w.pages, w.pages),
    card('hitRate', 'Hit rate', pct(w.hitRate), w.hitRate),
    card('readRate', 'Read throughput', rate(readRate), readRate),
    card('ufsRate', 'UFS read rate', rate(lastRate(series, 'ufsRead')), lastRate(series, 'ufsRead')),
    card('cachedReadBytes', 'Cached read', bytes(w.cachedReadBytes), w.cachedReadBytes),
    card('ufsReadBytes', 'UFS read', bytes(w.ufsReadBytes), w.ufsReadBytes),
  ].join('');
  const ring = o.ring.map((x) => `<tr>${cell('workerId', x.workerId)}${cell('address', x.address)}</tr>`);
  render(`<div class="cards">${cards}</div><div class="charts" id="charts"></div>`
    + `<h2>Live workers this worker sees</h2>${table(['Worker', 'Address'], ring, 'none')}`, series);
}

async function ring() {
  const r = await api('ring');
  const rows = r.workers.map((w) => `<tr data-worker="${esc(w.workerId)}">${cell('workerId', w.workerId)}${cell('address', w.address)}`
    + `<td data-field="keyShare" data-value="${w.keyShare}"><span class="bar"><span style="width:${(w.keyShare * 100).toFixed(1)}%"></span></span>${pct(w.keyShare)}</td>`
    + `${cell('cachedShare', pct(w.cachedShare), w.cachedShare, 'num')}`
    + `${cell('removeMoves', w.removeMoves ? `${pct(w.removeMoves.share)} (${bytes(w.removeMoves.bytes)}, ${w.removeMoves.files} files)` : '-', w.removeMoves?.share)}</tr>`);
  const add = r.addOne
    ? `<p data-field="addOne" data-value="${r.addOne.share}">Adding one worker would move <b>${pct(r.addOne.share)}</b> of the cached bytes (${bytes(r.addOne.bytes)}, ${r.addOne.files} files)`
      + `${r.addOne.idealShare !== null ? `; an even ring moves ${pct(r.addOne.idealShare)}` : ''}. Details: <code>alluxio ring plan --add 1</code>.</p>`
    : '';
  const warn = r.unreachable.length ? `<p class="level-warn">Could not read the cache index of ${esc(r.unreachable.join(', '))}; their data is not counted.</p>` : '';
  render(`<p>Policy <b>${esc(r.policy)}</b>; ${r.cachedFiles} cached files, ${bytes(r.cachedBytes)}.</p>${add}${warn}`
    + table(['Worker', 'Address', 'Share of keys', 'Share of cached bytes', 'Removing it would move'], rows, 'no live workers'));
}

async function jobs() {
  const j = await api('jobs');
  if (!j.available) return render('<p class="muted">Jobs need etcd: this coordinator runs with STATIC membership.</p>');
  const rows = j.jobs.sort((a, b) => b.startTimeMs - a.startTimeMs).map((x) => {
    const total = x.listingDone ? x.filesListed : null;
    const frac = total ? (x.filesDone + x.filesFailed) / total : x.jobState === 'SUCCEEDED' ? 1 : 0;
    return `<tr data-job="${esc(x.jobId)}">${cell('type', x.type)}${cell('path', x.path)}${cell('state', x.jobState, x.jobState)}`
      + `<td data-field="progress" data-value="${frac}"><span class="bar"><span style="width:${(frac * 100).toFixed(1)}%"></span></span>${x.filesDone}/${total ?? '?'} files</td>`
      + `${cell('bytes', bytes(x.bytesDone), x.bytesDone, 'num')}${cell('throughput', rate(x.throughputBytesPerSec), x.throughputBytesPerSec, 'num')}`
      + `${cell('failed', x.filesFailed, x.filesFailed, 'num')}${cell('started', new Date(x.startTimeMs).toLocaleString())}</tr>`;
  });
  render(table(['Type', 'Path', 'State', 'Progress', 'Bytes', 'Throughput', 'Failed', 'Started'], rows, 'no jobs yet: alluxio job load --path /p --submit'));
}

async function conf() {
  const c = await api('conf');
  const f = confFilter.toLowerCase();
  const rows = c.entries.filter((e) => !f || e.name.includes(f) || String(e.value ?? '').toLowerCase().includes(f) || e.source.kind.includes(f))
    .map((e) => `<tr data-key="${esc(e.name)}">${cell('name', e.name)}${cell('value', e.value ?? '')}`
      + `${cell('source', e.source.detail ? `${e.source.kind} (${e.source.detail})` : e.source.kind, e.source.kind)}</tr>`);
  const focused = document.activeElement?.id === 'conf-filter';
  render(`<p><input type="search" id="conf-filter" placeholder="filter: key, value or source (e.g. site-properties)" value="${esc(confFilter)}"></p>`
    + table(['Key', 'Value', 'Source'], rows, 'no match'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('conf-filter'));
  input.addEventListener('input', () => { confFilter = input.value; void conf(); });
  if (focused) { input.focus(); input.setSelectionRange(input.value.length, input.value.length); }
}

async function warnings() {
  const w = await api('warnings');
  const rows = w.records.map((r) => `<tr>${cell('time', new Date(r.time).toLocaleString())}${cell('level', r.level, r.level, `level-${r.level}`)}`
    + `${cell('component', r.component)}<td data-field="msg">${esc(r.msg)} <span class="muted">${esc(Object.entries(r.fields).map(([k, v]) => `${k}=${v}`).join(' '))}</span></td></tr>`);
  render(`<p class="muted">${w.total} warning(s) and error(s) since this process started; the last ${w.records.length} are kept.</p>`
    + table(['Time', 'Level', 'Component', 'Message'], rows, 'none'));
}

const VIEWS = { overview, ring, jobs, conf, warnings };

function render(html, series) {
  const keepCharts = series !== undefined && charts.length > 0 && document.getElementById('charts');
  if (keepCharts) {
    // Replace everything but the charts, so they keep their state between refreshes.
    const box = /** @type {HTMLElement} */ (document.getElementById('charts'));
    box.remove();
    main.innerHTML = html;
    document.getElementById('charts')?.replaceWith(box);
  } else {
    charts.forEach((c) => c.destroy());
    charts = [];
    main.innerHTML = html;
  }
  if (series !== undefined) drawCharts(series);
}

async function refresh(force = false) {
  ticks++;
  if (!force && SLOW[tab] && ticks % SLOW[tab] !== 0) return;
  if (tab === 'conf' && !force) return; // the configuration does not change at run time
  try {
    await VIEWS[tab]();
    statusEl.textContent = `updated ${new Date().toLocaleTimeString()} · every ${config.refreshMs / 1000}s`;
    statusEl.className = '';
  } catch (err) {
    if (err instanceof LoginNeeded) return showLogin(err.message);
    statusEl.textContent = `refresh failed: ${err.message}`;
    statusEl.className = 'error';
  }
}

function showTab(name) {
  tab = name;
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.getAttribute('data-tab') === name);
  charts.forEach((c) => c.destroy());
  charts = [];
  main.innerHTML = '';
  void refresh(true);
}

function showLogin(message) {
  clearInterval(timer);
  main.hidden = true;
  const form = /** @type {HTMLFormElement} */ (document.getElementById('login'));
  form.hidden = false;
  /** @type {HTMLElement} */ (document.getElementById('login-message')).textContent = message ?? '';
}

async function start() {
  const s = await (await fetch('api/v1/console/session', { headers: headers(), cache: 'no-store' })).json();
  if (!s.authenticated) {
    sessionStorage.removeItem(TOKEN_KEY);
    return showLogin(s.message);
  }
  /** @type {HTMLElement} */ (document.getElementById('login')).hidden = true;
  main.hidden = false;
  const nav = /** @type {HTMLElement} */ (document.getElementById('tabs'));
  nav.innerHTML = Object.entries(TABS).map(([k, v]) => `<a href="#${k}" data-tab="${k}">${esc(v)}</a>`).join('');
  const wanted = location.hash.slice(1);
  showTab(Object.hasOwn(TABS, wanted) ? wanted : 'overview');
  clearInterval(timer);
  timer = window.setInterval(() => void refresh(), config.refreshMs);
}

window.addEventListener('hashchange', () => {
  const wanted = location.hash.slice(1);
  if (Object.hasOwn(TABS, wanted) && wanted !== tab) showTab(wanted);
});
document.getElementById('login')?.addEventListener('submit', (e) => {
  e.preventDefault();
  const input = /** @type {HTMLInputElement} */ (document.getElementById('token'));
  sessionStorage.setItem(TOKEN_KEY, input.value.trim());
  input.value = '';
  void start();
});
void start();
