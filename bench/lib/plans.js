'use strict';
// What bench/run.js runs, per mode (bench/storm-wakeups.js storms as full does).
// Sizes per mode. quick is meant to finish in about two minutes on 2 cores,
// full in under fifteen. Bursts of 500 orphans, waves of at most 5000 so
// that waves plus the 10,000 sleepers stay well under a pid_max of 32768.
const PLANS = {
  quick: {
    reps: 3,
    storm: { ns: [1000, 5000], burst: 500, wave: 5000, waveTimeoutMs: 30000, trialTimeoutMs: 120000 },
    scale: { n: 2000, live: 10000, reps: 3 },
    signals: { paced: { count: 300, intervalUs: 1000 }, flood: { count: 20000 } },
    startup: { reps: 20, memReps: 3 },
    inprocess: { reps: 2, storm: { n: 10000 }, idleMs: 1000, spawnMs: 1500 },
  },
  full: {
    reps: 7,
    // More rounds where a round is cheap: CPU per reap of one 1,000-orphan
    // storm moved from 4 to 30 µs between rounds of the same init (a few ms
    // of CPU in all, on a shared VM), and the median of 7 moved with it.
    storm: { ns: [1000, 10000, 50000], reps: { 1000: 21, 10000: 11 }, burst: 500, wave: 5000, waveTimeoutMs: 60000, trialTimeoutMs: 300000 },
    scale: { n: 10000, live: 10000, reps: 3 },
    signals: { paced: { count: 2000, intervalUs: 1000 }, flood: { count: 100000 } },
    startup: { reps: 60, memReps: 5 },
    inprocess: { reps: 5, storm: { n: 10000 }, idleMs: 3000, spawnMs: 4000 },
  },
};

module.exports = { PLANS };
