/**
 * {@link PipeAndWaitMethods}: pipes (creating them, moving bytes between them without a copy, reading
 * them a completion at a time) and waiting: for readiness, for epoll events, for a child process, on
 * futexes.
 *
 * @module
 */
import type { FixedFile } from "../sqe/fixed_file.ts";
import type { MultishotCqe, MultishotOptions, RunOptions } from "../ring/core.ts";
import { Pipe, type PipeOptions } from "../ops/pipe.ts";
import { Splice, type SpliceOptions } from "../ops/splice.ts";
import { Tee, type TeeOptions } from "../ops/tee.ts";
import { ReadMultishot, type ReadMultishotOptions } from "../ops/read_multishot.ts";
import { PollAdd } from "../ops/poll_add.ts";
import { PollRemove, type PollUpdateOptions } from "../ops/poll_remove.ts";
import { EpollCtl, type EpollCtlOptions } from "../ops/epoll_ctl.ts";
import { type EpollEvent, EpollWait, type EpollWaitOptions } from "../ops/epoll_wait.ts";
import { Waitid, type WaitidOptions, type WaitidResult } from "../ops/waitid.ts";
import { type FutexArray, type FutexOptions, FutexWait } from "../ops/futex_wait.ts";
import { FutexWake } from "../ops/futex_wake.ts";
import { type FutexWaiter, FutexWaitv } from "../ops/futex_waitv.ts";
import { NetMethods } from "./net_methods.ts";

/**
 * {@link IoRing}'s pipe and waiting methods, one per opcode: pipe, splice, tee, read multishot, poll,
 * epoll_ctl and epoll_wait, waitid, and the futex waits and wakes, none of which blocks the thread.
 * Use it through {@link IoRing}.
 *
 * @example
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * await using ring = new IoRing();
 * const [readEnd, writeEnd] = await ring.pipe();
 * await ring.write(writeEnd, new TextEncoder().encode("hi"));
 * const buffer = new Uint8Array(8);
 * console.log(await ring.read(readEnd, buffer)); // 2
 * await Promise.all([ring.closeFd(readEnd), ring.closeFd(writeEnd)]);
 * ```
 */
export class PipeAndWaitMethods extends NetMethods {
  /**
   * Creates a pipe (PIPE op, 6.16); resolves with [read end, write end].
   *
   * @example
   * ```ts ignore
   * const [readEnd, writeEnd] = await ring.pipe();
   * ```
   */
  pipe(options?: PipeOptions & RunOptions): Promise<[number, number]> {
    return this.runBuilt(() => new Pipe(options), options, (_, op) => op.result());
  }

  /**
   * Moves up to `length` bytes between two fds, one a pipe, without a copy through user memory (splice(2)).
   *
   * @example
   * ```ts ignore
   * const moved = await ring.splice(file, pipeWrite, 65536, { offIn: 0 });
   * ```
   */
  splice(fdIn: number, fdOut: number, length: number, options?: SpliceOptions & RunOptions): Promise<number> {
    return this.runBuilt(() => new Splice(fdIn, fdOut, length, options), options);
  }

  /**
   * Duplicates up to `length` bytes from one pipe into another without consuming them (tee(2)).
   *
   * @example
   * ```ts ignore
   * const copied = await ring.tee(pipeA, pipeB, 65536);
   * ```
   */
  tee(
    fdIn: number | FixedFile,
    fdOut: number | FixedFile,
    length: number,
    options?: TeeOptions & RunOptions,
  ): Promise<number> {
    return this.runBuilt(() => new Tee(fdIn, fdOut, length, options), options);
  }

  /**
   * Reads from `fd` into buffers the kernel picks from `bufferGroup`, a completion per read, as an async
   * iterator (READ_MULTISHOT, 6.7); the buffer id is in each completion's flags.
   *
   * @example
   * ```ts ignore
   * for await (const { res, flags } of ring.readMultishot(pipeFd, group)) console.log(res, flags);
   * ```
   */
  readMultishot(
    fd: number | FixedFile,
    bufferGroup: number,
    options?: ReadMultishotOptions & MultishotOptions,
  ): AsyncIterableIterator<MultishotCqe> {
    return this.multishot(new ReadMultishot(fd, bufferGroup, options), options);
  }

  /**
   * Waits once for `events` (POLLIN, POLLOUT, ...) on an fd (POLL_ADD); resolves with the events that fired.
   * For a stream of readiness use `ring.multishot(new PollAdd(fd, events, { multishot: true }))`.
   *
   * @example
   * ```ts ignore
   * import { POLLIN } from "@ioring/ioring/constants";
   * const ready = await ring.pollAdd(socket, POLLIN);
   * ```
   */
  pollAdd(fd: number | FixedFile, events: number, options?: RunOptions): Promise<number> {
    return this.runBuilt(() => new PollAdd(fd, events), options);
  }

  /**
   * Removes (or updates the events or user data of) a low-level poll by its user data (POLL_REMOVE, 5.1).
   *
   * @example
   * ```ts ignore
   * await ring.pollRemove(9);
   * ```
   */
  async pollRemove(userData: number, options?: PollUpdateOptions & RunOptions): Promise<void> {
    await this.runBuilt(() => new PollRemove(userData, options), options);
  }

  /**
   * Adds, changes or removes an fd in an epoll set (epoll_ctl(2)).
   *
   * @example
   * ```ts ignore
   * import { EPOLL_CTL_ADD, EPOLLIN } from "@ioring/ioring/constants";
   * await ring.epollCtl(epfd, EPOLL_CTL_ADD, socket, EPOLLIN);
   * ```
   */
  async epollCtl(
    epfd: number,
    op: number,
    fd: number,
    events?: number,
    options?: EpollCtlOptions & RunOptions,
  ): Promise<void> {
    await this.runBuilt(() => new EpollCtl(epfd, op, fd, events, options), options);
  }

  /**
   * Waits for events of an epoll set (epoll_wait(2), EPOLL_WAIT op 6.15); resolves with them.
   *
   * @example
   * ```ts ignore
   * for (const { events, data } of await ring.epollWait(epfd, 16)) console.log(events, data);
   * ```
   */
  epollWait(
    epfd: number | FixedFile,
    maxEvents: number,
    options?: EpollWaitOptions & RunOptions,
  ): Promise<EpollEvent[]> {
    return this.runBuilt(() => new EpollWait(epfd, maxEvents, options), options, (res, op) => op.result(res));
  }

  /**
   * Waits for a child process to change state (waitid(2), WAITID op 6.7); resolves with what happened.
   *
   * @example
   * ```ts ignore
   * import { P_PID, WSTOPPED } from "@ioring/ioring/constants";
   * const info = await ring.waitid(P_PID, child.pid, { options: WSTOPPED });
   * ```
   */
  waitid(idtype: number, id: number, options?: WaitidOptions & RunOptions): Promise<WaitidResult> {
    return this.runBuilt(() => new Waitid(idtype, id, options), options, (_, op) => op.result());
  }

  /**
   * Sleeps until `futex[index]` is woken, if it still holds `value` (FUTEX_WAIT op, 6.7): Atomics.wait,
   * without blocking the thread.
   *
   * @example
   * ```ts ignore
   * const word = new Int32Array(new SharedArrayBuffer(4));
   * const woken = ring.futexWait(word, 0, 0);
   * await ring.futexWake(word, 0, 1);
   * ```
   */
  async futexWait(
    futex: FutexArray,
    index: number,
    value: number,
    options?: FutexOptions & RunOptions,
  ): Promise<void> {
    await this.runBuilt(() => new FutexWait(futex, index, value, options), options);
  }

  /**
   * Wakes up to `count` waiters on `futex[index]` (FUTEX_WAKE op, 6.7); resolves with how many woke.
   *
   * @example
   * ```ts ignore
   * const woke = await ring.futexWake(word, 0, 1);
   * ```
   */
  futexWake(
    futex: FutexArray,
    index: number,
    count?: number,
    options?: FutexOptions & RunOptions,
  ): Promise<number> {
    return this.runBuilt(() => new FutexWake(futex, index, count, options), options);
  }

  /**
   * Sleeps until any of several futexes is woken (FUTEX_WAITV op, 6.7); resolves with the index of the one woken.
   *
   * @example
   * ```ts ignore
   * const which = await ring.futexWaitv([{ futex: a, index: 0, value: 0 }, { futex: b, index: 0, value: 0 }]);
   * ```
   */
  futexWaitv(waiters: readonly FutexWaiter[], options?: RunOptions): Promise<number> {
    return this.runBuilt(() => new FutexWaitv(waiters), options);
  }
}
