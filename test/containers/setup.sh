#!/usr/bin/env bash
# Everything the container scenarios need, made without a registry:
#   1. podman, runc, crun, tini, catatonit and mmdebstrap from Debian;
#   2. a base image (Debian bookworm with Node, npm, procps and tini) made by
#      mmdebstrap and `podman import`, kept between runs;
#   3. the images of examples/ (every Dockerfile.* in IMAGES below), with
#      the packed tarball of this checkout installed by npm inside, offline,
#      from a copy of the host's npm cache.
# Prints the CONTAINERS_CONF file for each runtime, one "runtime=path" a line.
# Exit status 3 means no container runtime can be had here (the caller skips).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$ROOT/.cache/containers
BASE_IMAGE=localhost/pid1-test-base:bookworm
log() { printf 'test:containers: %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
skip() { log "SKIP: $*"; exit 3; }

# Dockerfile in examples/ => image name the scenarios run. Each Dockerfile
# takes ARG BASE (its FROM) and ARG PID1 (what npm installs), which default
# to node:22-slim and the registry's pid1, so it builds offline here. The
# register entry point (node -r pid1/register) is built when its Dockerfile
# exists; scenarios.js says what it must run.
declare -A IMAGES=(
  [Dockerfile.app]=localhost/example/pid1-app:latest
  [Dockerfile.command]=localhost/example/pid1-command:latest
  [Dockerfile.register]=localhost/example/pid1-register:latest
)

# shellcheck source=../../scripts/lib.sh
. "$ROOT/scripts/lib.sh"

[ "$(uname -s)" = Linux ] || skip "containers need Linux"
[ "$(id -u)" = 0 ] || skip "rootful podman needs root"
command -v apt-get >/dev/null || command -v podman >/dev/null || skip "no podman and no apt-get to install it"
ensure_packages podman=podman runc=runc crun=crun tini=tini /usr/libexec/podman/catatonit=catatonit \
  mmdebstrap=mmdebstrap python3=python3 unshare=util-linux ||
  skip "podman, runc and crun could not be installed from Debian"

mkdir -p "$WORK"
# The runtime cannot raise rlimits without CAP_SYS_RESOURCE (which some
# sandboxes lack), so every container gets limits the host already allows.
# nproc above 32768 was refused even under a higher hard limit.
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
for runtime in runc crun; do
  cat > "$WORK/containers-$runtime.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]
netns = "none"
[engine]
runtime = "$runtime"
CONF
done
export CONTAINERS_CONF=$WORK/containers-runc.conf

if ! podman image exists "$BASE_IMAGE"; then
  log "making $BASE_IMAGE with mmdebstrap (a few minutes, once)"
  rm -f "$WORK/rootfs.tar"
  mmdebstrap --quiet --variant=minbase --include=nodejs,npm,procps,tini,ca-certificates \
    bookworm "$WORK/rootfs.tar" >&2 || skip "mmdebstrap could not make a base image (no Debian mirror?)"
  podman import --quiet --change 'CMD ["/bin/bash"]' "$WORK/rootfs.tar" "$BASE_IMAGE" >/dev/null ||
    die "podman import failed"
  rm -f "$WORK/rootfs.tar"
  log "made $BASE_IMAGE in $SECONDS s"
fi
podman run --rm --network=none "$BASE_IMAGE" true ||
  skip "podman cannot run a container here (see the error above)"

# The tarball, and an npm cache holding its dependencies, mounted into each
# build: npm installs from them with the network off.
offline=$WORK/npm-offline
rm -f "$offline"/*.tgz
mkdir -p "$offline/cache"
(cd "$ROOT" && npm run --silent build:ts) || die "npm run build:ts failed"
# The images load the addon from prebuilds/, as users' installs do: stale
# prebuilds would test an older addon than native/ holds.
(cd "$ROOT" && node scripts/check-prebuilds.js) >&2 ||
  die "prebuilds/ do not match native/: run npm run prebuildify first"
packed=$(cd "$ROOT" && npm pack --silent --pack-destination "$offline" | tail -n 1)
[ -f "$offline/$packed" ] || die "npm pack produced no tarball"
# The build cache keys a RUN step by its text, not by what the mount holds:
# the tarball's hash in its name makes a new tarball a new step.
tarball=pid1-$(sha256sum "$offline/$packed" | cut -c1-16).tgz
mv "$offline/$packed" "$offline/$tarball"
cp -a --update "$(npm config get cache)/_cacache" "$offline/cache/"
printf 'cache=/npm-offline/cache\noffline=true\naudit=false\nfund=false\nupdate-notifier=false\n' > "$WORK/npmrc"

for dockerfile in "${!IMAGES[@]}"; do
  [ -f "$ROOT/examples/$dockerfile" ] || { log "no examples/$dockerfile: its scenarios are skipped"; continue; }
  log "building ${IMAGES[$dockerfile]} from examples/$dockerfile"
  podman build --quiet --network=none --file "$ROOT/examples/$dockerfile" \
    --build-arg BASE="$BASE_IMAGE" --build-arg PID1="/npm-offline/$tarball" \
    --volume "$offline:/npm-offline" --volume "$WORK/npmrc:/root/.npmrc:ro" \
    --tag "${IMAGES[$dockerfile]}" "$ROOT/examples" >/dev/null ||
    die "podman build of examples/$dockerfile failed"
done
log "images ready after $SECONDS s"
for runtime in runc crun; do echo "$runtime=$WORK/containers-$runtime.conf"; done
