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
