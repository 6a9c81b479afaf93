'use strict';
// A preload (`node -r bench/marks.js ...`) for the start-up rows that leave
// out Node's own start: it reads the monotonic clock as the first line of
// user code runs and prints it on stderr at exit. bench/spawnrun prints the
// same clock (CLOCK_MONOTONIC, which process.hrtime reads) when the process
// tree has ended; the difference is everything after Node's start. Both
// sides of a comparison run it, so its own cost (a listener, one write)
// cancels out.
const start = process.hrtime.bigint();
process.on('exit', () => require('fs').writeSync(2, `\n{"user_start_ns":${start}}\n`));
