/**
 * The completion side of a ring: CQEs consumed in batches, the head advanced once per batch, completions
 * that overflowed into the kernel flushed back in. Matches liburing's `io_uring_for_each_cqe()` +
 * `io_uring_cq_advance()`, and its overflow flush.
 *
 * @module
 */
import {
  IORING_CQ_EVENTFD_DISABLED,
  IORING_CQE_F_MORE,
  IORING_ENTER_GETEVENTS,
  IORING_SQ_CQ_OVERFLOW,
} from "../kernel/constants.ts";
import { TWO_32 } from "../util/u64.ts";
import { INTERNAL } from "./_support.ts";
import type { LowCompletions } from "./low_completions.ts";
import type { RingMapping } from "./mapping.ts";
import type { Enter } from "./submission.ts";

/** Receives a CQE that is not the common low-level case: its user data halves, res, flags, and where a 32-byte CQE's extra words start (0 for none). */
export type Dispatch = (lo: number, hi: number, res: number, flags: number, bigWord: number) => void;

/** The CQ of one ring. */
export class Completion {
  /** The CQ's size. */
  readonly entries: number;
  /** Set by the completion waiter: look at the overflow flag on the next reap even if no batch was full. */
  checkOverflow = false;
  readonly #cq: Uint32Array;
  readonly #res: Int32Array;
  readonly #sq: Uint32Array;
  readonly #sqFlags: number;
  readonly #headField: number;
  readonly #tailField: number;
  readonly #flagsField: number;
  readonly #overflowField: number;
  readonly #mask: number;
  readonly #cqes: number;
  readonly #words: number;
  readonly #enter: Enter;
  readonly #head = new Uint32Array(1); // CQEs consumed
  #reaping = false;

  /** The CQ of `mapping`; `enter` flushes overflowed completions in. */
  constructor(mapping: RingMapping, enter: Enter) {
    this.entries = mapping.cqEntries;
    this.#cq = mapping.cq;
    this.#res = mapping.cqI32;
    this.#sq = mapping.sq;
    this.#sqFlags = mapping.sqf.flags;
    this.#headField = mapping.cqf.head;
    this.#tailField = mapping.cqf.tail;
    this.#flagsField = mapping.cqf.flags;
    this.#overflowField = mapping.cqf.overflow;
    this.#mask = mapping.cqf.mask;
    this.#cqes = mapping.cqf.cqes;
    this.#words = mapping.cqf.cqeWords;
    this.#enter = enter;
    this.#head[0] = this.#cq[this.#headField];
  }

  /** True while a reap runs (a callback that reaps again gets nothing). */
  get reaping(): boolean {
    return this.#reaping;
  }

  /** The CQ ring's overflow counter. */
  get overflow(): number {
    return Atomics.load(this.#cq, this.#overflowField);
  }

  /** Whether the CQ ring's flags let a registered eventfd be signalled. */
  get eventfdEnabled(): boolean {
    return (Atomics.load(this.#cq, this.#flagsField) & IORING_CQ_EVENTFD_DISABLED) === 0;
  }

  set eventfdEnabled(enabled: boolean) {
    const flags = Atomics.load(this.#cq, this.#flagsField);
    const next = enabled ? flags & ~IORING_CQ_EVENTFD_DISABLED : flags | IORING_CQ_EVENTFD_DISABLED;
    Atomics.store(this.#cq, this.#flagsField, next >>> 0);
  }

  /** The 16 extra bytes of a 32-byte CQE, copied out. */
  big(word: number): BigUint64Array {
    return new BigUint64Array(this.#cq.buffer.slice(word * 4, word * 4 + 16));
  }

  /**
   * Consumes every CQE in the CQ, advancing the head once per batch. A CQE is consumed before it is
   * dispatched, so a callback that throws loses nothing and sees nothing twice. The common low-level case
   * (16-byte CQE, no memory held, no skip accounting, not multishot, a `forEachCompletion` sink) is handled
   * inline; everything else goes to `dispatch`.
   */
  reap(low: LowCompletions, dispatch: Dispatch): number {
    if (this.#reaping) return 0;
    this.#reaping = true;
    let head = this.#head[0];
    let count = 0;
    // Completions overflow only into a full CQ, and only this thread consumes: so the overflow flag
    // needs a look only after a batch that found the CQ full (or when the waiter woke us).
    let sawFull = this.checkOverflow;
    this.checkOverflow = false;
    try {
      for (;;) {
        const tail = Atomics.load(this.#cq, this.#tailField);
        if (head === tail) {
          if (!sawFull || (Atomics.load(this.#sq, this.#sqFlags) & IORING_SQ_CQ_OVERFLOW) === 0) break;
          sawFull = false;
          // Completions the CQ had no room for wait in the kernel: flush them in, lose none.
          this.#store(head);
          this.#enter(0, IORING_ENTER_GETEVENTS);
          if (Atomics.load(this.#cq, this.#tailField) === head) break;
          continue;
        }
        if (((tail - head) >>> 0) >= this.entries) sawFull = true;
        count += (tail - head) >>> 0;
        head = this.#batch(head, tail, low, dispatch);
        this.#store(head);
      }
    } finally {
      this.#reaping = false;
    }
    return count;
  }

  /** Dispatches the CQEs from `head` to `tail`; returns the new head (advanced past each before dispatch). */
  #batch(head: number, tail: number, low: LowCompletions, dispatch: Dispatch): number {
    const cq = this.#cq;
    const res = this.#res;
    const words = this.#words;
    const base = this.#cqes;
    const mask = this.#mask;
    const sink = low.sink;
    const inline = sink !== null && words === 4;
    try {
      while (head !== tail) {
        const w = base + (head & mask) * words;
        head = (head + 1) >>> 0;
        const hi = cq[w + 1];
        const flags = cq[w + 3];
        if (
          inline && hi < INTERNAL && low.refs.size === 0 && (flags & IORING_CQE_F_MORE) === 0 &&
          low.skip === null
        ) {
          if (low.inflight > 0) low.inflight--;
          low.delivered++;
          sink!(cq[w] + hi * TWO_32, res[w + 2], flags);
          continue;
        }
        dispatch(cq[w], hi, res[w + 2], flags, words === 8 ? w + 4 : 0);
      }
    } finally {
      this.#store(head);
    }
    return head;
  }

  #store(head: number): void {
    if (this.#head[0] === head) return;
    this.#head[0] = head;
    Atomics.store(this.#cq, this.#headField, head);
  }
}
