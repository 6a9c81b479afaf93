#!/bin/sh
# CC for node-gyp: zig's clang for $ZIG_TARGET (x86_64-linux-musl,
# aarch64-linux-gnu.2.28, ...). scripts/prebuildify.sh sets ZIG and ZIG_TARGET.
exec "${ZIG:?path to zig}" cc -target "${ZIG_TARGET:?zig target triple}" "$@"
