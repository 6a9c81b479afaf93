// The public face of pid1: init() and the primitives it is built on.
export { init, Init } from './init';
export type { InitOptions, InitEvents, Logger, ShutdownReport, StoppedProcess, ReapEvent, SignalEvent, ProcessInfo } from './init';
export { setChildSubreaper, isChildSubreaper, setParentDeathSignal, getParentDeathSignal } from './subreaper';
export { sigprocmask, blockedSignals } from './sigmask';
export type { MaskHow, MaskScope, ThreadMask, ProcessMaskResult } from './sigmask';
export { SignalFd } from './signalfd';
export type { SignalInfo } from './signalfd';
export { waitpid, waitid, reapAll } from './wait';
export type { WaitResult, WaitOptions, WaitIdType } from './wait';
export { kill, killProcessGroup, pidfdOpen, pidfdSendSignal, pidfdSupported, ProcessHandle } from './kill';
export { spawn, SpawnedProcess } from './spawn';
export type { SpawnOptions, StopProcessOptions } from './spawn';
export type { ExitStatus } from './exits';
export { signalName, normalizeSignal, SIGRTMIN, SIGRTMAX, CARRIER_SIGNAL } from './signals';
export type { Signal, SignalName } from './signals';
