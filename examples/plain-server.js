'use strict';
// An app that knows nothing of pid1: no require('pid1'), no signal handling.
// examples/Dockerfile.register makes it a correct PID 1 without an edit.
const http = require('http');
const { spawn } = require('child_process');

// A helper that leaves two orphans behind, as server.js's does: a daemon
// that stays, and says which signal stopped it, and one that exits at once
// (a zombie forever under a PID 1 that does not reap). The daemon starts the
// short-lived one once its trap is set, so the ready line means both exist.
const DAEMON = 'trap "echo orphan: stopped by SIGTERM; exit 0" TERM; ' +
  '(sh -c "echo orphans: ready" &); sleep infinity & wait';
spawn('sh', ['-c', `sh -c '${DAEMON}' & exit 0`], { stdio: 'inherit' });

http.createServer((req, res) => res.end('ok\n'))
  .listen(8080, () => console.log('listening on 8080'));
