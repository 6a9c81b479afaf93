// The one place that loads the addon. Its surface is typed here and nowhere
// else touches the .node file.
import { existsSync } from 'fs';
import type * as Os from 'os';

/**
 * What the addon takes and returns for a yes or no: 1 or 0, never a
 * boolean (a boolean costs two more Node-API functions, one each way:
 * native/napi/binding_util.h).
 */
export type NativeFlag = 1 | 0;

/** A boolean as the addon takes it. */
export function flag(on: boolean): NativeFlag {
  return on ? 1 : 0;
}

/** A wait result as the addon returns it (signals as numbers; absent: none). */
export interface NativeWaitResult {
  pid: number;
  exitCode?: number;
  signal?: number;
  coreDumped: NativeFlag;
  stopped: NativeFlag;
  continued: NativeFlag;
}

export interface NativeSigInfo {
  signal: number;
  code: number;
  pid: number;
  uid: number;
  status: number;
  errno: number;
  int: number;
  tid: number;
  overrun: number;
  utime: number;
  stime: number;
}

export interface NativeThreadMask {
  tid: number;
  name: string;
  blocked: MaskBytes;
}

/**
 * A signal set as the addon takes it, bit n-1 for signal n: the low and the
 * high 32 bits of a 64-bit mask, as two arguments (signalMask() in
 * ./signals). Numbers cross with the Node-API functions every call uses
 * already; a BigInt, or an array, would need more (native/napi/
 * binding_util.h says why that matters).
 */
export type SignalMask = readonly [low: number, high: number];
/** A signal set as the addon returns it: the same 64-bit mask, 8 bytes little-endian (maskSignals() in ./signals). */
export type MaskBytes = Uint8Array;

/**
 * The reaper's events are packed, `eventInts` int32 each; the layout is
 * written once, in native/core/reaper.h, and these constants come from there.
 */
export interface NativeReaperProtocol {
  eventInts: number;
  kinds: { reap: number; signal: number; error: number };
  signalFlags: { handedOn: number; forwarded: number };
  /** The system calls whose failure an error event names: name -> index. */
  syscalls: Record<string, number>;
  forwardWhen: { always: number; listening: number; never: number };
}

/**
 * A list of strings as the addon takes it: one string, each item followed
 * by a NUL (items have none: spawn() refuses them). One Node-API function
 * reads it, where an array takes three more (native/napi/binding_util.h).
 */
export function cStringList(items: readonly string[]): string {
  return items.map((item) => `${item}\0`).join('');
}

export interface NativeFdWatcher {
  start(): void;
  stop(): void;
  close(): void;
  ref(): void;
  unref(): void;
}

/** One of NativeBinding.maskHow: the kernel's SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK. */
export type NativeHow = number;

/**
 * The addon's exports. Flags are 1 or 0 (anything not a number reads as
 * 0), and every argument is passed, optional ones included.
 */
export interface NativeBinding {
  setChildSubreaper(enabled: NativeFlag): void;
  getChildSubreaper(): NativeFlag;
  setParentDeathSignal(signal: number): void;
  getParentDeathSignal(): number;
  /** Returns the previous mask; blocking nothing (block, 0, 0) reads it. */
  threadMask(how: NativeHow, ...mask: SignalMask): MaskBytes;
  /** skipped is absent when no thread was skipped. */
  processMask(how: NativeHow, ...mask: SignalMask): { previous: MaskBytes; reached: number; skipped?: NativeThreadMask[] };
  threadMasks(): NativeThreadMask[];
  signalfdOpen(...mask: SignalMask): number;
  signalfdRead(fd: number): NativeSigInfo[];
  /**
   * idtype: one of `idtype` (with pidfd, Linux 5.4, id is a pidfd); flags:
   * `waitFlags` ORed (WEXITED is always in). undefined: nothing ready. With
   * noChildIsZero, ECHILD returns 0 instead of throwing (no Error is
   * built: see native/napi/binding.cc).
   */
  waitid(idtype: number, id: number, flags: number, block: NativeFlag, noChildIsZero: NativeFlag): NativeWaitResult | undefined | 0;
  reapAll(): NativeWaitResult[];
  kill(pid: number, signal: number): void;
  isatty(fd: number): NativeFlag;
  pidfdOpen(pid: number): number;
  pidfdSendSignal(fd: number, signal: number): void;
  pidfdExited(fd: number): NativeFlag;
  /**
   * candidates (the paths execve tries, in order), argv and env as
   * cStringList(); cwd '' keeps ours; stdin, stdout, stderr: the fds dup2'ed
   * onto 0, 1 and 2, -1 inherits; foregroundFd: a terminal whose foreground
   * the child's group becomes, -1 none; cgroupFd: a cgroup.procs open for
   * writing, which the child joins first, -1 none. startTime: /proc/PID/stat
   * field 22, read before the child could be reaped; -1 if unread.
   */
  spawn(
    candidates: string,
    argv: string,
    env: string,
    cwd: string,
    stdin: number,
    stdout: number,
    stderr: number,
    setsid: NativeFlag,
    setpgid: NativeFlag,
    foregroundFd: number,
    cgroupFd: number,
  ): { pid: number; startTime: number };
  /** The values threadMask and processMask take, from the kernel's headers. */
  maskHow: { block: number; unblock: number; set: number };
  /** The values waitid takes, from the kernel's headers. */
  idtype: { all: number; pid: number; pgid: number; pidfd: number };
  waitFlags: { stopped: number; continued: number; noWait: number };
  /** The signals by name, os.constants.signals' table for this architecture (native/napi/binding.cc). */
  signals: typeof Os.constants.signals;
  carrierSignal: number;
  SIGRTMIN: number;
  SIGRTMAX: number;
  reaperProtocol: NativeReaperProtocol;
  /**
   * `onEvents` runs on the JS thread when events wait; reaperTake() takes
   * them. Events come as a Buffer of int32s, `eventInts` per event.
   */
  reaperStart(maskLow: SignalMask[0], maskHigh: SignalMask[1], onEvents: () => void, resourceName: string): void;
  reaperTake(): Uint8Array;
  /** Stops the thread after a last reap pass; returns the events it left. */
  reaperStop(): Uint8Array;
  /** One reap pass, under the ownership rule, on the calling thread; the reaper must be stopped. */
  reaperReapStopped(): Uint8Array;
  reaperTid(): number;
  reaperRef(on: NativeFlag): void;
  reaperRunning(): NativeFlag;
  reaperSetHandOn(signal: number, on: NativeFlag): void;
  /** rewrite: String.fromCharCode(...table), table[sig] the signal to send for sig (0 drops it). */
  reaperSetForward(target: number, leader: number, rewrite: string): void;
  reaperSetForwardChildren(on: NativeFlag): void;
  reaperSetForwardWhen(signal: number, when: number): void;
  /** ms since the last forward of `signal` reached that process, or -1. */
  reaperSentAgo(signal: number, pid: number, pgrp: number, startTicks: number): number;
  reaperHoldForward(): void;
  /** Before reaperStart: the fault forwarder's pipe, read by the thread; -1: none. */
  reaperSetFaultFd(fd: number): void;
  reaperSetReporting(allReaps: NativeFlag, ...quietMask: SignalMask): void;
  spawnBegin(): void;
  spawnEnd(pid: number): void;
  release(pid: number): void;
  setExempt(pid: number, exempt: NativeFlag): void;
  /** Defined on first use (load() below): defining a class costs Node-API look-ups. */
  FdWatcher: new (fd: number, onReadable: (status: number) => void) => NativeFdWatcher;
  defineFdWatcher(): NativeBinding['FdWatcher'];
  /** The pid1 command's fault signals: installs the handler, returns the requests' fd. */
  faultForwardStart(...mask: SignalMask): number;
  /** TIOCNOTTY, with SIGHUP and SIGCONT ignored around it. */
  ttyDetach(fd: number): void;
}

// The package's root, two directories above this module's (dist/kernel), on
// Linux, where __dirname is absolute, normalized and '/'-separated. Cut from
// the string rather than joined with node:path, whose first calls cost
// start-up (docs/runtime-facts.md, 40).
function packageRoot(): string {
  const parent = (dir: string): string => dir.slice(0, dir.lastIndexOf('/'));
  return parent(parent(__dirname));
}

/** Where an init makes no sense there is nothing to load: every use throws this. */
function unsupportedPlatform(): Error & { code: string } {
  const error = new Error(
    `pid1 works on Linux only (it wraps prctl, signalfd and waitid); this is ${process.platform}`,
  ) as Error & { code: string };
  error.code = 'ERR_PID1_UNSUPPORTED_PLATFORM';
  return error;
}

// node-gyp-build's own message ("No native build was found for ...") says
// neither what is supported nor what to do about it.
function noNativeBuild(cause: unknown): Error & { code: string } {
  const error = new Error(
    `pid1 has no working native addon for linux-${process.arch} here. Prebuilt: linux x64 and arm64, ` +
      'glibc 2.28 or newer and musl. Anywhere else on Linux it is built from source at install, which needs ' +
      'python3, make and a C++17 compiler: install them, then run `npm rebuild pid1 --build-from-source`. ' +
      `Cause: ${(cause as Error)?.message?.split('\n')[0] ?? String(cause)}`,
    { cause },
  ) as Error & { code: string };
  error.code = 'ERR_PID1_NO_NATIVE_BUILD';
  return error;
}

/**
 * False where the addon cannot exist (not Linux). There, requiring pid1
 * works, so an app developed on macOS or Windows starts, and any use of the
 * addon throws ERR_PID1_UNSUPPORTED_PLATFORM.
 */
export const nativeSupported = process.platform === 'linux';

// Where the addon is, as node-gyp-build would find it, without loading
// node-gyp-build, reading package.json or listing folders: two stats on an
// install. Anything unusual (an override it reads from the environment, a
// build/ without build/Release/pid1.node, no prebuild for this arch and
// libc) is left to node-gyp-build, which keeps its search and its order.
function knownPath(root: string): string | undefined {
  const env = process.env;
  if (env.PID1_PREBUILD || env.npm_config_arch || env.npm_config_platform || env.LIBC) return undefined;
  if (!env.PREBUILDS_ONLY) {
    const release = `${root}/build/Release/pid1.node`;
    if (existsSync(release)) return release;
    if (existsSync(`${root}/build`)) return undefined;
  }
  const libc = existsSync('/etc/alpine-release') ? 'musl' : 'glibc';
  const prebuild = `${root}/prebuilds/linux-${process.arch}/pid1.${libc}.node`;
  return existsSync(prebuild) ? prebuild : undefined;
}

// The addons this JS thread opened, by file, shared by every copy of this
// module (each face's bundle, dist/kernel/native.js) as require()'s cache
// would share them: a second dlopen of the same file would register the
// addon again (docs/runtime-facts.md, 39). globalThis is the thread's own
// (a Worker has its own), as that cache is.
const OPENED = Symbol.for('pid1.addons');

/**
 * Opens the addon at `file` as require() does once it has resolved the
 * path: process.dlopen(). The path is known already; require()'s
 * resolution (a stat, a realpath walk over every directory above the file,
 * Node's loader functions compiled on their first call) would find the same
 * file, for about 0.35 ms of start-up (docs/runtime-facts.md, 40).
 */
function open(file: string): NativeBinding {
  const opened = ((globalThis as { [OPENED]?: Record<string, NativeBinding> })[OPENED] ??= {});
  if (opened[file] === undefined) {
    const module = { exports: {} as NativeBinding };
    process.dlopen(module, file);
    opened[file] = module.exports;
  }
  return opened[file];
}

function load(): NativeBinding {
  if (!nativeSupported) {
    return new Proxy({} as NativeBinding, {
      get() {
        throw unsupportedPlatform();
      },
    });
  }
  const root = packageRoot();
  const known = knownPath(root);
  const loadFrom =
    known !== undefined
      ? open
      : // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('node-gyp-build') as (dir: string) => NativeBinding);
  let binding: NativeBinding;
  try {
    binding = loadFrom(known ?? root);
  } catch (cause) {
    throw noNativeBuild(cause);
  }
  // Configurable: the same exports object is met again by any other copy of
  // this module (open() above).
  let fdWatcher: NativeBinding['FdWatcher'] | undefined;
  Object.defineProperty(binding, 'FdWatcher', { configurable: true, get: () => (fdWatcher ??= binding.defineFdWatcher()) });
  return binding;
}

export const native: NativeBinding = load();
