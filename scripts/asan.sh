#!/bin/sh
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer into a
# private copy of the package (.cache/asan-pkg) and runs the whole test suite
# against it. Node is not instrumented, so the ASan runtime is preloaded; every
# node process the tests start carries it too (see node-asan below); other
# programs do not. Reports go to
# log files, one per process, so none is lost in a fixture's captured stderr;
# the run fails when any report names pid1's code, or any ASan/UBSan error
# appears at all.
#
#   sh scripts/asan.sh [test files...]      (default: test/*/*.test.js)
#
# Takes ~15-20 min (pass 1 ~8 min, pass 2 longer: LeakSanitizer at every
# exit). Each test gets 3 min (--test-timeout): the pty job-control test of
# cli.test.js hangs under ASan (its pty driver times out and leaves the
# command holding its pipes).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$ROOT/.cache/asan-pkg
LOGS=$ROOT/.cache/asan-logs
ASAN_LIB=$(gcc -print-file-name=libasan.so)
[ -f "$ASAN_LIB" ] || { echo "asan.sh: gcc's libasan.so not found (apt-get install libgcc-12-dev)" >&2; exit 2; }

(cd "$ROOT" && npx tsc -p tsconfig.json)
rm -rf "$WORK" "$LOGS"
mkdir -p "$WORK/scripts" "$LOGS"
# prebuilds/: the loader tests check that PREBUILDS_ONLY=1 loads them;
# examples/: the supervisor tests run examples/supervisor.js.
cp -r "$ROOT/package.json" "$ROOT/LICENSE" "$ROOT/binding.gyp" "$ROOT/native" "$ROOT/dist" "$ROOT/test" "$ROOT/prebuilds" "$ROOT/examples" "$WORK/"
cp "$ROOT/scripts/build-native.js" "$ROOT/scripts/run-tests.js" "$WORK/scripts/"
[ -d "$ROOT/scripts/faults" ] && cp -r "$ROOT/scripts/faults" "$WORK/scripts/"
ln -s "$ROOT/node_modules" "$WORK/node_modules"

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
(cd "$WORK" && CFLAGS="$SAN" CXXFLAGS="$SAN" LDFLAGS="-fsanitize=address,undefined" \
  node scripts/build-native.js >"$LOGS/build.txt" 2>&1) || { cat "$LOGS/build.txt" >&2; exit 1; }
ldd "$WORK/build/Release/pid1.node" | grep -q libasan || { echo "asan.sh: the addon is not sanitized" >&2; exit 1; }

if [ $# -eq 0 ]; then
  set -- $(cd "$WORK" && ls test/*/*.test.js)
fi

# Two passes over the same tests:
#  1. detect_leaks=0: every AddressSanitizer error and UBSan runtime error in a
#     node process (the only kind that loads pid1.node) is a failure, and the
#     tests must pass. Reports from other programs the tests run (sh killed by
#     a SIGSEGV on purpose, say) are listed but do not count: they carry the
#     runtime, not pid1's code.
#  2. detect_leaks=1: Node and V8 leak by design at exit, and LeakSanitizer
#     ends a leaking process with its own exit code, which breaks the tests'
#     exit-status checks; so this pass ignores test results and only counts
#     leaks allocated by pid1.node itself (no V8/Node frame between the
#     allocator and the first pid1 frame). ASAN_LEAKS=0 skips it.
# Only node processes carry the ASan runtime: a wrapper preloads it and execs
# node, and a --require'd script takes LD_PRELOAD out of process.env again and
# points process.execPath at the wrapper, so fixtures (spawned with
# process.execPath) are sanitized while sh, bash and the C helpers are not:
# with the runtime preloaded, an interactive bash under a pty hung and
# sigcatch missed signals (ASan intercepts signal handling).
cat >"$WORK/node-asan" <<WRAP
#!/bin/sh
LD_PRELOAD="$ASAN_LIB\${LD_PRELOAD:+:\$LD_PRELOAD}" exec "$(command -v node)" "\$@"
WRAP
chmod +x "$WORK/node-asan"
cat >"$WORK/strip-preload.js" <<'STRIP'
delete process.env.LD_PRELOAD;
process.execPath = process.env.PID1_NODE_ASAN;
STRIP
export PID1_NODE_ASAN="$WORK/node-asan"
export NODE_OPTIONS="--require $WORK/strip-preload.js"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOGS/ubsan"
# handle_*=0: the tests kill children with SIGSEGV, SIGABRT... on purpose and
# expect 128+n; with ASan's handlers a preloaded sh would exit 1 instead.
# Wild accesses in pid1 are caught by shadow memory, not by these handlers.
COMMON="handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0:log_path=$LOGS/asan:log_exe_name=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
status=0
echo "asan.sh: pass 1 (errors)"
(cd "$WORK" && ASAN_OPTIONS="detect_leaks=0:$COMMON" "$WORK/node-asan" --test --test-concurrency=2 --test-timeout=180000 "$@") || status=$?
echo "asan.sh: tests exited $status"
mkdir -p "$LOGS/errors" && mv "$LOGS"/asan.* "$LOGS/errors/" 2>/dev/null || true
mv "$LOGS"/ubsan.* "$LOGS/errors/" 2>/dev/null || true
if [ "${ASAN_LEAKS:-1}" = 1 ]; then
  echo "asan.sh: pass 2 (leaks; test results ignored)"
  (cd "$WORK" && ASAN_OPTIONS="detect_leaks=1:$COMMON" \
    LSAN_OPTIONS="exitcode=0:suppressions=$ROOT/scripts/faults/lsan.supp:print_suppressions=0" \
    "$WORK/node-asan" --test --test-concurrency=2 --test-timeout=180000 "$@" >"$LOGS/leak-pass.txt" 2>&1) || true
  mkdir -p "$LOGS/leaks" && mv "$LOGS"/asan.* "$LOGS/leaks/" 2>/dev/null || true
fi
unset NODE_OPTIONS

node - "$LOGS" <<'JS' || status=1
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const read = (sub) => (fs.existsSync(path.join(dir, sub)) ? fs.readdirSync(path.join(dir, sub)).map((f) => [f, fs.readFileSync(path.join(dir, sub, f), 'utf8')]) : []);
const found = [];
const elsewhere = [];
for (const [file, text] of read('errors')) {
  if (!/ERROR: AddressSanitizer|runtime error:|ERROR: UndefinedBehaviorSanitizer/.test(text)) continue;
  (/^(asan|ubsan)\.node\./.test(file) ? found : elsewhere).push(`== ${file}\n${text}`);
}
let foreignLeaks = 0;
for (const [file, text] of read('leaks')) {
  for (const block of text.split(/\n(?=(?:Direct|Indirect) leak of )/).slice(1)) {
    const frames = block.split('\n').filter((l) => /^\s+#\d+ /.test(l)).slice(1);
    const first = frames.findIndex((l) => /pid1\.node|native\/\w+\.cc/.test(l));
    const viaV8 = first < 0 || frames.slice(0, first).some((l) => /\/usr\/bin\/node|v8::|node::/.test(l));
    if (viaV8) foreignLeaks++;
    else found.push(`== ${file} (leak allocated by pid1)\n${block}`);
  }
}
for (const report of elsewhere) console.log(`(not pid1: another program carrying the runtime)\n${report.split('\n').slice(0, 8).join('\n')}`);
console.log(`asan.sh: ${found.length} report(s) against pid1; ${elsewhere.length} report(s) from other programs; ${foreignLeaks} leak record(s) of Node/V8 and other programs ignored`);
for (const report of found) console.log(report);
process.exit(found.length === 0 ? 0 : 1);
JS
echo "asan.sh: exit $status (logs in $LOGS)"
exit $status
