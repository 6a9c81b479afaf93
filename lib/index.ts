// The public face of pid1: init() and the primitives it is built on.
export { init, Init } from './init/init';
export type { InitOptions, InitEvents, Logger, ShutdownReport, StoppedProcess, ReapEvent, SignalEvent, ProcessInfo } from './init/init';
export { setChildSubreaper, isChildSubreaper, setParentDeathSignal, getParentDeathSignal } from './kernel/subreaper';
export { sigprocmask, blockedSignals } from './kernel/sigmask';
export type { MaskHow, MaskScope, ThreadMask, ProcessMaskResult } from './kernel/sigmask';
export { SignalFd } from './kernel/signalfd';
export type { SignalInfo } from './kernel/signalfd';
export { waitpid, waitid, reapAll } from './kernel/wait';
export type { WaitResult, WaitOptions, WaitIdType } from './kernel/wait';
export { kill, killProcessGroup, pidfdOpen, pidfdSendSignal, pidfdSupported, ProcessHandle } from './core/kill';
export { spawn, SpawnedProcess } from './core/spawn';
export type { SpawnOptions, StopProcessOptions } from './core/spawn';
export type { ExitStatus } from './core/exits';
export { signalName, normalizeSignal, SIGRTMIN, SIGRTMAX, CARRIER_SIGNAL } from './kernel/signals';
export type { Signal, SignalName } from './kernel/signals';
