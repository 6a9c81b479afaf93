'use strict';
// The app of the in-process start-up and memory rows: an app file that
// loads child_process, as any app that spawns does. With a module path as
// its argument it also calls that module's init(), its first line after.
// Both rows run this very file; only the argument differs.
//
// A file, not `node -e`: the first file a process requires warms Node's
// CommonJS loader (resolve, stat, read, compile), which an app's own main
// file has done before it reaches require('pid1'). Under `node -e` that
// cost, about 0.4 MiB of peak RSS for requiring even an empty package,
// would be charged to pid1.
require('child_process');
if (process.argv[2] !== undefined) require(process.argv[2]).init();
