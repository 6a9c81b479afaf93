// signalfd(2): signals read as data instead of handled asynchronously.
import { EventEmitter, on } from 'events';
import { closeSync } from 'fs';
import { native, NativeFdWatcher, NativeSigInfo } from './native';
import { normalizeSignalSet, Signal, signalMask, signalName } from './signals';
import { pid1Error } from './validate';

/**
 * One signal read from a signalfd (struct signalfd_siginfo): `signal` by
 * name and `signo` by number; `code` is si_code (0 SI_USER from kill(),
 * -1 SI_QUEUE, -6 SI_TKILL, CLD_* for SIGCHLD); `pid` and `uid` are the
 * sender's (the child's for SIGCHLD); `status` is SIGCHLD's exit status or
 * signal; `int` is sigqueue's value.
 */
export type SignalInfo = Omit<NativeSigInfo, 'signal'> & { signal: string; signo: number };

function toSignalInfo(raw: NativeSigInfo): SignalInfo {
  return { ...raw, signal: signalName(raw.signal), signo: raw.signal };
}

function closedError(): Error {
  return pid1Error('ERR_PID1_SIGNALFD_CLOSED', 'This SignalFd is closed');
}

/**
 * A non-blocking, close-on-exec signalfd. It sees a signal only while every
 * thread blocks it: block the set first (sigprocmask with scope 'process').
 *
 * Read synchronously with read(), or let libuv tell when there is something
 * to read: a 'signal' listener or `for await (const info of signalFd)`
 * starts a poll watcher on the fd (no timers), removing the last listener
 * stops it.
 */
export class SignalFd extends EventEmitter {
  #fd: number;
  #watcher: NativeFdWatcher | null = null;

  constructor(signals: Signal | readonly Signal[]) {
    super();
    this.#fd = native.signalfdOpen(...signalMask(normalizeSignalSet(signals)));
    this.on('newListener', (event) => {
      if (event === 'signal' && this.#watcher === null && this.#fd >= 0) this.#watch();
    });
    this.on('removeListener', (event) => {
      if (event === 'signal' && this.listenerCount('signal') === 0) this.#unwatch();
    });
  }

  /** The file descriptor, or -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Every queued signal, oldest first; [] when none is queued. */
  read(): SignalInfo[] {
    if (this.#fd < 0) throw closedError();
    return native.signalfdRead(this.#fd).map(toSignalInfo);
  }

  /** Closes the fd. A second close() throws ERR_PID1_SIGNALFD_CLOSED. */
  close(): void {
    if (this.#fd < 0) throw closedError();
    this.#unwatch();
    closeSync(this.#fd);
    this.#fd = -1;
    this.emit('close');
  }

  /** Keeps or stops keeping the event loop alive while watching. */
  ref(): this {
    this.#watcher?.ref();
    return this;
  }

  unref(): this {
    this.#watcher?.unref();
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SignalInfo> {
    if (this.#fd < 0) throw closedError();
    const controller = new AbortController();
    this.once('close', () => controller.abort());
    try {
      for await (const [info] of on(this, 'signal', { signal: controller.signal })) yield info as SignalInfo;
    } catch (error) {
      if ((error as { name?: string }).name !== 'AbortError') throw error;
    }
  }

  #watch(): void {
    this.#watcher = new native.FdWatcher(this.#fd, () => {
      if (this.#fd < 0) return;
      for (const info of this.read()) this.emit('signal', info);
    });
    this.#watcher.start();
  }

  #unwatch(): void {
    if (this.#watcher === null) return;
    this.#watcher.close();
    this.#watcher = null;
  }
}
