/**
 * The driver of one ring: it owns the mapping, the SQ and CQ, the promise slots and the low-level
 * completions, submits what was queued in a tick with one io_uring_enter, delivers each completion to the
 * slot or low-level reader it belongs to, and tears the ring down once nothing is in flight. It knows no
 * operation: ops write their own SQEs and decode their own results.
 *
 * @module
 */
import type { Native } from "../ffi/native.ts";
import {
  IORING_ASYNC_CANCEL_ALL,
  IORING_ASYNC_CANCEL_ANY,
  IORING_ENTER_GETEVENTS,
  IORING_ENTER_SQ_WAIT,
  IORING_REGISTER_EVENTFD,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_IOPOLL,
  IORING_SETUP_SQPOLL,
  IORING_SQ_TASKRUN,
  IOSQE_CQE_SKIP_SUCCESS,
  IOSQE_IO_LINK,
} from "../kernel/constants.ts";
import { EBUSY, ECANCELED, EOPNOTSUPP } from "../kernel/errno.ts";
import { encodeTimespec, timeSpecMs } from "../memory/timespec.ts";
import type { Op } from "../sqe/op.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { describe } from "../util/checks.ts";
import { IoRingError } from "../util/error.ts";
import { TWO_32 } from "../util/u64.ts";
import {
  checkOp,
  closedError,
  GENERATION_MASK,
  INTERNAL,
  INTERNAL_CANCEL_SLOT,
  opcodeName,
  RAW_RESULT,
} from "./_support.ts";
import { linkTimeoutOp, prepCancel } from "./cancel.ts";
import { Completion } from "./completion.ts";
import { LowCompletions } from "./low_completions.ts";
import { readProbe, RingMapping } from "./mapping.ts";
import type { Notifier } from "./notifier.ts";
import type { IoRingOptions } from "./params.ts";
import { type SlotExtra, SlotTable, type StreamSink } from "./slots.ts";
import { Submission } from "./submission.ts";
import type { RunOptions } from "./types.ts";

const noop = (): void => {};

/** One ring's machinery, under {@link IoRingCore}. */
export class RingDriver {
  readonly native: Native;
  readonly notifier: Notifier;
  readonly mapping: RingMapping;
  readonly sq: Submission;
  readonly cq: Completion;
  readonly slots: SlotTable = new SlotTable();
  readonly low: LowCompletions = new LowCompletions();
  /** IO_URING_OP_SUPPORTED per opcode, when the kernel can tell. */
  readonly probe: Uint8Array | null;
  readonly sqpoll: boolean;
  readonly iopoll: boolean;
  readonly defer: boolean;
  /** The caller's eventfd, registered in place of the waiter's; -1 for none. */
  userEventfd = -1;
  /** Set by close(); resolves once the ring is torn down. */
  closing: Promise<void> | null = null;
  closed = false;
  #finishClose: (() => void) | null = null;
  #scheduled = false;
  #iopollTimer: ReturnType<typeof setTimeout> | undefined;

  /** Sets the ring up; see {@link RingMapping} for what may throw. */
  constructor(native: Native, notifier: Notifier, options: IoRingOptions) {
    this.native = native;
    this.notifier = notifier;
    this.mapping = new RingMapping(native, options);
    const flags = this.mapping.flags;
    this.sqpoll = (flags & IORING_SETUP_SQPOLL) !== 0;
    this.iopoll = (flags & IORING_SETUP_IOPOLL) !== 0;
    this.defer = (flags & IORING_SETUP_DEFER_TASKRUN) !== 0;
    // DEFER_TASKRUN completion work runs only when this thread asks for events.
    this.sq = new Submission(this.mapping, this.enter, this.sqpoll, this.defer ? IORING_ENTER_GETEVENTS : 0);
    this.cq = new Completion(this.mapping, this.enter);
    try {
      if (!this.iopoll) this.registerWaiterEventfd();
      this.probe = readProbe(native, this.mapping.fd);
    } catch (error) {
      this.mapping.close();
      throw error;
    }
    notifier.add(this);
  }

  /** Gives the ring's one eventfd slot to the completion waiter (IORING_REGISTER_EVENTFD). */
  registerWaiterEventfd(): void {
    const arg = new Int32Array([this.notifier.fd]);
    const ret = this.native.register(this.mapping.fd, IORING_REGISTER_EVENTFD, arg, 1);
    if (ret < 0) {
      throw new IoRingError(-ret, "io_uring_register", {
        fd: this.mapping.fd,
        detail: "IORING_REGISTER_EVENTFD",
      });
    }
  }

  /** io_uring_enter on this ring, through its registered index where it has one. */
  enter = (toSubmit: number, flags: number): number => {
    const m = this.mapping;
    return this.native.enter(m.enterFd, toSubmit, 0, flags | m.enterRegistered);
  };

  /** Operations submitted or queued whose last completion has not arrived. */
  get inflight(): number {
    return this.slots.inflight + this.low.inflight;
  }

  /** For the completion waiter: completions are expected (ops in flight, or an iterator waiting). */
  get awaitingCompletions(): boolean {
    if (this.userEventfd >= 0) return false; // the caller waits on its own eventfd and calls reap()
    return this.slots.inflight + this.low.inflight > 0 || this.low.waiters.length > 0;
  }

  // ---- submission ----------------------------------------------------------

  /** Selects the next free SQE, making room by submitting if the SQ is full. */
  nextSqe(): SqeWriter {
    if (!this.sq.hasRoom(1)) this.#makeRoom();
    return this.sq.atTail();
  }

  /** Makes room for `count` SQEs in one batch (a link chain must not be split across submissions). */
  ensureRoom(count: number): void {
    if (count > this.sq.entries) {
      throw new RangeError(`Cannot queue ${count} linked SQEs: the SQ has ${this.sq.entries} entries`);
    }
    for (let attempt = 0; !this.sq.hasRoom(count); attempt++) {
      if (attempt > 64) {
        throw new IoRingError(EBUSY, "io_uring_enter", {
          fd: this.mapping.fd,
          detail: "the submission queue stayed full",
        });
      }
      this.#makeRoom();
    }
  }

  #makeRoom(): void {
    for (let attempt = 0; attempt < 64; attempt++) {
      this.submit();
      if (this.sq.hasRoom(1)) return;
      if (this.sqpoll) {
        this.enter(0, IORING_ENTER_SQ_WAIT);
      } else {
        // The kernel pushed back (EAGAIN/EBUSY): completions must be reaped first.
        this.enter(0, IORING_ENTER_GETEVENTS);
        this.reap();
      }
    }
    throw new IoRingError(EBUSY, "io_uring_enter", {
      fd: this.mapping.fd,
      detail: "the submission queue stayed full",
    });
  }

  /** Submits and reaps on a microtask: what was queued in this tick goes out in one batch. */
  schedule(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  #flush = (): void => {
    this.#scheduled = false;
    if (this.closed) return;
    this.submit();
    this.reap();
    this.afterReap();
  };

  /** After a reap: tears down a closing ring that is done, else keeps the waiter (or the IOPOLL timer) going. */
  afterReap(): void {
    if (this.closing !== null && this.inflight === 0) this.teardown();
    if (this.closed) return;
    if (this.iopoll) {
      if (this.inflight > 0 && this.#iopollTimer === undefined) {
        this.#iopollTimer = setTimeout(this.#pollIopoll, 0);
      }
      return;
    }
    this.notifier.update();
  }

  #pollIopoll = (): void => {
    this.#iopollTimer = undefined;
    if (this.closed) return;
    this.enter(0, IORING_ENTER_GETEVENTS);
    this.reap();
    this.afterReap();
  };

  /** Hands every queued SQE to the kernel; returns how many it took. */
  submit(): number {
    if (this.sq.queued === 0 && !this.sq.backlog) return 0;
    this.low.skip?.endChain(); // the kernel ends a chain at the end of a submission
    return this.sq.submit(this.#failQueued);
  }

  /** The kernel refused the batch outright: every queued SQE completes with that errno. */
  #failQueued = (errno: number): void => {
    this.sq.rewind((lo, hi, sqeFlags) => this.#dispatch(lo, hi, -errno, 0, 0, sqeFlags));
  };

  // ---- completion ----------------------------------------------------------

  /** For the completion waiter: runs deferred completion work if needed, reaps, resubmits a backlog. */
  service(): void {
    if (this.closed) return;
    this.cq.checkOverflow = true;
    if (this.defer || this.sq.backlog || (this.sq.flags & IORING_SQ_TASKRUN) !== 0) {
      this.enter(0, IORING_ENTER_GETEVENTS);
    }
    this.reap();
    if (this.sq.backlog) this.submit();
    if (this.closing !== null && this.inflight === 0) this.teardown();
  }

  /** Delivers what the CQ holds. */
  reap(): number {
    if (this.closed) return 0;
    return this.cq.reap(this.low, this.#dispatch);
  }

  /**
   * Delivers one completion to its slot or to the low-level reader. `withdrawnFlags` is -1 for a CQE; for
   * an SQE the kernel never took (its batch was refused), it is that SQE's `IOSQE_*` flags.
   */
  #dispatch = (
    lo: number,
    hi: number,
    res: number,
    flags: number,
    bigWord: number,
    withdrawnFlags = -1,
  ): void => {
    if ((hi & INTERNAL) !== 0) {
      if (lo === INTERNAL_CANCEL_SLOT) return;
      const slots = this.slots;
      if (slots.generation[lo] !== (hi & GENERATION_MASK) || slots.ops[lo] === undefined) return;
      slots.complete(lo, res, flags);
      return;
    }
    const big = bigWord !== 0 ? this.cq.big(bigWord) : undefined;
    this.low.deliver(lo + hi * TWO_32, res, flags, big, withdrawnFlags);
  };

  // ---- promise operations ----------------------------------------------------

  /**
   * Queues `op` as a promise operation and returns its promise: `okErrno` is an errno that counts as a
   * result (a timeout's ETIME), `sqeFlags` are added to the SQE (a chain's link flag), and `stream`
   * receives every completion of a stream.
   */
  start(op: Op, okErrno: number, options?: RunOptions, sqeFlags = 0, stream?: StreamSink): Promise<number> {
    if (this.closing !== null) return Promise.reject(closedError(op));
    const signal = options?.signal;
    const timeout = options?.timeout;
    try {
      checkOp(op, "run");
      if (options !== undefined && (options === null || typeof options !== "object")) {
        throw new TypeError(
          `Cannot ${op.name}: options must be an object: current value is ${describe(options)}`,
        );
      }
      if (signal !== undefined) {
        if (typeof signal?.addEventListener !== "function") {
          throw new TypeError(`Cannot ${op.name}: signal must be an AbortSignal`);
        }
        if (signal.aborted) return Promise.reject(signal.reason);
      }
      this.checkSupported(op);
      const timespec = timeout === undefined ? undefined : encodeTimespec(timeout, op.name);
      this.ensureRoom(timespec === undefined ? 1 : 2);
      const slot = this.queue(op, okErrno, sqeFlags);
      const slots = this.slots;
      const promise = new Promise<number>((resolve, reject) => {
        slots.resolve[slot] = resolve;
        slots.reject[slot] = reject;
      });
      if (signal !== undefined || timespec !== undefined || stream !== undefined) {
        const extra: SlotExtra = { stream };
        this.slots.extra[slot] = extra;
        if (signal !== undefined) {
          extra.signal = signal;
          extra.onAbort = () => this.#abort(slot);
          signal.addEventListener("abort", extra.onAbort, { once: true });
        }
        if (timespec !== undefined) this.#linkTimeout(slot, extra, timespec, timeSpecMs(timeout!));
      }
      this.schedule();
      return promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Links an internal LINK_TIMEOUT to the op just queued in `slot`. */
  #linkTimeout(slot: number, extra: SlotExtra, timespec: BigInt64Array, ms: number): void {
    this.sq.last().flags(IOSQE_IO_LINK);
    extra.timeoutMs = ms;
    const slots = this.slots;
    const timer = slots.claim(linkTimeoutOp(timespec), 0);
    slots.resolve[timer] = slots.reject[timer] = noop;
    slots.extra[timer] = { timeoutFor: slot };
    extra.timeoutSlot = timer;
    const sqe = this.sq.atTail();
    slots.ops[timer]!.prep(sqe);
    sqe.userData(timer, (INTERNAL | slots.generation[timer]) >>> 0);
    this.sq.advance();
  }

  /**
   * Writes `op` into the next SQE (room and the probe check are the caller's) under a new slot, and returns
   * the slot; its resolve and reject are the caller's to fill in. A refused op gives its slot back and
   * queues nothing.
   */
  queue(op: Op, okErrno: number, sqeFlags: number): number {
    this.low.skip?.endChain();
    const slot = this.slots.claim(op, okErrno);
    const sqe = this.sq.atTail();
    try {
      op.prep(sqe);
      if ((sqe.sqeFlags() & IOSQE_CQE_SKIP_SUCCESS) !== 0) {
        throw new TypeError(
          `Cannot ${op.name}: IOSQE_CQE_SKIP_SUCCESS leaves ${
            okErrno === RAW_RESULT ? "no result to call back with" : "a promise nothing to settle on"
          }; use ring.prepare()`,
        );
      }
    } catch (error) {
      // The SQE was never queued: the slot goes back, or close() would wait for it forever.
      this.slots.release(slot);
      throw error;
    }
    if (sqeFlags !== 0) sqe.flags(sqeFlags);
    sqe.userData(slot, (INTERNAL | this.slots.generation[slot]) >>> 0);
    this.sq.advance();
    return slot;
  }

  /** Asks the kernel to cancel the operation in `slot`; it settles from its own completion. */
  #abort(slot: number): void {
    const extra = this.slots.extra[slot];
    if (extra === undefined || this.closed) return;
    extra.aborted = true;
    this.ensureRoom(1);
    prepCancel(this.sq.atTail(), 0, 0, slot, (INTERNAL | this.slots.generation[slot]) >>> 0)
      .userData(INTERNAL_CANCEL_SLOT, INTERNAL >>> 0);
    this.sq.advance();
    this.schedule();
  }

  /** Throws if this kernel's io_uring lacks the op's opcode. */
  checkSupported(op: Op): void {
    const probe = this.probe;
    if (probe === null || (probe[op.opcode] ?? 0) !== 0) return;
    throw new IoRingError(EOPNOTSUPP, op.name, {
      detail: `${opcodeName(op.opcode)} needs Linux ${op.since} or later; this kernel's io_uring lacks it`,
    });
  }

  // ---- lifecycle ---------------------------------------------------------------

  /**
   * Starts closing: queued SQEs fail with ECANCELED, iterators end, what is in flight is cancelled; the
   * ring is torn down once the last completion arrived.
   */
  close(): Promise<void> {
    this.closing = new Promise<void>((resolve) => (this.#finishClose = resolve));
    if (this.sq.queued > 0 && !this.sqpoll) this.#failQueued(ECANCELED);
    this.low.endWaiters();
    if (this.inflight === 0) {
      this.teardown();
    } else {
      prepCancel(this.nextSqe(), -1, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL)
        .userData(INTERNAL_CANCEL_SLOT, INTERNAL >>> 0);
      this.sq.advance();
      this.submit();
      this.reap();
      this.afterReap();
    }
    return this.closing;
  }

  /** Unmaps the ring and closes its fd: nothing is in flight any more. */
  teardown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.#iopollTimer !== undefined) clearTimeout(this.#iopollTimer);
    this.low.releaseAll();
    this.mapping.close();
    this.notifier.delete(this);
    this.low.endWaiters();
    this.#finishClose?.();
  }
}
