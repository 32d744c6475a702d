/**
 * The promise side of a ring: a slot per operation in flight (its op, its resolve and reject, what it
 * accepts as a result, and the extras of streams, signals and timeouts), reused under a new generation so
 * that a late completion of an earlier use is never taken for the next. Each op settles from its own
 * completion here.
 *
 * @module
 */
import { IORING_CQE_F_MORE, IORING_CQE_F_NOTIF } from "../kernel/constants.ts";
import { EALREADY, ECANCELED, EINTR, ETIME, ETIMEDOUT } from "../kernel/errno.ts";
import type { Op } from "../sqe/op.ts";
import { IoRingError } from "../util/error.ts";
import { callBack, GENERATION_MASK, RAW_RESULT } from "./_support.ts";

/** A callback that receives every completion of a stream. */
export type StreamSink = (res: number, flags: number) => void;

/** What a slot needs beyond a promise: a stream's sink, an abort signal, a link timeout. */
export interface SlotExtra {
  stream?: StreamSink;
  signal?: AbortSignal;
  onAbort?: () => void;
  aborted?: boolean;
  /** This op's LINK_TIMEOUT slot. */
  timeoutSlot?: number;
  timeoutMs?: number;
  timeoutDone?: boolean;
  timedOut?: boolean;
  pendingRes?: number;
  /** This slot is the LINK_TIMEOUT of that one. */
  timeoutFor?: number;
  /** A zero-copy send's result, kept until its notification CQE. */
  firstRes?: number;
}

/** The promise operations in flight, by slot. */
export class SlotTable {
  /** Promise operations whose last completion has not arrived. */
  inflight = 0;
  readonly ops: (Op | undefined)[] = [];
  readonly resolve: (((res: number) => void) | undefined)[] = [];
  readonly reject: (((error: unknown) => void) | undefined)[] = [];
  readonly extra: (SlotExtra | undefined)[] = [];
  readonly okErrno: number[] = [];
  readonly generation: number[] = [];
  readonly #free: number[] = [];

  /** Takes a slot for `op`, under a new generation; its resolve and reject are the caller's to fill in. */
  claim(op: Op, okErrno: number): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.ops.length;
      this.generation.push(0);
      this.okErrno.push(0);
      this.ops.push(undefined);
      this.resolve.push(undefined);
      this.reject.push(undefined);
      this.extra.push(undefined);
    }
    this.generation[slot] = (this.generation[slot] + 1) & GENERATION_MASK;
    this.ops[slot] = op;
    this.okErrno[slot] = okErrno;
    this.inflight++;
    return slot;
  }

  /** Gives back a slot: its op settled, or its SQE was never queued. */
  release(slot: number): void {
    this.ops[slot] =
      this.resolve[slot] =
      this.reject[slot] =
      this.extra[slot] =
        undefined;
    this.#free.push(slot);
    this.inflight--;
  }

  /** A completion for `slot` whose generation matched: settles it, or feeds its stream or timeout. */
  complete(slot: number, res: number, flags: number): void {
    if (this.extra[slot] !== undefined) this.#completeSpecial(slot, res, flags);
    else if ((flags & IORING_CQE_F_MORE) === 0) this.settle(slot, res);
    else this.extra[slot] = { firstRes: res }; // a zero-copy send: its result now, its buffer released later
  }

  /** Settles the op in `slot` with its result, and gives the slot back. */
  settle(slot: number, res: number): void {
    const op = this.ops[slot]!;
    const resolve = this.resolve[slot]!;
    const reject = this.reject[slot]!;
    const okErrno = this.okErrno[slot];
    const extra = this.extra[slot];
    this.release(slot);
    if (extra !== undefined) {
      extra.signal?.removeEventListener("abort", extra.onAbort!);
      // The kernel has let go of the op's memory now. An op the cancel caught rejects with the signal's
      // reason; one that completed first reports its own result (the write happened, the fd is the caller's).
      if (extra.aborted && (res === -ECANCELED || res === -EINTR)) return reject(extra.signal!.reason);
      if (extra.timedOut && (res === -ECANCELED || res === -EINTR)) {
        return reject(
          new IoRingError(ETIMEDOUT, op.name, {
            ...op.target,
            detail: `timed out after ${extra.timeoutMs} ms`,
          }),
        );
      }
    }
    if (okErrno === RAW_RESULT) callBack(resolve, res, 0);
    else if (res >= 0 || -res === okErrno) resolve(res);
    else reject(new IoRingError(-res, op.name, op.target));
  }

  /** Completions of slots that do more than settle a promise: streams, link timeouts, abortable ops. */
  #completeSpecial(slot: number, res: number, flags: number): void {
    const extra = this.extra[slot]!;
    if (extra.timeoutFor !== undefined) {
      // A link timeout's own CQE: -ETIME when it fired, -ECANCELED or -ENOENT when its op finished first.
      const target = extra.timeoutFor;
      this.settle(slot, 0);
      const op = this.extra[target];
      if (op === undefined) return;
      op.timeoutDone = true;
      // -EALREADY: it fired while the op ran where a cancel cannot stop it at once (io-wq, interrupted).
      op.timedOut = res === -ETIME || res === -EALREADY;
      if (op.pendingRes !== undefined) this.settle(target, op.pendingRes);
      return;
    }
    if (extra.stream !== undefined) {
      callBack(extra.stream, res, flags);
      if ((flags & IORING_CQE_F_MORE) !== 0) return;
    } else if ((flags & IORING_CQE_F_MORE) !== 0) {
      extra.firstRes ??= res;
      return;
    } else if (extra.firstRes !== undefined && (flags & IORING_CQE_F_NOTIF) !== 0) {
      // The notification of a zero-copy send: the kernel let go of the buffer; the result came first.
      res = extra.firstRes;
    }
    if (extra.timeoutSlot !== undefined && !extra.timeoutDone) {
      extra.pendingRes = res; // settle once the link timeout's CQE says whether it fired
      return;
    }
    this.settle(slot, res);
  }
}
