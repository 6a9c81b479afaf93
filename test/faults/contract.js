'use strict';
// The contract both fuzzers check (fuzz.test.js in the test runner,
// fixtures/fuzz.js as PID 1): a call returns, or throws an Error whose code
// is a string and leaves `state()` as it was.
const assert = require('assert');
const fs = require('fs');
const { isDeepStrictEqual } = require('util');

// The open fds, each with what it names, as two listings of /proc/self/fd
// in a row agree on them. Some other thread of the process can open an fd
// and close it again between a listing and the readlink that names it, or
// between the state taken before a call and the one after: CI saw it twice
// (an fd listed but gone by its readlink, under Node 20; one fd more after
// a call that threw before any system call, under Node 24), in a process
// where pid1 runs no thread. An fd a call leaks is in both listings.
// readdirSync's own fd is in each listing, closed by the time it is named.
function openFds() {
  const listing = () =>
    new Map(
      fs.readdirSync('/proc/self/fd').map((fd) => {
        try {
          return [fd, fs.readlinkSync(`/proc/self/fd/${fd}`)];
        } catch {
          return [fd, null]; // closed since it was listed
        }
      }),
    );
  const first = listing();
  const second = listing();
  return [...first].filter(([fd, target]) => target !== null && second.get(fd) === target).map(([fd, target]) => `${fd} ${target}`);
}

/**
 * The state, taken again 100 ms later when it differs from `before`: what a
 * call changed for good is still there then, what another thread of Node's
 * had open for a moment is not. Two listings in a row are not always
 * enough: CI saw /sys/devices/system/cpu/online open in both, under Node 24
 * on a busy 2-CPU host, after a call that threw before any system call.
 */
function settledState(state, before) {
  const now = state();
  if (isDeepStrictEqual(now, before)) return now;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  return state();
}

/** Calls fn with the state taken before; returns { before, result } or, when it threw by the contract, { before, error }. */
function attempt(fn, state) {
  const before = state();
  try {
    return { before, result: fn() };
  } catch (error) {
    assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`);
    assert.strictEqual(typeof error.code, 'string', `${error.name} without a code: ${error.message}`);
    assert.deepStrictEqual(settledState(state, before), before, `state changed by a call that threw ${error.code}: ${error.message}`);
    return { before, error };
  }
}

module.exports = { attempt, openFds, settledState };
