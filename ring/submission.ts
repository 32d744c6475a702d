/**
 * The submission side of a ring: SQEs written at the tail, published to the kernel with one
 * io_uring_enter per batch (or a wake-up of the SQPOLL thread), and a backlog kept when the kernel pushes
 * back. Matches liburing's `io_uring_get_sqe()` and `__io_uring_flush_sq()` / `io_uring_submit()`.
 *
 * @module
 */
import { EAGAIN, EBUSY, EINTR } from "../kernel/errno.ts";
import { IORING_ENTER_SQ_WAKEUP, IORING_SQ_NEED_WAKEUP } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import type { RingMapping } from "./mapping.ts";

const TAIL = 0; // SQEs written; published to the kernel on submit
const KNOWN_HEAD = 1; // the SQ head as last read from (or implied by) the kernel

/** The io_uring_enter of a ring: `(toSubmit, flags) => result or -errno`. */
export type Enter = (toSubmit: number, flags: number) => number;

/** The SQ of one ring. */
export class Submission {
  /** The SQ's size. */
  readonly entries: number;
  /** The writer over the SQE array. */
  readonly sqes: SqeWriter;
  /** The kernel pushed back (EAGAIN/EBUSY) with SQEs left: submit them again after reaping. */
  backlog = false;
  readonly #sq: Uint32Array;
  readonly #head: number;
  readonly #tail: number;
  readonly #flags: number;
  readonly #dropped: number;
  readonly #mask: number;
  readonly #sqpoll: boolean;
  readonly #enterFlags: number;
  readonly #enter: Enter;
  // The indexes, in a Uint32Array: stores wrap at 2^32 as the kernel's do, and (unlike fields holding
  // `x >>> 0`) they never turn into heap numbers, which cost V8 ~10 ns per SQE.
  readonly #index = new Uint32Array(2);

  /** The SQ of `mapping`; `enterFlags` go with every submitting io_uring_enter (GETEVENTS for DEFER_TASKRUN). */
  constructor(mapping: RingMapping, enter: Enter, sqpoll: boolean, enterFlags: number) {
    this.entries = mapping.sqEntries;
    this.sqes = mapping.sqes;
    this.#sq = mapping.sq;
    this.#head = mapping.sqf.head;
    this.#tail = mapping.sqf.tail;
    this.#flags = mapping.sqf.flags;
    this.#dropped = mapping.sqf.dropped;
    this.#mask = mapping.sqf.mask;
    this.#sqpoll = sqpoll;
    this.#enterFlags = enterFlags;
    this.#enter = enter;
    this.#index[TAIL] = this.#index[KNOWN_HEAD] = this.#sq[this.#tail];
  }

  /** SQEs written but not yet handed to the kernel. */
  get queued(): number {
    return (this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0;
  }

  /** The SQ ring's `IORING_SQ_*` flags. */
  get flags(): number {
    return Atomics.load(this.#sq, this.#flags);
  }

  /** The SQ ring's dropped counter. */
  get dropped(): number {
    return Atomics.load(this.#sq, this.#dropped);
  }

  /** True when `count` more SQEs fit, reading the kernel's head again if the last one known says no. */
  hasRoom(count: number): boolean {
    if (((this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0) + count <= this.entries) return true;
    this.#index[KNOWN_HEAD] = Atomics.load(this.#sq, this.#head);
    return ((this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0) + count <= this.entries;
  }

  /** Selects the SQE at the tail (room is the caller's to ensure). */
  atTail(): SqeWriter {
    return this.sqes.select(this.#index[TAIL] & this.#mask);
  }

  /** Selects the SQE written last (to set a link flag on it). */
  last(): SqeWriter {
    return this.sqes.select((this.#index[TAIL] - 1) & this.#mask);
  }

  /** The SQE at the tail is written: queue it. */
  advance(): void {
    this.#index[TAIL]++;
  }

  /** The tail, to tell whether an SQE was queued since. */
  get tail(): number {
    return this.#index[TAIL];
  }

  /**
   * Hands every queued SQE to the kernel; returns how many it took. `onRefused(errno)` is called when the
   * kernel refuses the batch outright (the caller then fails what is queued with {@link rewind}).
   */
  submit(onRefused: (errno: number) => void): number {
    const toSubmit = (this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0;
    if (toSubmit === 0 && !this.backlog) return 0;
    Atomics.store(this.#sq, this.#tail, this.#index[TAIL]);
    if (this.#sqpoll) {
      if ((Atomics.load(this.#sq, this.#flags) & IORING_SQ_NEED_WAKEUP) !== 0) {
        this.#enter(0, IORING_ENTER_SQ_WAKEUP);
      }
      this.#index[KNOWN_HEAD] = Atomics.load(this.#sq, this.#head);
      return toSubmit;
    }
    let submitted = 0;
    let left = toSubmit;
    this.backlog = false;
    while (left > 0) {
      const ret = this.#enter(left, this.#enterFlags);
      if (ret > 0) {
        submitted += ret;
        left -= ret;
        continue;
      }
      if (ret === -EINTR) continue;
      if (ret === -EAGAIN || ret === -EBUSY || ret === 0) {
        this.backlog = left > 0;
        break;
      }
      onRefused(-ret);
      return submitted;
    }
    // The kernel consumed exactly what it reports (the SQ array is the identity), so no head load is needed.
    this.#index[KNOWN_HEAD] += submitted;
    return submitted;
  }

  /**
   * Takes back every SQE the kernel has not consumed, rewinding the tail, and calls `each` with each one's
   * user data halves and `IOSQE_*` flags, oldest first.
   */
  rewind(each: (lo: number, hi: number, sqeFlags: number) => void): void {
    const head = Atomics.load(this.#sq, this.#head);
    const tail = this.#index[TAIL];
    this.#index[TAIL] = this.#index[KNOWN_HEAD] = head;
    Atomics.store(this.#sq, this.#tail, head);
    for (let i = head; i !== tail; i = (i + 1) >>> 0) {
      const sqe = this.sqes.select(i & this.#mask);
      each(sqe.userDataLo(), sqe.userDataHi(), sqe.sqeFlags());
    }
  }
}
