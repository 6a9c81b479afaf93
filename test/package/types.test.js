'use strict';
// pid1's declarations (dist/*.d.ts) as a strict TypeScript consumer sees
// them, under each `module` setting with its default target, compiled by
// the project's own typescript: fixtures/types/consumer.ts (and .mts) must
// compile, and every line of errors.ts marked EXPECT must be a type error.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, fixturesIn } = require('../kit');
const { FIXTURES, runFixture } = fixturesIn(__dirname);

const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const SOURCES = path.join(FIXTURES, 'types');

const expected = fs
  .readFileSync(path.join(SOURCES, 'errors.ts'), 'utf8')
  .split('\n')
  .flatMap((line, i) => (line.endsWith('// EXPECT') ? [i + 1] : []));

// A consumer folder: pid1 and @types/node in its node_modules, as npm would put them.
function consumer(module) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pid1-types-${module}-`));
  fs.mkdirSync(path.join(dir, 'node_modules', '@types'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'pid1'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'));
  // An ES module consumer needs a module resolution that knows ES modules.
  const files = ['consumer.ts', 'errors.ts', ...(module === 'commonjs' ? [] : ['consumer.mts'])];
  for (const file of files) fs.copyFileSync(path.join(SOURCES, file), path.join(dir, file));
  const config = { compilerOptions: { module, strict: true, noEmit: true, types: ['node'] }, files };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  return dir;
}

for (const module of ['nodenext', 'node16', 'commonjs']) {
  test(`a strict consumer compiles under module ${module} with the default target; kill(1, 'SIGNOPE') and the other EXPECT lines are type errors`, async () => {
    const dir = consumer(module);
    try {
      const r = await runFixture(null, { asInit: false, command: [process.execPath, TSC, '-p', path.join(dir, 'tsconfig.json'), '--pretty', 'false'] });
      const errors = r.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
      const inErrors = /(?:^|\/)errors\.ts\((\d+),/;
      const unexpected = errors.filter((line) => !inErrors.test(line));
      assert.deepStrictEqual(unexpected, [], `errors outside errors.ts:\n${r.stdout}${r.stderr}`);
      const lines = [...new Set(errors.map((line) => Number(inErrors.exec(line)[1])))].sort((a, b) => a - b);
      assert.deepStrictEqual(lines, expected, `type errors on these lines of errors.ts:\n${r.stdout}`);
      assert.ok(errors.some((line) => inErrors.exec(line)[1] === '5' && line.includes(`'"SIGNOPE"' is not assignable`)), r.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
