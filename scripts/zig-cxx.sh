#!/bin/sh
# CXX (and linker) for node-gyp: zig's clang++ for $ZIG_TARGET, with libc++
# linked statically. scripts/prebuildify.sh sets ZIG and ZIG_TARGET.
exec "${ZIG:?path to zig}" c++ -target "${ZIG_TARGET:?zig target triple}" "$@"
