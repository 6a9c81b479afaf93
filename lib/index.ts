// The public face of pid1: init() and the primitives it is built on.
//
// The primitives that init() does not use (spawn, SignalFd, waitpid, kill...)
// are loaded on first use, so that `require('pid1').init()` does not pay
// for them: each export at the end reads a getter of `floors`, which
// requires its module then. That `Object.defineProperty(exports, ...)` shape
// is the one Node's CommonJS export detection reads, so that
// `import { spawn } from 'pid1'` still works from an ES module.
import type * as KillFloor from './core/kill';
import type * as SpawnFloor from './core/spawn';
import type * as SignalFdFloor from './kernel/signalfd';
import type * as WaitFloor from './core/wait';

export { init, Init } from './init/init';
export type { InitOptions, InitEvents, Logger, ShutdownReport, StoppedProcess, ReapEvent, SignalEvent, ProcessInfo } from './init/init';
export { setChildSubreaper, isChildSubreaper, setParentDeathSignal, getParentDeathSignal } from './kernel/subreaper';
export { sigprocmask, blockedSignals } from './kernel/sigmask';
export type { MaskHow, MaskScope, ThreadMask, ProcessMaskResult } from './kernel/sigmask';
export type { SignalInfo } from './kernel/signalfd';
export type { WaitResult, WaitOptions, WaitIdType } from './kernel/wait';
export type { SpawnOptions, StopProcessOptions } from './core/spawn';
export type { ExitStatus } from './core/exits';
export { signalName, normalizeSignal, SIGRTMIN, SIGRTMAX, CARRIER_SIGNAL } from './kernel/signals';
export type { Signal, SignalName } from './kernel/signals';

export declare const SignalFd: typeof SignalFdFloor.SignalFd;
export type SignalFd = SignalFdFloor.SignalFd;
export declare const waitpid: typeof WaitFloor.waitpid;
export declare const waitid: typeof WaitFloor.waitid;
export declare const reapAll: typeof WaitFloor.reapAll;
export declare const kill: typeof KillFloor.kill;
export declare const killProcessGroup: typeof KillFloor.killProcessGroup;
export declare const pidfdOpen: typeof KillFloor.pidfdOpen;
export declare const pidfdSendSignal: typeof KillFloor.pidfdSendSignal;
export declare const pidfdSupported: typeof KillFloor.pidfdSupported;
export declare const ProcessHandle: typeof KillFloor.ProcessHandle;
export type ProcessHandle = KillFloor.ProcessHandle;
export declare const spawn: typeof SpawnFloor.spawn;
export declare const SpawnedProcess: typeof SpawnFloor.SpawnedProcess;
export type SpawnedProcess = SpawnFloor.SpawnedProcess;

/* eslint-disable @typescript-eslint/no-require-imports */
const floors = {
  get SignalFd() { return (require('./kernel/signalfd') as typeof SignalFdFloor).SignalFd; },
  get waitpid() { return (require('./core/wait') as typeof WaitFloor).waitpid; },
  get waitid() { return (require('./core/wait') as typeof WaitFloor).waitid; },
  get reapAll() { return (require('./core/wait') as typeof WaitFloor).reapAll; },
  get kill() { return (require('./core/kill') as typeof KillFloor).kill; },
  get killProcessGroup() { return (require('./core/kill') as typeof KillFloor).killProcessGroup; },
  get pidfdOpen() { return (require('./core/kill') as typeof KillFloor).pidfdOpen; },
  get pidfdSendSignal() { return (require('./core/kill') as typeof KillFloor).pidfdSendSignal; },
  get pidfdSupported() { return (require('./core/kill') as typeof KillFloor).pidfdSupported; },
  get ProcessHandle() { return (require('./core/kill') as typeof KillFloor).ProcessHandle; },
  get spawn() { return (require('./core/spawn') as typeof SpawnFloor).spawn; },
  get SpawnedProcess() { return (require('./core/spawn') as typeof SpawnFloor).SpawnedProcess; },
};
/* eslint-enable @typescript-eslint/no-require-imports */

// One statement each: Node's export detection reads them one by one.
Object.defineProperty(exports, 'SignalFd', { enumerable: true, get: function () { return floors.SignalFd; } });
Object.defineProperty(exports, 'waitpid', { enumerable: true, get: function () { return floors.waitpid; } });
Object.defineProperty(exports, 'waitid', { enumerable: true, get: function () { return floors.waitid; } });
Object.defineProperty(exports, 'reapAll', { enumerable: true, get: function () { return floors.reapAll; } });
Object.defineProperty(exports, 'kill', { enumerable: true, get: function () { return floors.kill; } });
Object.defineProperty(exports, 'killProcessGroup', { enumerable: true, get: function () { return floors.killProcessGroup; } });
Object.defineProperty(exports, 'pidfdOpen', { enumerable: true, get: function () { return floors.pidfdOpen; } });
Object.defineProperty(exports, 'pidfdSendSignal', { enumerable: true, get: function () { return floors.pidfdSendSignal; } });
Object.defineProperty(exports, 'pidfdSupported', { enumerable: true, get: function () { return floors.pidfdSupported; } });
Object.defineProperty(exports, 'ProcessHandle', { enumerable: true, get: function () { return floors.ProcessHandle; } });
Object.defineProperty(exports, 'spawn', { enumerable: true, get: function () { return floors.spawn; } });
Object.defineProperty(exports, 'SpawnedProcess', { enumerable: true, get: function () { return floors.SpawnedProcess; } });
