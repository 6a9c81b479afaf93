#!/usr/bin/env bash
# The main job, running: pid1 as PID 1 of a fresh PID namespace. The command
# orphans three processes (pid1 reaps them and, with -w, says so), leaves a
# background process that ignores SIGTERM, and exits. pid1 then stops what
# is left: SIGTERM, a grace period of 1.5 s, SIGKILL with a log line naming
# the process, and exits with the command's own status (3).
set -uo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli/cli.js ] || npm run --silent build
# A new PID namespace needs CAP_SYS_ADMIN: as an ordinary user (or root
# without it), inside a new user namespace in which we are root, where the
# kernel allows unprivileged user namespaces.
namespace=(--pid --fork --mount-proc --kill-child)
if ! err=$(unshare "${namespace[@]}" true 2>&1); then
  namespace=(--user --map-root-user "${namespace[@]}")
  if ! err2=$(unshare "${namespace[@]}" true 2>&1); then
    echo "demo: cannot start pid1 as PID 1 of a new PID namespace here:" >&2
    echo "  unshare --pid: $err" >&2
    echo "  unshare --user --map-root-user --pid: $err2" >&2
    echo "Run it as root, or allow unprivileged user namespaces (sysctl user.max_user_namespaces > 0)." >&2
    exit 1
  fi
fi
unshare "${namespace[@]}" node dist/cli/cli.js -v -w --grace-period 1500 -- sh -c '
  echo "command: orphaning three sleeps (their parent exits at once)"
  sh -c "sleep 0.2 & sleep 0.3 & sleep 0.4 &"
  sh -c "trap \"echo stubborn: SIGTERM ignored\" TERM; while :; do sleep 0.1; done" &
  sleep 0.6
  echo "command: exiting with 3, leaving a process that ignores SIGTERM"
  exit 3'
echo "pid1 exited with status $?"
