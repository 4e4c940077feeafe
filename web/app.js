// driftd dashboard: reads the JSON API (SPEC §4) with a viewer token and shows fleet drift
// status, drift per feature over time, devices, retrain runs and baselines.
// Plain JavaScript, no build step, no outside hosts. Every value from the API enters the page
// as text (textContent), never as markup.
'use strict';

(function () {
  const REFRESH_MS = 30000;

  const $ = (id) => document.getElementById(id);
  const state = {
    token: null,
    model: '',
    device: '',
    rangeDays: 7,
    measure: 'psi',
    history: [],
    thresholds: null,
    hidden: new Set(),
    layout: null,
    selectedRun: null,
    timer: null,
    loading: false,
    refreshAgain: false,
  };

  const {
    el, replace, parseTime, fmtTime, fmtAgo, timeEl, fmtNum, fmtCount, fmtPct, badge, emptyState, errorState, table,
  } = window.DriftUi;

  // ---- token and API ----------------------------------------------------------------------

  function loadToken() {
    state.token = DriftApi.storedToken();
  }

  function forgetToken() {
    state.token = null;
    DriftApi.forgetToken();
  }

  function askForToken(reason) {
    const dialog = $('token-dialog');
    if (reason) $('token-reason').textContent = reason;
    if (dialog.open) return;  // later refusals of the same refresh must not clear the typing
    $('token-input').value = '';
    dialog.showModal();
    $('token-input').focus();
  }

  // A GET of the JSON API; a refused token brings the token dialog back. A refusal that
  // arrives after the token was replaced (a slow answer to a request sent with the old one)
  // concerns a token no longer in use and changes nothing.
  async function api(path, params) {
    const token = state.token;
    try {
      return await DriftApi.getJson(token, path, params);
    } catch (err) {
      if (token !== state.token) throw err;
      if (err.status === 401 && err.code !== 'no_token') {
        forgetToken();
        askForToken('That token was not accepted (it may have been revoked). Enter a viewer token.');
      } else if (err.status === 403) {
        askForToken('That token may not read dashboards. Use a viewer or admin token.');
      }
      throw err;
    }
  }

  // ---- banner and refresh ---------------------------------------------------------------

  function showBanner(text) {
    const b = $('banner');
    b.textContent = text || '';
    b.hidden = !text;
  }

  // Reloads every section. A refresh asked for while one is running (a new token, the
  // refresh button) runs once that one has settled, so it is never lost.
  async function refreshAll() {
    if (!state.token) { askForToken(); return; }
    if (state.loading) { state.refreshAgain = true; return; }
    state.loading = true;
    $('refresh-status').textContent = 'Refreshing…';
    const results = await Promise.allSettled([loadDevices(), loadBaselines(), loadFleet(),
      historyPanel.load(), loadRetrains()]);
    state.loading = false;
    if (state.refreshAgain) {
      state.refreshAgain = false;
      refreshAll();
      return;
    }
    const network = results.find((r) => r.status === 'rejected' && r.reason && r.reason.status === 0);
    showBanner(network ? network.reason.message + ' Retrying every 30 s.' : '');
    const now = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    $('refresh-status').textContent = 'Updated ' + now;
    document.body.dataset.state = 'ready';
  }

  function schedule() {
    clearInterval(state.timer);
    state.timer = setInterval(() => {
      if (!document.hidden && state.token && !$('token-dialog').open) refreshAll();
    }, REFRESH_MS);
  }

  function sectionError(container, err) {
    if (err.status === 401 || err.status === 403) {
      replace(container, emptyState('Waiting for a token that may read this.'));
    } else {
      replace(container, errorState(err));
    }
  }

  // ---- fleet status -------------------------------------------------------------------------

  function scope() {
    return { model_version: state.model, device_id: state.device };
  }

  function statusSentence(d) {
    switch (d.status) {
      case 'no_reference':
        return 'There is no reference for this model version yet: import one with ' +
          '“driftd baseline import” or “driftd baseline pull”.';
      case 'insufficient_data':
        return 'Too few audio windows in the current window to judge drift yet.';
      case 'alarm': return 'The audio the devices hear differs significantly from the training data.';
      case 'warn': return 'Some features are moving away from the training data.';
      case 'ok': return 'The audio matches the training data.';
      default: return '';
    }
  }

  // "24 h to 14:18" with the exact bounds in the tooltip.
  function windowText(w) {
    const from = parseTime(w.from);
    const to = parseTime(w.to);
    if (!Number.isFinite(from) || !Number.isFinite(to)) return '—';
    const hours = (to - from) / 3600000;
    const span = hours >= 48 && hours % 24 === 0 ? hours / 24 + ' d' : Math.round(hours * 10) / 10 + ' h';
    const end = new Date(to).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return el('span', { title: fmtTime(w.from) + ' – ' + fmtTime(w.to) }, span + ' to ', timeEl(w.to, end));
  }

  function stat(label, value, hint) {
    return el('div', { class: 'stat' }, el('dt', {}, label), el('dd', {}, value,
      hint ? el('span', { class: 'stat-hint' }, hint) : null));
  }

  async function loadFleet() {
    const body = $('fleet-body');
    let d;
    try {
      d = await api('api/v1/drift', scope());
    } catch (err) {
      if (err.status === 404) {
        replace(body, emptyState('No drift evaluation yet.',
          'driftd evaluates drift every few minutes once devices send results and clips.'));
        return;
      }
      sectionError(body, err);
      throw err;
    }
    if (d && d.thresholds) state.thresholds = d.thresholds;
    const features = Array.isArray(d.features) ? d.features.slice() : [];
    features.sort((a, b) => (b.psi || 0) - (a.psi || 0));
    const maxPsi = Math.max(0.3, ...features.map((f) => f.psi || 0));
    const p = d.predictions || {};
    const retrain = d.retrain;
    const summary = el('div', { class: 'fleet-summary' },
      el('div', { class: 'fleet-status' },
        el('div', { class: 'status-big status-' + d.status, id: 'fleet-status' }, badge(d.status)),
        el('div', {},
          el('p', { class: 'fleet-scope' },
            'Model version ', el('strong', {}, d.model_version || '—'), ' · ',
            d.device_id ? ['device ', el('strong', {}, d.device_id)] : 'whole fleet', ' · evaluated ',
            timeEl(d.evaluated_at, fmtAgo(d.evaluated_at))),
          el('p', { class: 'muted' }, statusSentence(d)))),
      el('dl', { class: 'stats' },
        stat('Current windows', fmtCount(d.current_windows)),
        stat('Reference windows', fmtCount(d.reference_windows)),
        stat('Window', d.window ? windowText(d.window) : '—'),
        stat('Label PSI', fmtNum(p.label_psi)),
        stat('Mean confidence', fmtNum(p.mean_confidence, 2),
          Number.isFinite(p.reference_mean_confidence)
            ? ' (reference ' + fmtNum(p.reference_mean_confidence, 2) + ')' : null),
        retrain && retrain.blocked_by
          ? stat('Retrain', 'blocked by ' + retrain.blocked_by.replace(/_/g, ' '),
            retrain.until ? [' until ', timeEl(retrain.until)] : null)
          : null));
    const rows = features.map((f) => el('tr', {},
      el('th', { scope: 'row' }, f.name),
      el('td', { class: 'num' }, fmtNum(f.psi)),
      el('td', { class: 'bar-cell' }, psiBar(f.psi, maxPsi, f.status)),
      el('td', { class: 'num' }, fmtNum(f.kl)),
      el('td', { class: 'num' }, fmtNum(f.js)),
      el('td', {}, badge(f.status))));
    replace(body, summary, features.length
      ? table('Drift per feature, highest PSI first',
        ['Feature', { label: 'PSI', num: true }, { label: 'PSI relative', num: false },
          { label: 'KL', num: true }, { label: 'JS', num: true }, 'Status'], rows,
        { className: 'features-table' })
      : emptyState('No feature scores in this evaluation.'));
  }

  function psiBar(psi, max, status) {
    const width = Math.max(0, Math.min(1, (psi || 0) / max)) * 100;
    const bar = el('span', { class: 'bar bar-' + (status || 'ok') });
    bar.style.width = width.toFixed(1) + '%';
    return el('span', { class: 'bar-track', 'aria-hidden': 'true' }, bar);
  }

  // ---- devices, retrains, baselines -------------------------------------------------------

  async function loadDevices() {
    const body = $('devices-body');
    let d;
    try { d = await api('api/v1/devices'); } catch (err) { sectionError(body, err); throw err; }
    const devices = (d.devices || []).slice().sort((a, b) => parseTime(b.last_seen) - parseTime(a.last_seen));
    fillSelect($('device-select'), devices.map((x) => x.device_id).sort(), state.device, 'Whole fleet');
    addVersions(devices.map((x) => x.model_version));
    const counts = {};
    for (const x of devices) counts[x.status] = (counts[x.status] || 0) + 1;
    $('devices-summary').textContent = devices.length
      ? devices.length + ' devices · ' + Object.entries(counts).map(([k, v]) => v + ' ' + String(k).replace(/_/g, ' ')).join(' · ')
      : '';
    if (devices.length === 0) {
      replace(body, emptyState('No device has reported yet.',
        'Devices appear here after their first result (POST /api/v1/results) with a device token.'));
      return;
    }
    replace(body, table('Devices, most recently seen first',
      ['Device', 'Status', 'Last seen', 'Model version', { label: 'Results', num: true }, { label: 'Clips', num: true }],
      devices.map((x) => el('tr', {},
        el('th', { scope: 'row' }, x.device_id),
        el('td', {}, badge(x.status)),
        el('td', {}, timeEl(x.last_seen, fmtAgo(x.last_seen))),
        el('td', {}, x.model_version || '—'),
        el('td', { class: 'num' }, fmtCount(x.results)),
        el('td', { class: 'num' }, fmtCount(x.clips))))));
  }

  async function loadRetrains() {
    const body = $('retrains-body');
    let d;
    try { d = await api('api/v1/retrains'); } catch (err) { sectionError(body, err); throw err; }
    const runs = d.retrains || [];
    if (runs.length === 0) {
      replace(body, emptyState('No retrain run yet.',
        'A run starts when drift stays in alarm, or when an admin asks for one.'));
      return;
    }
    replace(body, table('Retrain runs, newest first',
      ['Run', 'State', 'Trigger', 'Model version', 'Created', 'Updated', { label: 'Clips uploaded', num: true }, { label: 'Test accuracy', num: true }],
      runs.map((r) => el('tr', { class: state.selectedRun === r.id ? 'selected' : null },
        el('th', { scope: 'row' }, el('button', { type: 'button', class: 'link-button',
          'aria-controls': 'retrain-detail', onclick: () => showRun(r.id) }, String(r.id)),
        r.dry_run ? el('span', { class: 'tag' }, 'dry run') : null),
        el('td', {}, badge(r.state)),
        el('td', {}, r.trigger || '—'),
        el('td', {}, r.model_version || '—'),
        el('td', {}, timeEl(r.created)),
        el('td', {}, timeEl(r.updated, fmtAgo(r.updated))),
        el('td', { class: 'num' }, fmtCount(r.clips_uploaded)),
        el('td', { class: 'num' }, fmtPct(r.test_accuracy))))));
    if (state.selectedRun !== null) showRun(state.selectedRun, true);
  }

  async function showRun(id, quiet) {
    const box = $('retrain-detail');
    state.selectedRun = id;
    box.hidden = false;
    if (!quiet) replace(box, el('p', { class: 'placeholder' }, 'Loading run ' + id + '…'));
    let r;
    try { r = await api('api/v1/retrains/' + encodeURIComponent(id)); } catch (err) { sectionError(box, err); return; }
    const perClass = r.test_per_class && Object.keys(r.test_per_class).length
      ? table('Test accuracy per class', ['Label', { label: 'Accuracy', num: true }],
        Object.entries(r.test_per_class).map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', { class: 'num' }, fmtPct(v)))))
      : null;
    const steps = (r.steps || []).map((s) => el('li', {},
      timeEl(s.at), ' ', el('strong', {}, s.step), s.detail ? el('span', { class: 'step-detail' }, ' — ' + s.detail) : null));
    const close = el('button', { type: 'button', class: 'button button-quiet small', onclick: () => {
      state.selectedRun = null; box.hidden = true;
    } }, 'Close');
    replace(box,
      el('div', { class: 'detail-head' }, el('h3', {}, 'Run ', String(r.id)), badge(r.state), close),
      r.error ? el('p', { class: 'error-box' }, r.error) : null,
      el('dl', { class: 'stats' },
        stat('Trigger', r.trigger || '—'), stat('Dry run', r.dry_run ? 'yes' : 'no'),
        stat('Model version', r.model_version || '—'), stat('Clips uploaded', fmtCount(r.clips_uploaded)),
        stat('Retrain job', r.job_id === null || r.job_id === undefined ? '—' : String(r.job_id)),
        stat('Test job', r.test_job_id === null || r.test_job_id === undefined ? '—' : String(r.test_job_id)),
        stat('Test accuracy', fmtPct(r.test_accuracy)),
        stat('Created', timeEl(r.created)), stat('Updated', timeEl(r.updated))),
      perClass,
      el('h4', {}, 'Steps'),
      steps.length ? el('ol', { class: 'steps' }, steps) : emptyState('No step recorded yet.'));
  }

  async function loadBaselines() {
    const body = $('baselines-body');
    let d;
    try { d = await api('api/v1/baselines'); } catch (err) { sectionError(body, err); throw err; }
    const baselines = d.baselines || [];
    addVersions(baselines.map((b) => b.model_version));
    if (baselines.length === 0) {
      replace(body, emptyState('No baseline yet.',
        'Drift is scored against a baseline: run “driftd baseline import PATH” or “driftd baseline pull”.'));
      return;
    }
    replace(body, table('Baselines', ['Model version', { label: 'Windows', num: true }, { label: 'Clips', num: true }, 'Created', 'Source'],
      baselines.map((b) => el('tr', {},
        el('th', { scope: 'row' }, b.model_version),
        el('td', { class: 'num' }, fmtCount(b.windows)),
        el('td', { class: 'num' }, fmtCount(b.clips)),
        el('td', {}, timeEl(b.created)),
        el('td', {}, b.source || '—')))));
  }

  const versions = new Set();
  function addVersions(list) {
    for (const v of list) if (v) versions.add(v);
    fillSelect($('model-select'), [...versions].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })),
      state.model, 'Latest reported');
  }

  function fillSelect(select, values, current, firstLabel) {
    const options = [el('option', { value: '' }, firstLabel), ...values.map((v) => el('option', { value: v }, v))];
    replace(select, options);
    select.value = values.includes(current) ? current : '';
  }

  // ---- wiring ---------------------------------------------------------------------------

  let historyPanel = null;

  function init() {
    historyPanel = DriftHistory.create({ state, api, scope });
    DriftApi.takeTokenFromFragment();
    loadToken();
    window.addEventListener('hashchange', () => {
      if (DriftApi.takeTokenFromFragment()) { loadToken(); refreshAll(); }
    });
    const dialog = $('token-dialog');
    $('token-form').addEventListener('submit', (ev) => {
      const value = $('token-input').value.trim();
      if (!value) { ev.preventDefault(); return; }
      state.token = value;
      DriftApi.storeToken(value);
      refreshAll();
    });
    dialog.addEventListener('cancel', (ev) => { if (!state.token) ev.preventDefault(); });
    $('refresh-button').addEventListener('click', () => refreshAll());
    $('signout-button').addEventListener('click', () => {
      forgetToken();
      askForToken('Token forgotten. Enter a viewer token to continue.');
    });
    $('model-select').addEventListener('change', (ev) => { state.model = ev.target.value; loadFleet().catch(() => {}); historyPanel.load().catch(() => {}); });
    $('device-select').addEventListener('change', (ev) => { state.device = ev.target.value; loadFleet().catch(() => {}); historyPanel.load().catch(() => {}); });
    $('range-select').addEventListener('change', (ev) => { state.rangeDays = Number(ev.target.value); historyPanel.load().catch(() => {}); });
    $('measure-select').addEventListener('change', (ev) => { state.measure = ev.target.value; historyPanel.draw(); });
    const chart = $('drift-chart');
    chart.addEventListener('mousemove', historyPanel.onHover);
    chart.addEventListener('mouseleave', () => { $('chart-tooltip').hidden = true; });
    let resizeTimer = null;
    window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(historyPanel.draw, 150); });
    document.addEventListener('visibilitychange', () => { if (!document.hidden && state.token) refreshAll(); });
    historyPanel.draw();
    schedule();
    if (state.token) refreshAll(); else askForToken();
  }

  document.addEventListener('DOMContentLoaded', init);
})();
