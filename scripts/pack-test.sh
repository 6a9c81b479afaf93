#!/usr/bin/env bash
# Proves the published package works from prebuilds/ alone: npm pack, then
# install the tarball into an empty folder outside the project with a PATH
# that holds only node, npm and sh (npm runs the install script through sh;
# no gcc, g++, cc, c++, make: a fallback to
# node-gyp would fail) and npm preferring its cache, then load the addon and
# run the CLI.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf 'pack-test: %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

start=$SECONDS
# Outside the project, so nothing resolves through /work/main/node_modules.
TMP=$(mktemp -d /tmp/pid1-pack-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/bin" "$TMP/app"
ln -s "$(command -v node)" "$TMP/bin/node"
ln -s "$(readlink -f "$(command -v npm)")" "$TMP/bin/npm"
ln -s /bin/sh "$TMP/bin/sh"

(cd "$ROOT" && npm run --silent build:ts) || die "npm run build:ts failed"
tarball=$(cd "$ROOT" && npm pack --silent --pack-destination "$TMP" | tail -n 1)
tarball=$TMP/$tarball
[ -f "$tarball" ] || die "npm pack produced no tarball"
listing=$(tar tzf "$tarball")
for file in prebuilds/linux-x64/pid1.glibc.node prebuilds/linux-x64/pid1.musl.node \
  prebuilds/linux-arm64/pid1.glibc.node prebuilds/linux-arm64/pid1.musl.node dist/index.js binding.gyp; do
  grep -qx "package/$file" <<<"$listing" || die "$file is not in the tarball"
done
grep -q '^package/build/' <<<"$listing" && die "the tarball contains build/"
log "packed $(basename "$tarball"): $(wc -l <<<"$listing") files, $(stat -c %s "$tarball") bytes"

# Everything below sees only node, npm and sh on PATH, and no compiler variables.
clean() { env -i HOME="$HOME" PATH="$TMP/bin" "$@"; }
for tool in gcc g++ cc c++ make clang; do
  ! clean /bin/sh -c "command -v $tool" >/dev/null || die "$tool is reachable from the stripped PATH"
done

echo '{ "name": "pid1-pack-test", "version": "1.0.0", "private": true }' > "$TMP/app/package.json"
(cd "$TMP/app" && clean npm install --prefer-offline --no-audit --no-fund --foreground-scripts --loglevel=error "$tarball") >&2 ||
  die "npm install of the tarball failed"
[ ! -e "$TMP/app/node_modules/pid1/build" ] || die "the install compiled the addon into build/"

(cd "$TMP/app" && clean node -e "
  const pid1 = require('pid1');
  const loaded = Object.keys(require.cache).filter((f) => f.endsWith('.node'));
  console.log('require(\"pid1\").isChildSubreaper() =', pid1.isChildSubreaper(), 'from', loaded.map((f) => f.slice(f.indexOf('node_modules'))).join());
") >&2 || die "require('pid1') failed in the installed package"

if [ -f "$TMP/app/node_modules/pid1/dist/cli.js" ]; then
  version=$(cd "$TMP/app" && clean node_modules/.bin/pid1 --version) || die "node_modules/.bin/pid1 --version failed"
  log "node_modules/.bin/pid1 --version: $version"
else
  log "skipped the CLI check: the package has no dist/cli.js yet"
fi
log "passed in $((SECONDS - start)) s"
