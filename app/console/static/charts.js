// Small SVG charts: no library, no build step.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function label(date) {
  return `${date.slice(4, 6)}/${date.slice(6, 8)}`;
}

function frame(width, height, max, dates) {
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart' });
  const top = Math.max(1, max);
  for (const fraction of [0, 0.5, 1]) {
    const y = 10 + (height - 40) * (1 - fraction);
    root.append(svg('line', { x1: 40, x2: width - 10, y1: y, y2: y, class: 'grid' }));
    const t = svg('text', { x: 34, y: y + 4, class: 'axis', 'text-anchor': 'end' });
    t.textContent = String(+(top * fraction).toFixed(1));
    root.append(t);
  }
  const step = (width - 50) / Math.max(1, dates.length);
  dates.forEach((date, i) => {
    if (dates.length > 10 && i % Math.ceil(dates.length / 7) !== 0) return;
    const t = svg('text', { x: 40 + step * (i + 0.5), y: height - 12, class: 'axis', 'text-anchor': 'middle' });
    t.textContent = label(date);
    root.append(t);
  });
  return { root, step, y: (v) => 10 + (height - 40) * (1 - v / top), top };
}

export function lineChart(points, { width = 520, height = 180 } = {}) {
  const max = Math.max(...points.map((p) => p.value), 1);
  const { root, step, y } = frame(width, height, max, points.map((p) => p.date));
  const coords = points.map((p, i) => `${40 + step * (i + 0.5)},${y(p.value)}`);
  root.append(svg('polyline', { points: coords.join(' '), class: 'line' }));
  points.forEach((p, i) => {
    const dot = svg('circle', { cx: 40 + step * (i + 0.5), cy: y(p.value), r: 3, class: 'dot' });
    const tip = svg('title');
    tip.textContent = `${label(p.date)}: ${p.value}`;
    dot.append(tip);
    root.append(dot);
  });
  return root;
}

export function stackedBars(days, series, { width = 520, height = 180 } = {}) {
  const totals = days.map((d) => series.reduce((sum, s) => sum + (d.values[s.key] || 0), 0));
  const { root, step, y } = frame(width, height, Math.max(...totals, 1), days.map((d) => d.date));
  days.forEach((day, i) => {
    let base = 0;
    for (const s of series) {
      const v = day.values[s.key] || 0;
      if (!v) continue;
      const top = y(base + v);
      const rect = svg('rect', { x: 40 + step * i + step * 0.2, width: step * 0.6, y: top, height: y(base) - top, fill: s.color });
      const tip = svg('title');
      tip.textContent = `${label(day.date)} ${s.key}: ${v}`;
      rect.append(tip);
      root.append(rect);
      base += v;
    }
  });
  return root;
}

export function bars(values, { width = 520, height = 140, color = (v) => '#06c755', labelOf = () => '' } = {}) {
  const max = Math.max(...values.map((v) => v.value), 1);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart' });
  const step = (width - 50) / Math.max(1, values.length);
  values.forEach((v, i) => {
    const h = (height - 30) * (v.value / max);
    const rect = svg('rect', { x: 40 + step * i + step * 0.1, width: Math.max(1, step * 0.8), y: height - 20 - h, height: Math.max(1, h), fill: color(v) });
    const tip = svg('title');
    tip.textContent = labelOf(v);
    rect.append(tip);
    root.append(rect);
  });
  const t = svg('text', { x: 34, y: 14, class: 'axis', 'text-anchor': 'end' });
  t.textContent = `${max}`;
  root.append(t, svg('line', { x1: 40, x2: width - 10, y1: height - 20, y2: height - 20, class: 'grid' }));
  return root;
}

export function progress(done, total, failed = 0) {
  const bar = document.createElement('div');
  bar.className = 'progress';
  const ok = document.createElement('div');
  ok.className = 'progress-ok';
  ok.style.width = `${total ? Math.min(100, (100 * done) / total) : 0}%`;
  const bad = document.createElement('div');
  bad.className = 'progress-failed';
  bad.style.width = `${total ? Math.min(100, (100 * failed) / total) : 0}%`;
  bar.append(ok, bad);
  return bar;
}
