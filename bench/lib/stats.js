'use strict';
// Small statistics over repeated samples. Medians everywhere: a 2-core
// machine shared with other work has outliers that a mean would chase.

/** Median of the finite numbers in `values`; null when there are none. */
function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Largest finite number, null when there are none. */
function max(values) {
  const v = values.filter(Number.isFinite);
  return v.length ? Math.max(...v) : null;
}

/** Nearest-rank percentile (p in 0..100) of unsorted numbers. */
function percentile(values, p) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const k = Math.min(v.length, Math.max(1, Math.ceil((p / 100) * v.length)));
  return v[k - 1];
}

/** value / base, or null when either is missing or base is 0. */
function ratio(value, base) {
  if (!Number.isFinite(value) || !Number.isFinite(base) || base === 0) return null;
  return value / base;
}

module.exports = { median, max, percentile, ratio };
