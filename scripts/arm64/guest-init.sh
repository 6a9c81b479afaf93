#!/bin/sh
# PID 1 of the arm64 machine (see run.sh). Prints what runs (kernel,
# process.arch, the .node file loaded), runs each test file with node --test
# as npm test would (the fixtures become PID 1 of fresh PID namespaces
# through unshare), then writes status, summary, logs, dmesg and any Node
# core as a tar archive onto the raw disk vdc, and powers off.
export PATH=/opt/node/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 PREBUILDS_ONLY=1
# Generous per file: TCG emulates every instruction, and the storm tests fork
# thousands of processes.
FILE_TIMEOUT=3600
# and per fixture (test/kit/index.js): 300 spawns in an orphan storm took up
# to 120 s there.
export PID1_GUARD_SCALE=6
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
mount -t tmpfs tmpfs /dev/shm
echo arm64 > /proc/sys/kernel/hostname
OUT=/tmp/results
mkdir -p "$OUT/cores"
# A crash leaves its core with the results, for gdb-multiarch on the host
# (with .cache/node's arm64 node): Node's own SIGSEGV handler hides the
# fault from dmesg.
echo "$OUT/cores/core.%e.%P" > /proc/sys/kernel/core_pattern
ulimit -c unlimited
cd /project || exit 1

status=0
summary="kernel $(uname -r) $(uname -m) ($(uname -v))"
echo "pid1-arm64: $summary, $(nproc) CPUs, $(( $(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo) / 1024 )) MiB"

# Which binary: the public entry point must load the arm64 glibc prebuild.
if node -e '
  const pid1 = require("/project");
  // The .node files the process maps (pid1 opens its addon with process.dlopen, not require).
  const loaded = [...new Set(require("fs").readFileSync("/proc/self/maps", "utf8").split("\n").map((l) => l.split(/\s+/)[5] ?? "").filter((f) => f.endsWith(".node")))];
  console.log(`${process.version} process.arch=${process.arch} loaded ${loaded.join(", ")} isChildSubreaper()=${pid1.isChildSubreaper()}`);
  if (process.arch !== "arm64" || loaded.join() !== "/project/prebuilds/linux-arm64/pid1.glibc.node") process.exit(1);
' > "$OUT/loaded" 2>&1; then
  summary="$summary; node $(cat "$OUT/loaded")"
else
  status=1
  summary="$summary; WRONG BINARY: $(cat "$OUT/loaded")"
fi
echo "pid1-arm64: $(cat "$OUT/loaded")"

pass=0
fail=0
n=0
for file in $(cat scripts/arm64/tests); do
  # Numbered, so that a file given twice keeps both logs.
  n=$((n + 1))
  name=$n-$(basename "$file" .test.js)
  echo "pid1-arm64: running $file"
  started=$(date +%s)
  # Shown as it runs, and kept; dash has no pipefail, hence the code file.
  { timeout -k 30 "$FILE_TIMEOUT" node --test --test-reporter=tap "$file" 2>&1; echo $? > "$OUT/$name.code"; } | tee "$OUT/$name.tap"
  code=$(cat "$OUT/$name.code")
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$OUT/$name.tap")
  f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$OUT/$name.tap")
  [ "$code" = 0 ] || status=1
  line="$file: pass ${p:-?} fail ${f:-?}, exit $code, $(( $(date +%s) - started )) s"
  echo "pid1-arm64: $line"
  summary="$summary
$line"
  pass=$((pass + ${p:-0}))
  fail=$((fail + ${f:-0}))
done
summary="$summary
total: $pass passed, $fail failed"
echo "$summary" > "$OUT/summary"
# The kernel's own account of any oops; cores compressed, since tar would
# write their holes out in full.
dmesg > "$OUT/dmesg" 2>&1
# Shells killed on purpose by the CLI tests (kill -SEGV $$) dump too: only
# Node's cores are kept.
for core in "$OUT"/cores/core.*; do
  [ -f "$core" ] || continue
  case ${core##*/} in
    core.node.*) echo "pid1-arm64: core dumped: ${core##*/}" && busybox gzip -1 "$core" ;;
    *) rm -f "$core" ;;
  esac
done
echo "$status" > "$OUT/status"
busybox tar -cf /dev/vdc -C "$OUT" .
sync
echo "pid1-arm64: done, status $status, $pass passed, $fail failed"
busybox poweroff -f
