#!/usr/bin/env node
// npm runs this when pid1 is installed. pid1 works on Linux only; elsewhere
// (an app developed on macOS or Windows and deployed to Linux containers)
// there is nothing to build, and node-gyp-build would fall back to compiling
// Linux-only sources and fail the app's whole install.
'use strict';
const { spawnSync } = require('child_process');

if (process.platform !== 'linux') {
  console.log(`pid1: nothing to build on ${process.platform} (pid1 works on Linux only; init() does nothing here)`);
  process.exit(0);
}
// A prebuild that loads, or else a build from source.
const result = spawnSync(process.execPath, [require.resolve('node-gyp-build/bin.js')], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error(
    `pid1: no prebuilt addon fits linux-${process.arch} here (prebuilt: x64 and arm64, glibc 2.28+ and musl), ` +
      'and building it from source failed (above). The build needs python3, make and a C++17 compiler.',
  );
}
// V8 code caches of the bundles, for this Node: start-up without compiling
// (scripts/codecache.js). Without them pid1 works the same, about 2 ms slower
// to start; a failure says so and fails nothing.
if (result.status === 0) require('./codecache').makeAll();
process.exit(result.status === null ? 1 : result.status);
