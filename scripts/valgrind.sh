#!/bin/sh
# valgrind memcheck over every native entry point of pid1
# (test/faults/fixtures/valgrind.js: masks, signalfd and its watcher,
# waitid, spawn incl. a failed exec, pidfds, prctl, three init()/close()
# cycles with reaps and signals). Node and V8 are not ours: an error counts
# only when its stack has a frame in pid1.node; definite leaks likewise.
# Slow (about a minute).
#
#   sh scripts/valgrind.sh
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/.cache/valgrind
mkdir -p "$OUT"
LOG=$OUT/memcheck.txt
# --trace-children=no: sh, sleep and true run natively. Frames are attributed
# by module name (pid1.node), so the Release build (no -g) is enough.
status=0
PID1_VALGRIND=1 valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
  --num-callers=40 --error-limit=no --trace-children=no --smc-check=all-non-file \
  --log-file="$LOG" node "$ROOT/test/faults/fixtures/valgrind.js" || status=$?
echo "valgrind.sh: fixture exited $status"
node - "$LOG" "$status" <<'JS'
const fs = require('fs');
const text = fs.readFileSync(process.argv[2], 'utf8').replace(/^==\d+== ?/gm, '');
const blocks = text.split(/\n\s*\n/);
const ours = blocks.filter((b) => /pid1\.node/.test(b) && /Invalid|uninitialised|definitely lost|Syscall param|Mismatched|free\(\)/.test(b));
const summary = (text.match(/ERROR SUMMARY: .*/) || ['?'])[0];
const definite = (text.match(/definitely lost: .*/) || ['?'])[0];
console.log(`valgrind.sh: ${ours.length} error(s) in pid1.node; whole process: ${summary}; ${definite}`);
for (const b of ours) console.log(`----\n${b}`);
process.exit(ours.length === 0 && Number(process.argv[3]) === 0 ? 0 : 1);
JS
