'use strict';
// A web server that is PID 1 of its container: init() makes it reap orphans,
// forward signals to its children, and stop them gracefully on SIGTERM.
const http = require('http');
const { spawn } = require('child_process');
const { init } = require('pid1');

const node = init({ gracePeriodMs: 8000 });
node.on('reap', ({ pid, exitCode, signal }) => console.log(`reaped orphan ${pid}: ${signal ?? exitCode}`));

// A helper that leaves two orphans behind: one soon exits (pid1 reaps it),
// one stays, like a daemon (the graceful stop ends it with SIGTERM).
spawn('sh', ['-c', 'sleep 1 & sleep 3600 & exit 0'], { stdio: 'inherit' });

const server = http.createServer((req, res) => res.end('ok\n'))
  .listen(8080, () => console.log('listening on 8080'));

// Listening for SIGTERM puts the app in charge: close the server, then let
// pid1 stop whatever is left and exit.
process.on('SIGTERM', async () => {
  server.close();
  const report = await node.shutdown();
  console.log(`stopped ${report.exited.length} process(es), killed ${report.killed.length}`);
  process.exit(0);
});
