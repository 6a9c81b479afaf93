'use strict';
// The processes of this PID namespace as /proc shows them, for fixtures
// that must see what the kernel holds (zombies, who adopted whom). Reads
// only; a process that goes away while it is read is left out.
const fs = require('fs');

/** { state, ppid, pgrp, session } of one process, or undefined once it is gone. */
function statOf(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined; // gone meanwhile
  }
  // comm may hold spaces and parentheses: the fields start after the last ')'.
  const [state, ppid, pgrp, session] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid), pgrp: Number(pgrp), session: Number(session) };
}

/** Every process: { pid, state, ppid, pgrp, session }. */
function processes() {
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(name);
    if (stat !== undefined) out.push({ pid: Number(name), ...stat });
  }
  return out;
}

/** The argv of a process now (after any exec), or [] (gone, or a zombie). */
function argsOf(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return [];
  }
  const args = text.split('\0');
  if (args[args.length - 1] === '') args.pop();
  return args;
}

const isZombie = (p) => p.state === 'Z' || p.state === 'X';

module.exports = { statOf, processes, argsOf, isZombie };
