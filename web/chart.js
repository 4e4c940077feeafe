// Small canvas charts for the driftd dashboard: a time-series line chart with threshold
// lines and a hover read-out, and a strip of coloured cells for per-evaluation status.
// No dependencies; drawn at the device pixel ratio so lines stay sharp.
'use strict';

(function () {
  const HOUR = 3600 * 1000;
  const DAY = 24 * HOUR;
  const TIME_STEPS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];

  // Reads a CSS custom property of the page (colours follow the light/dark theme).
  function cssVar(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  // Sizes the canvas backing store to its CSS box times the pixel ratio; returns a context
  // scaled so that drawing uses CSS pixels.
  function prepare(canvas, cssHeight) {
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(200, canvas.clientWidth || canvas.parentElement.clientWidth || 600);
    canvas.style.height = cssHeight + 'px';
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(cssHeight * dpr);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, cssHeight);
    return { ctx, width, height: cssHeight };
  }

  // Round tick values covering [0, max]: steps of 1, 2 or 5 times a power of ten.
  function niceTicks(max, count) {
    if (!(max > 0)) max = 1;
    const raw = max / count;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const ticks = [];
    for (let v = 0; v <= max + step * 0.5; v += step) ticks.push(Number(v.toPrecision(12)));
    return ticks;
  }

  function formatTick(t, step) {
    const d = new Date(t);
    if (step < DAY) {
      const hm = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      if (d.getHours() === 0 && d.getMinutes() === 0) {
        return d.toLocaleDateString([], { month: 'short', day: 'numeric' });
      }
      return hm;
    }
    return d.toLocaleDateString([], { month: 'short', day: 'numeric' });
  }

  function timeTicks(tMin, tMax, width) {
    const wanted = Math.max(2, Math.floor(width / 110));
    const span = tMax - tMin;
    const step = TIME_STEPS.find((s) => span / s <= wanted) || TIME_STEPS[TIME_STEPS.length - 1];
    // Align to local midnight plus whole steps so ticks land on round hours and days.
    const start = new Date(tMin);
    start.setHours(0, 0, 0, 0);
    const ticks = [];
    for (let t = start.getTime(); t <= tMax; t += step) {
      if (t >= tMin) ticks.push(t);
    }
    return { ticks, step };
  }

  // Draws `opts.series` ([{name, color, visible, points: [{t, v}]}]) between opts.tMin and
  // opts.tMax with horizontal opts.thresholds ([{value, label, color}]). Returns a layout
  // object used by `nearest` for the hover read-out.
  function drawLineChart(canvas, opts) {
    const { ctx, width, height } = prepare(canvas, opts.height || 300);
    const pad = { left: 52, right: 16, top: 14, bottom: 30 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const text = cssVar('--text-muted', '#555');
    const grid = cssVar('--grid', '#ddd');
    const visible = opts.series.filter((s) => s.visible && s.points.length > 0);

    let yMax = 0;
    for (const s of visible) for (const p of s.points) if (Number.isFinite(p.v)) yMax = Math.max(yMax, p.v);
    for (const th of opts.thresholds || []) yMax = Math.max(yMax, th.value * 1.15);
    const yTicks = niceTicks(yMax * 1.05, 5);
    const yTop = yTicks[yTicks.length - 1];
    const tMin = opts.tMin;
    const tMax = Math.max(opts.tMax, tMin + 1);
    const x = (t) => pad.left + ((t - tMin) / (tMax - tMin)) * plotW;
    const y = (v) => pad.top + plotH - (v / yTop) * plotH;

    ctx.font = '12px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (const v of yTicks) {
      ctx.strokeStyle = grid;
      ctx.beginPath();
      ctx.moveTo(pad.left, Math.round(y(v)) + 0.5);
      ctx.lineTo(pad.left + plotW, Math.round(y(v)) + 0.5);
      ctx.stroke();
      ctx.fillStyle = text;
      ctx.fillText(String(v), pad.left - 8, y(v));
    }
    const { ticks, step } = timeTicks(tMin, tMax, plotW);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of ticks) {
      ctx.strokeStyle = grid;
      ctx.beginPath();
      ctx.moveTo(Math.round(x(t)) + 0.5, pad.top);
      ctx.lineTo(Math.round(x(t)) + 0.5, pad.top + plotH);
      ctx.stroke();
      ctx.fillStyle = text;
      ctx.fillText(formatTick(t, step), x(t), pad.top + plotH + 8);
    }

    for (const th of opts.thresholds || []) {
      ctx.strokeStyle = th.color;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(pad.left, y(th.value));
      ctx.lineTo(pad.left + plotW, y(th.value));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = th.color;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      ctx.fillText(th.label, pad.left + 6, y(th.value) - 2);
    }

    ctx.lineWidth = 1.75;
    ctx.lineJoin = 'round';
    for (const s of visible) {
      ctx.strokeStyle = s.color;
      ctx.beginPath();
      let started = false;
      for (const p of s.points) {
        if (!Number.isFinite(p.v)) { started = false; continue; }
        if (started) ctx.lineTo(x(p.t), y(p.v));
        else { ctx.moveTo(x(p.t), y(p.v)); started = true; }
      }
      ctx.stroke();
      if (s.points.length === 1 && Number.isFinite(s.points[0].v)) {
        ctx.fillStyle = s.color;
        ctx.beginPath();
        ctx.arc(x(s.points[0].t), y(s.points[0].v), 3, 0, 2 * Math.PI);
        ctx.fill();
      }
    }

    ctx.strokeStyle = text;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(pad.left + 0.5, pad.top);
    ctx.lineTo(pad.left + 0.5, pad.top + plotH + 0.5);
    ctx.lineTo(pad.left + plotW, pad.top + plotH + 0.5);
    ctx.stroke();

    const points = visible.reduce((n, s) => n + s.points.length, 0);
    if (points === 0 && opts.emptyText) {
      ctx.fillStyle = text;
      ctx.font = '14px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(opts.emptyText, pad.left + plotW / 2, pad.top + plotH / 2);
    }
    canvas.dataset.rendered = 'true';
    canvas.dataset.points = String(points);
    return { pad, plotW, plotH, tMin, tMax, x, y, series: visible };
  }

  // The time closest to the pointer's x and each visible series' value there.
  function nearest(layout, offsetX) {
    if (!layout || layout.series.length === 0) return null;
    const t = layout.tMin + ((offsetX - layout.pad.left) / layout.plotW) * (layout.tMax - layout.tMin);
    let best = null;
    for (const s of layout.series) {
      for (const p of s.points) {
        if (best === null || Math.abs(p.t - t) < Math.abs(best - t)) best = p.t;
      }
    }
    if (best === null) return null;
    const values = layout.series
      .map((s) => ({ name: s.name, color: s.color, v: (s.points.find((p) => p.t === best) || {}).v }))
      .filter((e) => Number.isFinite(e.v))
      .sort((a, b) => b.v - a.v);
    return { t: best, x: layout.x(best), values };
  }

  // One cell per item ({t, status}) coloured by status, aligned with a line chart above.
  function drawStatusStrip(canvas, items, tMin, tMax, colors) {
    const { ctx, width, height } = prepare(canvas, 18);
    const pad = { left: 52, right: 16 };
    const plotW = width - pad.left - pad.right;
    const span = Math.max(tMax - tMin, 1);
    const sorted = items.slice().sort((a, b) => a.t - b.t);
    for (let i = 0; i < sorted.length; i++) {
      const x0 = pad.left + ((sorted[i].t - tMin) / span) * plotW;
      const next = i + 1 < sorted.length ? sorted[i + 1].t : tMax;
      const x1 = pad.left + ((next - tMin) / span) * plotW;
      ctx.fillStyle = colors[sorted[i].status] || colors.unknown;
      ctx.fillRect(x0, 2, Math.max(1, x1 - x0), height - 4);
    }
    canvas.dataset.rendered = 'true';
  }

  window.DriftChart = { drawLineChart, drawStatusStrip, nearest };
})();
