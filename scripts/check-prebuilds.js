#!/usr/bin/env node
// Checks that prebuilds/ holds the four binaries and that they were built
// from the native sources in this tree. Fast enough for every CI run: it
// reads a few files and hashes them, it builds nothing.
//
//   node scripts/check-prebuilds.js               check (exit 1 on a mismatch)
//   node scripts/check-prebuilds.js --write DIR   hash DIR's sources into
//                                                 prebuilds/SOURCES.sha256
//                                                 (used by prebuildify.sh)
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const hashFile = path.join(root, 'prebuilds', 'SOURCES.sha256');

/** The files a prebuild is made of, as the paths node-gyp-build looks for. */
const PREBUILDS = [
  'prebuilds/linux-x64/pid1.glibc.node',
  'prebuilds/linux-x64/pid1.musl.node',
  'prebuilds/linux-arm64/pid1.glibc.node',
  'prebuilds/linux-arm64/pid1.musl.node',
];

function listFiles(dir, base) {
  const out = [];
  for (const entry of fs.readdirSync(path.join(base, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listFiles(rel, base));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/**
 * The one recipe for the sources hash: every file under native/ (recursively)
 * plus binding.gyp, sorted by their '/'-separated relative path (code-unit
 * order); for each, the path, a NUL, the byte length in decimal, a NUL and the
 * bytes go into one sha256. Paths are included so a rename counts as a change.
 */
function sourcesHash(base = root) {
  const files = [...listFiles('native', base), 'binding.gyp'].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = crypto.createHash('sha256');
  for (const rel of files) {
    const data = fs.readFileSync(path.join(base, rel));
    hash.update(`${rel}\0${data.length}\0`);
    hash.update(data);
  }
  return hash.digest('hex');
}

function readRecorded() {
  try {
    return fs.readFileSync(hashFile, 'utf8').split(/\s+/)[0];
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

function check() {
  const problems = [];
  const missing = PREBUILDS.filter((rel) => !fs.existsSync(path.join(root, rel)));
  if (missing.length > 0) problems.push(`missing prebuilds: ${missing.join(', ')}`);
  const recorded = readRecorded();
  const current = sourcesHash();
  if (recorded === null) {
    problems.push('prebuilds/SOURCES.sha256 is missing');
  } else if (recorded !== current) {
    problems.push(
      'native/ or binding.gyp changed since the prebuilds were built: run npm run prebuildify' +
        ` (recorded ${recorded.slice(0, 12)}, now ${current.slice(0, 12)})`,
    );
  }
  if (problems.length > 0) {
    for (const problem of problems) console.error(`check-prebuilds: ${problem}`);
    console.error('check-prebuilds: npm run prebuildify runs scripts/prebuildify.sh; commit prebuilds/ afterwards');
    return 1;
  }
  console.log(`check-prebuilds: ${PREBUILDS.length} prebuilds present, sources hash ${current.slice(0, 12)} matches`);
  return 0;
}

function write(base) {
  const hash = sourcesHash(base);
  fs.mkdirSync(path.dirname(hashFile), { recursive: true });
  fs.writeFileSync(hashFile, `${hash}  native/ binding.gyp\n`);
  console.log(`check-prebuilds: wrote prebuilds/SOURCES.sha256 (${hash.slice(0, 12)})`);
}

module.exports = { sourcesHash, PREBUILDS };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === '--write') {
    write(path.resolve(args[1] || root));
  } else if (args[0] === '--hash') {
    console.log(sourcesHash(path.resolve(args[1] || root)));
  } else if (args.length === 0) {
    process.exitCode = check();
  } else {
    console.error('usage: node scripts/check-prebuilds.js [--write DIR | --hash DIR]');
    process.exitCode = 2;
  }
}
