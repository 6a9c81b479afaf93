'use strict';
// bench/chart.svg, written by hand: one small horizontal bar panel per
// charted metric, a bar per init, labelled with the median and the ratio to
// the baseline. Each panel has its own scale, starting at zero.
const { fmt } = require('./report');

const COLORS = { tini: '#4e79a7', 'dumb-init': '#f28e2b', catatonit: '#59a14f', pid1: '#e15759' };
const OTHER = ['#76b7b2', '#edc948', '#b07aa1', '#9c755f', '#bab0ac', '#ff9da7', '#86bcb6', '#d37295'];
const PANEL_W = 440;
const BAR_H = 18;
const GAP = 6;
const LABEL_W = 130;
const VALUE_W = 130;

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// Columns other than the inits (floors, in-process variants) get the next
// spare colour the first time they appear, and keep it in every panel.
function colorOf(assigned) {
  return (name) => {
    if (COLORS[name]) return COLORS[name];
    if (!assigned.has(name)) assigned.set(name, OTHER[assigned.size % OTHER.length]);
    return assigned.get(name);
  };
}

function panel(p, x, y, color) {
  const bars = p.columns.filter((c) => Number.isFinite(p.group.summary[c][p.metric.key]));
  const height = 40 + bars.length * (BAR_H + GAP);
  const maxV = Math.max(...bars.map((c) => p.group.summary[c][p.metric.key]), 0) || 1;
  const span = PANEL_W - LABEL_W - VALUE_W;
  const out = [`<g transform="translate(${x},${y})">`];
  out.push(`<text x="0" y="14" class="t">${esc(p.title)}</text>`);
  out.push(`<text x="0" y="28" class="s">${esc(p.subtitle)}</text>`);
  bars.forEach((c, i) => {
    const v = p.group.summary[c][p.metric.key];
    const r = p.group.ratios[c][p.metric.key];
    const by = 36 + i * (BAR_H + GAP);
    const w = Math.max(1, (v / maxV) * span);
    const unit = p.metric.unit === '×' ? '×' : p.metric.unit;
    const label = `${fmt(v, unit)}${r !== null && c !== p.group.baselineUsed && unit !== '×' ? ` (${r.toFixed(2)}×)` : ''}`;
    out.push(`<text x="${LABEL_W - 6}" y="${by + BAR_H - 5}" class="l" text-anchor="end">${esc(c)}</text>`);
    out.push(`<rect x="${LABEL_W}" y="${by}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${color(c)}"/>`);
    out.push(`<text x="${(LABEL_W + w + 4).toFixed(1)}" y="${by + BAR_H - 5}" class="v">${esc(label)}</text>`);
  });
  out.push('</g>');
  return { svg: out.join('\n'), height };
}

/** SVG text for the charted metrics of the summarized groups. */
function render(groups, machine) {
  const panels = [];
  for (const group of groups) {
    for (const metric of group.metrics.filter((m) => m.chart)) {
      const better = metric.better === 'higher' ? 'higher is better' : 'lower is better';
      panels.push({ group, metric, columns: group.columns, title: group.short, subtitle: `${metric.label} (${better}; median)` });
    }
  }
  const color = colorOf(new Map());
  const cols = 2;
  const parts = [];
  let y = 56;
  for (let i = 0; i < panels.length; i += cols) {
    let rowH = 0;
    for (let j = 0; j < cols && i + j < panels.length; j++) {
      const { svg, height } = panel(panels[i + j], 16 + j * (PANEL_W + 24), y, color);
      parts.push(svg);
      rowH = Math.max(rowH, height);
    }
    y += rowH + 18;
  }
  const width = 16 + cols * (PANEL_W + 24);
  const title = 'pid1 bench: inits at PID 1 of a fresh PID namespace';
  const sub = `${machine.nproc} CPUs, ${machine.cpu}; ${machine.kernel}; node ${machine.node}; ${machine.date}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">`,
    '<style>.t{font-size:12px;font-weight:bold}.s{font-size:10px;fill:#555}.l{font-size:11px}.v{font-size:10px;fill:#222}.h{font-size:15px;font-weight:bold}</style>',
    `<rect width="${width}" height="${y}" fill="#fff"/>`,
    `<text x="16" y="22" class="h">${esc(title)}</text>`,
    `<text x="16" y="40" class="s">${esc(sub)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

module.exports = { render };
