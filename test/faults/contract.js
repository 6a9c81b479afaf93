'use strict';
// The contract both fuzzers check (fuzz.test.js in the test runner,
// fixtures/fuzz.js as PID 1): a call returns, or throws an Error whose code
// is a string and leaves `state()` as it was.
const assert = require('assert');

/** Calls fn with the state taken before; returns { before, result } or, when it threw by the contract, { before, error }. */
function attempt(fn, state) {
  const before = state();
  try {
    return { before, result: fn() };
  } catch (error) {
    assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`);
    assert.strictEqual(typeof error.code, 'string', `${error.name} without a code: ${error.message}`);
    assert.deepStrictEqual(state(), before, `state changed by a call that threw ${error.code}: ${error.message}`);
    return { before, error };
  }
}

module.exports = { attempt };
