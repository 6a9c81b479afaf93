// The public face of pid1: the primitives, the reaper-backed init(), and the
// signal helpers.
export { setChildSubreaper, isChildSubreaper, setParentDeathSignal, getParentDeathSignal } from './subreaper';
export { sigprocmask, blockedSignals } from './sigmask';
export type { MaskHow, MaskScope, ThreadMask, ProcessMaskResult } from './sigmask';
export { SignalFd } from './signalfd';
export type { SignalInfo } from './signalfd';
export { waitpid, waitid, reapAll } from './wait';
export type { WaitResult, WaitOptions, WaitIdType } from './wait';
export { kill, killProcessGroup, pidfdOpen, pidfdSendSignal, pidfdSupported, ProcessHandle } from './kill';
export { spawn } from './spawn';
export type { SpawnOptions } from './spawn';
export { signalName, normalizeSignal, SIGRTMIN, SIGRTMAX, CARRIER_SIGNAL } from './signals';
export type { Signal } from './signals';
