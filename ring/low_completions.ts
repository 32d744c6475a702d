/**
 * The low-level side of a ring: ops prepared with the caller's user data, counted while in flight, their
 * memory held until their last completion, and their completions queued (as columns, without an object
 * each) until `completions()` or `forEachCompletion()` takes them.
 *
 * @module
 */
import { IORING_CQE_F_MORE, IORING_OP_LINK_TIMEOUT, IOSQE_CQE_SKIP_SUCCESS } from "../kernel/constants.ts";
import type { Op } from "../sqe/op.ts";
import { SkipAccounting } from "./skip_accounting.ts";
import type { CompletionCallback, Cqe } from "./types.ts";

/**
 * The ops in flight under one low-level userData. A completion cannot say which of them it is for, so
 * all are held until as many completions as ops have arrived: releasing the first one prepared when
 * another completed first would let the kernel write into memory the collector may reclaim.
 */
class SharedUserData {
  readonly ops: Op[];
  #pending = 2;

  constructor(first: Op, second: Op) {
    this.ops = [first, second];
  }

  add(op: Op): void {
    // A reused builder is held once, so one userData prepared again and again keeps a bounded list.
    if (!this.ops.includes(op)) this.ops.push(op);
    this.#pending++;
  }

  /** Counts one completion; true once every op has had its last. */
  complete(): boolean {
    return --this.#pending === 0;
  }
}

/** Memory of skip-flagged low-level ops whose ring closed before they were known to be done. */
const HELD_AFTER_CLOSE = new Set<unknown>();

/** Low-level ops in flight and their completions waiting to be read. */
export class LowCompletions {
  /** Low-level ops whose last completion the ring still expects. */
  inflight = 0;
  /** Made when the first IOSQE_CQE_SKIP_SUCCESS op is prepared. */
  skip: SkipAccounting | null = null;
  /** The ops holding memory, by user data. */
  readonly refs = new Map<number, Op | SharedUserData>();
  /** Where `forEachCompletion()` takes completions straight from the CQ, while it reaps. */
  sink: CompletionCallback | null = null;
  /** Completions given to `sink` during one reap. */
  delivered = 0;
  /** `completions()` iterators waiting for the next completion (null: the ring closed). */
  readonly waiters: ((cqe: Cqe | null) => void)[] = [];
  #userData = new Float64Array(64);
  #res = new Int32Array(64);
  #flags = new Uint32Array(64);
  #big: (BigUint64Array | undefined)[] = [];
  #start = 0;
  #count = 0;

  /** Completions queued for the reader. */
  get count(): number {
    return this.#count;
  }

  /** Records an SQE written with `userData` and its `IOSQE_*` flags: counted, and its memory held. */
  queued(userData: number, op: Op, sqeFlags: number): void {
    const skip = (sqeFlags & IOSQE_CQE_SKIP_SUCCESS) !== 0;
    if (skip && this.skip === null) this.skip = new SkipAccounting(this.inflight);
    if (this.skip !== null) this.skip.prepared(userData, sqeFlags, op.opcode === IORING_OP_LINK_TIMEOUT);
    if (!skip) this.inflight++;
    if (op.holdsMemory !== false) this.#hold(userData, op);
  }

  /**
   * Delivers a completion: counted off when it is the op's last, then to the sink, a waiting iterator, or
   * the queue. `withdrawnFlags` is -1 for a CQE, or the `IOSQE_*` flags of an SQE the kernel never took.
   */
  deliver(
    userData: number,
    res: number,
    flags: number,
    big: BigUint64Array | undefined,
    withdrawnFlags: number,
  ): void {
    if ((flags & IORING_CQE_F_MORE) === 0) {
      this.#countOff(userData, res, withdrawnFlags);
      this.#release(userData);
    }
    if (this.sink !== null) {
      this.delivered++;
      this.sink(userData, res, flags);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter(big === undefined ? { userData, res, flags } : { userData, res, flags, big });
      return;
    }
    this.#push(userData, res, flags, big);
  }

  /** Takes the oldest queued completion (there must be one). */
  shift(): Cqe {
    const i = this.#start;
    const cqe: Cqe = { userData: this.#userData[i], res: this.#res[i], flags: this.#flags[i] };
    const big = this.#big[i];
    if (big !== undefined) {
      cqe.big = big;
      this.#big[i] = undefined;
    }
    this.#start = (i + 1) % this.#userData.length;
    this.#count--;
    return cqe;
  }

  /** Gives every queued completion to `callback`, without allocating; returns how many. */
  drain(callback: CompletionCallback): number {
    let delivered = 0;
    while (this.#count > 0) {
      const i = this.#start;
      this.#start = (i + 1) % this.#userData.length;
      this.#count--;
      callback(this.#userData[i], this.#res[i], this.#flags[i]);
      delivered++;
    }
    return delivered;
  }

  /** Ends every waiting iterator (the ring closes). */
  endWaiters(): void {
    for (const waiter of this.waiters.splice(0)) waiter(null);
  }

  /**
   * Lets go of the memory held for ops in flight, when the ring has closed. A skip-flagged op that
   * succeeded said nothing, and one still running may write for a while after: with skip-flagged ops in
   * use, that memory is kept for the life of the process.
   */
  releaseAll(): void {
    if (this.skip !== null) { for (const held of this.refs.values()) HELD_AFTER_CLOSE.add(held); }
    this.refs.clear();
  }

  /** Takes a low-level op's last completion off the in-flight count. */
  #countOff(userData: number, res: number, withdrawnFlags: number): void {
    let ended: number;
    if (this.skip !== null) {
      ended = withdrawnFlags < 0
        ? this.skip.completed(userData, res)
        : this.skip.withdrawn(userData, withdrawnFlags);
    } else {
      ended = withdrawnFlags >= 0 && (withdrawnFlags & IOSQE_CQE_SKIP_SUCCESS) !== 0 ? 0 : 1;
    }
    this.inflight = Math.max(0, this.inflight - ended);
  }

  #push(userData: number, res: number, flags: number, big: BigUint64Array | undefined): void {
    let capacity = this.#userData.length;
    if (this.#count === capacity) {
      const grow = <T extends Float64Array | Int32Array | Uint32Array>(old: T, next: T): T => {
        for (let i = 0; i < this.#count; i++) next[i] = old[(this.#start + i) % capacity];
        return next;
      };
      this.#userData = grow(this.#userData, new Float64Array(capacity * 2));
      this.#res = grow(this.#res, new Int32Array(capacity * 2));
      this.#flags = grow(this.#flags, new Uint32Array(capacity * 2));
      const bigs = this.#big;
      this.#big = Array.from({ length: this.#count }, (_, i) => bigs[(this.#start + i) % capacity]);
      this.#start = 0;
      capacity *= 2;
    }
    const i = (this.#start + this.#count) % capacity;
    this.#userData[i] = userData;
    this.#res[i] = res;
    this.#flags[i] = flags;
    if (big !== undefined || this.#big.length > 0) this.#big[i] = big;
    this.#count++;
  }

  #hold(userData: number, op: Op): void {
    const held = this.refs.get(userData);
    if (held === undefined) this.refs.set(userData, op);
    else if (held instanceof SharedUserData) held.add(op);
    else this.refs.set(userData, new SharedUserData(held, op));
  }

  #release(userData: number): void {
    const held = this.refs.get(userData);
    if (held === undefined) return;
    if (!(held instanceof SharedUserData) || held.complete()) this.refs.delete(userData);
  }
}
