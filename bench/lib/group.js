'use strict';
// A group is one table: the same metrics measured for several columns
// (inits, or variants of one app), summarised and compared to a baseline.
const { median, max, percentile, ratio } = require('./stats');

const AGG = {
  median,
  max,
  p90: (v) => percentile(v, 90),
};

/**
 * metrics: [{ key, label, unit, agg = 'median', chart = false, better =
 * 'lower', noRatio = false }]; a sample's values come from
 * `derive(json, column)`. `short` titles the chart panels.
 */
function createGroup({ id, title, short, columns, baseline, metrics, derive, note }) {
  const group = { id, title, short: short || title, note, baseline, columns: [...columns], metrics, samples: {}, raw: {}, errors: {} };
  for (const c of group.columns) {
    group.samples[c] = [];
    group.raw[c] = [];
    group.errors[c] = [];
  }
  group.add = (column, { data, error }) => {
    if (error) group.errors[column].push(error);
    if (data) {
      group.raw[column].push(data);
      group.samples[column].push(derive(data, column));
    }
  };
  return group;
}

/** Fills group.summary[column][key] and group.ratios[column][key]. */
function summarize(group) {
  const summary = {};
  for (const c of group.columns) {
    summary[c] = {};
    for (const m of group.metrics) {
      const values = group.samples[c].map((s) => s[m.key]);
      summary[c][m.key] = AGG[m.agg || 'median'](values);
    }
  }
  const base = group.columns.includes(group.baseline) ? group.baseline : group.columns[0];
  const ratios = {};
  for (const c of group.columns) {
    ratios[c] = {};
    for (const m of group.metrics) ratios[c][m.key] = m.noRatio ? null : ratio(summary[c][m.key], summary[base][m.key]);
  }
  group.summary = summary;
  group.ratios = ratios;
  group.baselineUsed = base;
  return group;
}

/** What goes into results.json: everything but the add() closure. */
function toJSON(group) {
  const { add, ...rest } = group;
  return rest;
}

module.exports = { createGroup, summarize, toJSON };
