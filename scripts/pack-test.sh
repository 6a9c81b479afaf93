#!/usr/bin/env bash
# Proves the published package works from prebuilds/ alone: npm pack, then
# install the tarball into an empty folder outside the project with a PATH
# that holds only node, npm and sh (npm runs the install script through sh;
# no gcc, g++, cc, c++, make: a fallback to
# node-gyp would fail) and npm preferring its cache, then load the addon and
# run the CLI. Then, from a git clone of HEAD as a new user would have it:
# npm install, npm pack (dist/ and the bin must be in it, built by the
# prepare script), and an app installing pid1 from the clone's git URL.
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

# npm pack builds dist/ itself (the prepare script).
tarball=$(cd "$ROOT" && npm pack --silent --pack-destination "$TMP" | tail -n 1)
tarball=$TMP/$tarball
[ -f "$tarball" ] || die "npm pack produced no tarball"
# check_tarball TARBALL: the files a user needs are in it; build/, tsc's build info and the unbundled modules are not.
check_tarball() {
  local listing file
  listing=$(tar tzf "$1")
  for file in prebuilds/linux-x64/pid1.glibc.node prebuilds/linux-x64/pid1.musl.node \
    prebuilds/linux-arm64/pid1.glibc.node prebuilds/linux-arm64/pid1.musl.node \
    dist/index.js dist/index.bundle.js dist/index.lazy.js dist/index.d.ts dist/register.js dist/cli/cli.js dist/cli/cli.bundle.js dist/cli/cli.lazy.js \
    dist/kernel/native.d.ts binding.gyp scripts/install.js scripts/codecache.js; do
    grep -qx "package/$file" <<<"$listing" || die "$file is not in $1"
  done
  grep -q '^package/build/' <<<"$listing" && die "$1 contains build/"
  grep -q 'tsbuildinfo' <<<"$listing" && die "$1 contains tsc's build info"
  # The entry points are bundles of everything they load (scripts/bundle.js): the modules' own files would be a second copy.
  grep -E '^package/dist/.+\.js$' <<<"$listing" | grep -vqxE 'package/dist/(index|index\.bundle|index\.lazy|register|cli/cli|cli/cli\.bundle|cli/cli\.lazy)\.js' && die "$1 ships a module's .js beside the bundles"
  # Code caches are made at install, for the Node that installs.
  grep -q '\.cache$' <<<"$listing" && die "$1 ships a code cache"
  log "packed $(basename "$1"): $(wc -l <<<"$listing") files, $(stat -c %s "$1") bytes"
}
check_tarball "$tarball"

# Everything below sees only node, npm and sh on PATH, and no compiler variables.
clean() { env -i HOME="$HOME" PATH="$TMP/bin" "$@"; }
for tool in gcc g++ cc c++ make clang; do
  ! clean /bin/sh -c "command -v $tool" >/dev/null || die "$tool is reachable from the stripped PATH"
done

echo '{ "name": "pid1-pack-test", "version": "1.0.0", "private": true }' > "$TMP/app/package.json"
(cd "$TMP/app" && clean npm install --prefer-offline --no-audit --no-fund --foreground-scripts --loglevel=error "$tarball") >&2 ||
  die "npm install of the tarball failed"
[ ! -e "$TMP/app/node_modules/pid1/build" ] || die "the install compiled the addon into build/"
# The install made the code caches for this Node (scripts/codecache.js).
for bundle in dist/index.bundle.js dist/cli/cli.bundle.js; do
  compgen -G "$TMP/app/node_modules/pid1/$bundle.*.cache" >/dev/null || die "the install made no code cache for $bundle"
done

(cd "$TMP/app" && clean node -e "
  const pid1 = require('pid1');
  const loaded = [...new Set(require('fs').readFileSync('/proc/self/maps', 'utf8').split('\\n').map((l) => l.split(/\\s+/)[5] ?? '').filter((f) => f.endsWith('.node')))];
  console.log('require(\"pid1\").isChildSubreaper() =', pid1.isChildSubreaper(), 'from', loaded.map((f) => f.slice(f.indexOf('node_modules'))).join());
") >&2 || die "require('pid1') failed in the installed package"

version=$(cd "$TMP/app" && clean node_modules/.bin/pid1 --version) || die "node_modules/.bin/pid1 --version failed"
log "node_modules/.bin/pid1 --version: $version"

# A new user's path: git clone, npm install, npm pack. No dist/ is committed:
# the prepare script must build it, for the pack and for a git URL install.
git clone --quiet "$ROOT" "$TMP/clone" || die "git clone failed"
[ ! -e "$TMP/clone/dist" ] || die "the clone has a dist/ before npm install"
(cd "$TMP/clone" && npm install --prefer-offline --no-audit --no-fund --loglevel=error) >&2 || die "npm install in the clone failed"
(cd "$TMP/clone" && node -e "require('.')") || die "require('.') fails after npm install in the clone"
tarball=$(cd "$TMP/clone" && npm pack --silent --pack-destination "$TMP" | tail -n 1)
check_tarball "$TMP/$tarball"

mkdir "$TMP/git-app"
echo '{ "name": "pid1-git-test", "version": "1.0.0", "private": true }' > "$TMP/git-app/package.json"
(cd "$TMP/git-app" && npm install --prefer-offline --no-audit --no-fund --loglevel=error "git+file://$TMP/clone") >&2 ||
  die "npm install from the git URL failed"
version=$(cd "$TMP/git-app" && node_modules/.bin/pid1 --version) || die "pid1 installed from the git URL has no working bin"
(cd "$TMP/git-app" && node -e "require('pid1').isChildSubreaper()") || die "require('pid1') failed after a git URL install"
log "git clone + npm install + npm pack has dist/ and the bin; after a git URL install, pid1 --version: $version"
log "passed in $((SECONDS - start)) s"
