// Small DOM and formatting helpers of the driftd dashboard (used by app.js). Every value
// enters the page as text: el() appends strings as text nodes, never as markup.
'use strict';

(function () {
  const STATUS_LABEL = {
    ok: 'OK', warn: 'Warning', alarm: 'Alarm', insufficient_data: 'Insufficient data',
    no_reference: 'No reference', pending: 'Pending', uploading: 'Uploading',
    training: 'Training', testing: 'Testing', dispatching: 'Dispatching',
    succeeded: 'Succeeded', rejected: 'Rejected', failed: 'Failed',
  };

  // el('td', {class: 'num'}, 'text', childNode): an element whose children are text or nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function replace(container, ...nodes) {
    container.replaceChildren(...nodes.flat().filter(Boolean));
  }

  function parseTime(v) {
    if (v === null || v === undefined || v === '') return NaN;
    return typeof v === 'number' ? v : Date.parse(v);
  }

  function fmtTime(v) {
    const t = parseTime(v);
    if (!Number.isFinite(t)) return '—';
    return new Date(t).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  }

  function fmtAgo(v) {
    const t = parseTime(v);
    if (!Number.isFinite(t)) return 'never';
    const s = Math.round((Date.now() - t) / 1000);
    if (s < 0) return 'just now';
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ago';
    return Math.floor(s / 86400) + ' d ago';
  }

  function timeEl(v, text) {
    const t = parseTime(v);
    return el('time', { datetime: Number.isFinite(t) ? new Date(t).toISOString() : null,
      title: fmtTime(v) }, text === undefined ? fmtTime(v) : text);
  }

  function fmtNum(v, digits) {
    if (v === null || v === undefined || !Number.isFinite(Number(v))) return '—';
    return Number(v).toFixed(digits === undefined ? 3 : digits);
  }

  function fmtCount(v) {
    return Number.isFinite(Number(v)) ? Number(v).toLocaleString() : '—';
  }

  function fmtPct(v) {
    return Number.isFinite(Number(v)) && v !== null ? (100 * Number(v)).toFixed(1) + ' %' : '—';
  }

  function badge(status) {
    const s = String(status || 'unknown');
    return el('span', { class: 'badge badge-' + s.replace(/[^a-z_]/g, '') },
      STATUS_LABEL[s] || s.replace(/_/g, ' '));
  }

  function emptyState(text, hint) {
    return el('div', { class: 'empty' }, el('p', {}, text), hint ? el('p', { class: 'muted' }, hint) : null);
  }

  function errorState(err) {
    return el('div', { class: 'error-box', role: 'status' },
      el('strong', {}, 'Could not load this section. '), err.message || String(err));
  }

  function table(caption, headers, rows, opts) {
    return el('div', { class: 'table-wrap' },
      el('table', { class: (opts && opts.className) || '' },
        el('caption', { class: 'visually-hidden' }, caption),
        el('thead', {}, el('tr', {}, headers.map((h) =>
          el('th', { scope: 'col', class: h.num ? 'num' : null }, h.label || h)))),
        el('tbody', {}, rows)));
  }

  window.DriftUi = {
    el, replace, parseTime, fmtTime, fmtAgo, timeEl, fmtNum, fmtCount, fmtPct, badge, emptyState, errorState, table,
  };
})();
