#!/usr/bin/env bash
# The main job, running: pid1 as PID 1 of a fresh PID namespace. The command
# orphans three processes (pid1 reaps them and, with -w, says so), leaves a
# background process that ignores SIGTERM, and exits. pid1 then stops what
# is left: SIGTERM, a grace period of 1.5 s, SIGKILL with a log line naming
# the process, and exits with the command's own status (3).
set -uo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli.js ] || npm run --silent build
unshare --pid --fork --mount-proc --kill-child node dist/cli.js -v -w --grace-period 1500 -- sh -c '
  echo "command: orphaning three sleeps (their parent exits at once)"
  sh -c "sleep 0.2 & sleep 0.3 & sleep 0.4 &"
  sh -c "trap \"echo stubborn: SIGTERM ignored\" TERM; while :; do sleep 0.1; done" &
  sleep 0.6
  echo "command: exiting with 3, leaving a process that ignores SIGTERM"
  exit 3'
echo "pid1 exited with status $?"
