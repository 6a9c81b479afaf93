#!/usr/bin/env bash
# The quick release checks CI runs after `npm test`: the committed prebuilds
# match native/ and binding.gyp, the linux-x64 glibc prebuild passes the
# primitives suite with PREBUILDS_ONLY=1, and the packed tarball installs and
# runs with no compiler and no network. (The slow proofs, arm64 under qemu
# and Node 18/22/24, are `npm run test:prebuilds`.)
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/check-prebuilds.js
PREBUILDS_ONLY=1 node --test test/kernel/primitives.test.js
bash scripts/pack-test.sh
