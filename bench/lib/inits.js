'use strict';
// The inits under test, where to find them, and how each is told to run a
// command. Every run puts the init at PID 1 of a fresh PID namespace with
// its own /proc, so that orphans are the init's and /proc/1 is the init.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { asInitCommand } = require('../../test/kit');


// Debian puts catatonit in /usr/bin, podman's copy lives in libexec.
const C_INITS = [
  { name: 'tini', pkg: 'tini', paths: ['/usr/bin/tini', '/usr/sbin/tini', '/usr/local/bin/tini'], argv: (bin, cmd) => [bin, '--', ...cmd] },
  { name: 'dumb-init', pkg: 'dumb-init', paths: ['/usr/bin/dumb-init', '/usr/local/bin/dumb-init'], argv: (bin, cmd) => [bin, ...cmd] },
  { name: 'catatonit', pkg: 'catatonit', paths: ['/usr/bin/catatonit', '/usr/libexec/podman/catatonit', '/usr/libexec/catatonit/catatonit'], argv: (bin, cmd) => [bin, '--', ...cmd] },
];

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function locate(def) {
  return def.paths.find(isExecutable) || null;
}

function apt(args, log) {
  log(`$ apt-get ${args.join(' ')}`);
  const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.error) return r.error.message;
  return r.status === 0 ? null : `apt-get ${args[0]} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`;
}

/** Installs the missing Debian packages; returns an error string or null. */
function installMissing(pkgs, log) {
  if (process.getuid && process.getuid() !== 0) return `not root; run: apt-get install -y ${pkgs.join(' ')}`;
  // The package lists may be empty or stale on a fresh machine.
  return apt(['update', '-q'], log) || apt(['install', '-y', '-q', ...pkgs], log);
}

/**
 * Finds (and unless install is false, installs) the C inits, and adds pid1
 * when its CLI has been built. Returns { inits: [{name, argv(cmd)}],
 * skipped: [{name, reason}] }; `wanted` limits the names.
 */
function resolve({ root, install, wanted, log }) {
  const inits = [];
  const skipped = [];
  const want = (name) => !wanted || wanted.includes(name);
  const defs = C_INITS.filter((d) => want(d.name));
  const missing = defs.filter((d) => !locate(d));
  let installError = null;
  if (missing.length > 0) {
    if (install) installError = installMissing(missing.map((d) => d.pkg), log);
    else installError = 'not installed and --no-install given';
  }
  for (const def of defs) {
    const bin = locate(def);
    if (bin) inits.push({ name: def.name, bin, argv: (cmd) => asInitCommand(def.argv(bin, cmd)) });
    else skipped.push({ name: def.name, reason: `not found in ${def.paths.join(', ')}${installError ? ` (${installError})` : ''}` });
  }
  if (want('pid1')) {
    const cli = path.join(root, 'dist', 'cli', 'cli.js');
    if (fs.existsSync(cli)) {
      inits.push({ name: 'pid1', bin: cli, argv: (cmd) => asInitCommand([process.execPath, cli, '--', ...cmd]) });
    } else {
      skipped.push({ name: 'pid1', reason: `not built yet: ${path.relative(process.cwd(), cli) || cli} does not exist (npm run build once the CLI lands)` });
    }
  }
  return { inits, skipped };
}

/** Runs cmd as PID 1 of a fresh namespace with no init at all. */
function bare(cmd) {
  return asInitCommand(cmd);
}

/** Throws with the reason when this machine can't make PID namespaces. */
function checkNamespaces() {
  asInitCommand([]);
}

module.exports = { resolve, bare, checkNamespaces };
