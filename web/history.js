// The "drift per feature over time" panel of the driftd dashboard: loads
// GET api/v1/drift/history for the chosen scope and period, draws one line per feature with the
// PSI thresholds (chart.js), the per-evaluation status strip, the legend that hides and shows
// features, the hover read-out and the table alternative of the chart.
'use strict';

(function () {
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d',
    '#65a30d', '#4f46e5', '#b45309', '#0d9488', '#c026d3', '#475569', '#ca8a04', '#7c3aed'];

  // `ctx`: {state, api, scope} of app.js. Returns {load, draw, onHover}.
  function create(ctx) {
    const { state, api, scope } = ctx;
    const $ = (id) => document.getElementById(id);
    const { el, replace, parseTime, fmtTime, fmtNum, fmtCount, badge, emptyState, table } = window.DriftUi;

    async function loadHistory() {
      const since = new Date(Date.now() - state.rangeDays * 86400000).toISOString();
      try {
        const d = await api('api/v1/drift/history', Object.assign({ since }, scope()));
        state.history = (d.evaluations || []).map((e) => Object.assign({}, e, { t: parseTime(e.evaluated_at) }))
          .filter((e) => Number.isFinite(e.t)).sort((a, b) => a.t - b.t);
        state.historyError = null;
      } catch (err) {
        state.history = [];
        state.historyError = err;
        drawHistory();
        throw err;
      }
      drawHistory();
    }

    function featureNames() {
      const names = [];
      for (const e of state.history) for (const f of e.features || []) if (!names.includes(f.name)) names.push(f.name);
      return names;
    }

    function drawHistory() {
      const canvas = $('drift-chart');
      const names = featureNames();
      const tMax = Date.now();
      const tMin = tMax - state.rangeDays * 86400000;
      const series = names.map((name, i) => ({
        name,
        color: PALETTE[i % PALETTE.length],
        visible: !state.hidden.has(name),
        points: state.history.map((e) => {
          const f = (e.features || []).find((x) => x.name === name);
          return { t: e.t, v: f ? Number(f[state.measure]) : NaN };
        }),
      }));
      const thresholds = [];
      if (state.measure === 'psi' && state.thresholds) {
        if (Number.isFinite(state.thresholds.psi_warn)) thresholds.push({ value: state.thresholds.psi_warn, label: 'warn', color: getComputedStyle(document.documentElement).getPropertyValue('--warn').trim() || '#b45309' });
        if (Number.isFinite(state.thresholds.psi_alarm)) thresholds.push({ value: state.thresholds.psi_alarm, label: 'alarm', color: getComputedStyle(document.documentElement).getPropertyValue('--alarm').trim() || '#b91c1c' });
      }
      const emptyText = state.historyError ? 'History unavailable'
        : state.history.length === 0 ? 'No evaluations in this period yet' : 'No feature selected';
      state.layout = DriftChart.drawLineChart(canvas, { series, thresholds, tMin, tMax, height: 300, emptyText });
      const css = getComputedStyle(document.documentElement);
      const colors = {
        ok: css.getPropertyValue('--ok').trim(), warn: css.getPropertyValue('--warn').trim(),
        alarm: css.getPropertyValue('--alarm').trim(), unknown: css.getPropertyValue('--grid').trim(),
        insufficient_data: css.getPropertyValue('--neutral').trim(), no_reference: css.getPropertyValue('--neutral').trim(),
      };
      DriftChart.drawStatusStrip($('status-strip'), state.history.map((e) => ({ t: e.t, status: e.status })), tMin, tMax, colors);

      const measureName = $('measure-select').selectedOptions[0].textContent;
      const caption = $('chart-caption');
      if (state.historyError) {
        caption.textContent = 'History unavailable: ' + state.historyError.message;
      } else if (state.history.length === 0) {
        caption.textContent = 'No evaluations in this period yet.';
      } else {
        const last = state.history[state.history.length - 1];
        const top = (last.features || []).slice().sort((a, b) => (b[state.measure] || 0) - (a[state.measure] || 0))[0];
        caption.textContent = state.history.length + ' evaluations. The strip below the chart shows the overall status of each.' +
          (top ? ' Latest highest ' + measureName + ': ' + top.name + ' ' + fmtNum(top[state.measure]) + '.' : '');
      }
      canvas.setAttribute('aria-label', measureName + ' per feature over the ' + $('range-select').selectedOptions[0].textContent.toLowerCase() + '. ' + caption.textContent);
      $('status-strip').setAttribute('aria-label', 'Overall status per evaluation. ' +
        ['ok', 'warn', 'alarm'].map((s) => state.history.filter((e) => e.status === s).length + ' ' + s).join(', ') + '.');
      renderLegend(series);
      renderHistoryTable();
    }

    function renderLegend(series) {
      const legend = $('chart-legend');
      const items = series.map((s) => {
        const input = el('input', { type: 'checkbox', checked: s.visible, onchange: (ev) => {
          if (ev.target.checked) state.hidden.delete(s.name); else state.hidden.add(s.name);
          drawHistory();
        } });
        const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
        swatch.style.background = s.color;
        return el('label', { class: 'legend-item' }, input, swatch, s.name);
      });
      const all = el('button', { type: 'button', class: 'button button-quiet small', onclick: () => { state.hidden.clear(); drawHistory(); } }, 'All');
      const none = el('button', { type: 'button', class: 'button button-quiet small', onclick: () => { series.forEach((s) => state.hidden.add(s.name)); drawHistory(); } }, 'None');
      replace(legend, el('legend', {}, 'Features shown'), items.length ? [...items, all, none] : el('span', { class: 'muted' }, 'No features yet.'));
    }

    function renderHistoryTable() {
      const latest = state.history.slice(-20).reverse();
      if (latest.length === 0) { replace($('history-table'), emptyState('No evaluations in this period.')); return; }
      replace($('history-table'), table('Latest evaluations, newest first',
        ['Evaluated', 'Status', { label: 'Current windows', num: true }, 'Highest feature', { label: 'Value', num: true }],
        latest.map((e) => {
          const top = (e.features || []).slice().sort((a, b) => (b[state.measure] || 0) - (a[state.measure] || 0))[0] || {};
          return el('tr', {}, el('td', {}, timeEl(e.evaluated_at)), el('td', {}, badge(e.status)),
            el('td', { class: 'num' }, fmtCount(e.current_windows)), el('td', {}, top.name || '—'),
            el('td', { class: 'num' }, fmtNum(top[state.measure])));
        })));
    }

    function onChartHover(ev) {
      const tip = $('chart-tooltip');
      const hit = DriftChart.nearest(state.layout, ev.offsetX);
      if (!hit) { tip.hidden = true; return; }
      const rows = hit.values.slice(0, 6).map((v) => {
        const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
        sw.style.background = v.color;
        return el('div', { class: 'tip-row' }, sw, el('span', {}, v.name), el('span', { class: 'num' }, fmtNum(v.v)));
      });
      replace(tip, el('div', { class: 'tip-time' }, fmtTime(hit.t)), rows);
      tip.hidden = false;
      const wrap = tip.parentElement.getBoundingClientRect();
      const left = Math.min(hit.x + 12, wrap.width - tip.offsetWidth - 4);
      tip.style.left = Math.max(4, left) + 'px';
    }

    return { load: loadHistory, draw: drawHistory, onHover: onChartHover };
  }

  window.DriftHistory = { create };
})();
