// init() where pid1 cannot work (not Linux): apps are developed on macOS and
// Windows and deployed to Linux containers, so the same code must start on
// the developer's machine. There is no reaper and nothing to reap or stop:
// init() says so once and returns an object that does nothing.
import { EventEmitter } from 'events';
import type { Init, InitEvents, InitOptions } from './init';
import type { ProcessInfo } from '../kernel/procfs';
import type { ShutdownReport } from '../core/stop';

// Every public member of Init but EventEmitter's, checked by the compiler,
// so that a member added to Init must be added here too.
type PublicInit = { [K in Exclude<keyof Init, keyof EventEmitter>]: Init[K] };

class InertInit extends EventEmitter<InitEvents> implements PublicInit {
  readonly gracePeriodMs: number;
  readonly forwarded: string[] = [];
  readonly reaperThreadId = 0;

  constructor(gracePeriodMs: number) {
    super();
    this.gracePeriodMs = gracePeriodMs;
  }

  descendants(): ProcessInfo[] {
    return [];
  }

  exempt(): void {}

  exemptSpawn<T>(spawn: () => T): T {
    return spawn();
  }

  shutdown(options?: { signal?: string | number; gracePeriodMs?: number }): Promise<ShutdownReport> {
    const signal = options?.signal ?? 'SIGTERM';
    return Promise.resolve({
      signal: String(signal),
      gracePeriodMs: options?.gracePeriodMs ?? this.gracePeriodMs,
      exited: [],
      killed: [],
      durationMs: 0,
    });
  }

  close(): void {}
}

let current: InertInit | undefined;

/** The inert Init, created and announced once (on the logger, if one is given). */
export function inertInit(options?: InitOptions): Init {
  if (current === undefined) {
    const gracePeriodMs = typeof options?.gracePeriodMs === 'number' ? options.gracePeriodMs : 8000;
    current = new InertInit(gracePeriodMs);
    const message = `init() does nothing on ${process.platform}: pid1 works on Linux only, where it makes this process an init`;
    const logger = options?.logger;
    if (logger !== false && typeof logger?.info === 'function') logger.info(message);
    else if (logger !== false) process.stderr.write(`pid1: ${message}\n`);
  }
  // Structurally an Init; `instanceof Init` is false.
  return current as unknown as Init;
}
