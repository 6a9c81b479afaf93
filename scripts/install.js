#!/usr/bin/env node
// npm runs this when pid1 is installed. pid1 works on Linux only; elsewhere
// (an app developed on macOS or Windows and deployed to Linux containers)
// there is nothing to build, and node-gyp-build would fall back to compiling
// Linux-only sources and fail the app's whole install.
'use strict';
if (process.platform !== 'linux') {
  console.log(`pid1: nothing to build on ${process.platform} (pid1 works on Linux only; init() does nothing here)`);
} else {
  // A prebuild that loads, or a build from source (python3, make, a C++ compiler).
  require('node-gyp-build/bin.js');
}
