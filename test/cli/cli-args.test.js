'use strict';
// The pid1 command's flag parser, as a table: argv and env in, settings out.
const test = require('node:test');
const assert = require('node:assert');
const { parseArgs } = require('../../dist/cli/cli-args');

const CASES = [
  [['true'], {}, { command: ['true'], subreaper: false, verbosity: 1, gracePeriodMs: 8000 }],
  [['--', 'ls', '-l'], {}, { command: ['ls', '-l'] }],
  [['-s', '-g', '--', 'x'], {}, { subreaper: true, killProcessGroup: true, command: ['x'] }],
  [['-sgw', 'x'], {}, { subreaper: true, killProcessGroup: true, warnOnReap: true }],
  [['-vvv', 'x'], {}, { verbosity: 4 }],
  [['-e', '3', '-e143', 'x'], {}, { successCodes: [3, 143] }],
  [['-p', 'SIGHUP', 'x'], {}, { parentDeathSignal: 1 }],
  [['-p', '15', 'x'], {}, { parentDeathSignal: 15 }],
  [['-r', '15:3', '--rewrite=SIGUSR1:0', 'x'], {}, { rewrite: new Map([[15, 3], [10, 0]]) }],
  [['-c', '--setsid', 'x'], {}, { singleChild: true, setsid: true }],
  [['--grace-period', '250', '--forward-delay=100', 'x'], {}, { gracePeriodMs: 250, forwardDelayMs: 100 }],
  [['--log-format', 'json', '--no-kill-orphans', 'x'], {}, { logFormat: 'json', killOrphans: false }],
  [['x', '-s'], {}, { command: ['x', '-s'], subreaper: false }],
  [['x'], { TINI_SUBREAPER: '1', TINI_KILL_PROCESS_GROUP: '1', TINI_VERBOSITY: '3', DUMB_INIT_SETSID: '1' }, { subreaper: true, killProcessGroup: true, verbosity: 3, setsid: true }],
  [['x'], { TINI_SUBREAPER: '' }, { subreaper: false }],
  [['-h'], {}, { action: 'help' }],
  [['--version'], {}, { action: 'version' }],
  [['-l'], {}, { action: 'license' }],
  // dumb-init's spellings.
  [['--verbose', '-v', 'x'], {}, { verbosity: 3 }],
  [['-V'], {}, { action: 'version' }],
  [['x'], { DUMB_INIT_DEBUG: '1' }, { verbosity: 2 }],
  [['x'], { DUMB_INIT_DEBUG: '0' }, { verbosity: 1 }],
  // The named mode: pid1 keeps the terminal, signals reach the child alone.
  [['--coordinated', 'x'], {}, { setsid: true, singleChild: true }],
];

test('flags parse like tini and dumb-init', () => {
  for (const [argv, env, expected] of CASES) {
    const settings = parseArgs(argv, env);
    for (const [key, value] of Object.entries(expected)) assert.deepStrictEqual(settings[key], value, `${argv.join(' ')}: ${key}`);
  }
});

const BAD = [
  [[], /no command/],
  [['-x', 'true'], /unknown option '-x'/],
  [['--nope', 'true'], /unknown option '--nope'/],
  [['-e'], /needs a value/],
  [['-e', '256', 'true'], /-e must be an integer from 0 to 255/],
  [['-e', '-1', 'true'], /-e must be an integer/],
  [['-e', '1.5', 'true'], /-e must be an integer/],
  [['-p', 'SIGBOGUS', 'true'], /-p must be a signal/],
  [['-p', '0', 'true'], /-p must be a signal/],
  [['-r', 'TERM', 'true'], /FROM:TO/],
  [['-r', 'SIGKILL:1', 'true'], /cannot catch/],
  [['-r', '1:99', 'true'], /--rewrite TO must be a signal/],
  [['--grace-period', 'soon', 'true'], /--grace-period must be an integer/],
  [['--log-format', 'xml', 'true'], /text or json/],
  [['--forward-delay', '8000', 'true'], /--forward-delay \(8000 ms\) must be shorter than --grace-period \(8000 ms\)/],
  [['--setsid=1', 'true'], /takes no value/],
  [['x'], /TINI_VERBOSITY/, { TINI_VERBOSITY: 'loud' }],
];

test('bad flags are usage errors that name the problem', () => {
  for (const [argv, message, env = {}] of BAD) {
    assert.throws(() => parseArgs(argv, env), (error) => error.code === 'ERR_PID1_USAGE' && message.test(error.message), argv.join(' '));
  }
});
