'use strict';
// The contract both fuzzers check (fuzz.test.js in the test runner,
// fixtures/fuzz.js as PID 1): a call returns, or throws an Error whose code
// is a string and leaves `state()` as it was.
const assert = require('assert');
const fs = require('fs');

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

module.exports = { attempt, openFds };
