/**
 * The shapes the ring's callers see: completions, options of the promise, low-level and multishot APIs.
 *
 * @module
 */
import type { TimeSpec } from "../memory/timespec.ts";

/** A completion, copied out of the CQ. */
export interface Cqe {
  /** The `userData` the operation was prepared with. */
  userData: number;
  /** The result: >= 0 on success, `-errno` on failure. */
  res: number;
  /** `IORING_CQE_F_*` flags (MORE, BUFFER with the buffer id in the high 16 bits, NOTIF, ...). */
  flags: number;
  /** The extra 16 bytes of a 32-byte CQE (IORING_SETUP_CQE32 only). */
  big?: BigUint64Array;
}

/** A callback that receives low-level completions without allocating. */
export type CompletionCallback = (userData: number, res: number, flags: number) => void;

/** Options of {@link IoRing.completions}. */
export interface CompletionsOptions {
  /** End the iteration when no low-level operation is in flight instead of waiting for more. */
  stopWhenIdle?: boolean;
}

/** Options every promise operation takes. */
export interface RunOptions {
  /**
   * Cancels the operation (ASYNC_CANCEL); the promise rejects with the signal's reason once the kernel lets
   * go. An abort that comes after the kernel completed the operation (the cancel finds nothing) changes
   * nothing: the promise settles with the operation's own result, as liburing reports it, so a write that
   * happened resolves with its byte count and an accepted or opened fd reaches the caller (check
   * `signal.aborted` to tell).
   */
  signal?: AbortSignal;
  /** Cancels the operation if it has not completed in time (a linked IORING_OP_LINK_TIMEOUT); it then rejects with ETIMEDOUT. */
  timeout?: TimeSpec;
}

/** Options of {@link IoRing.link}. */
export interface LinkOptions {
  /** IOSQE_IO_HARDLINK: a failed operation does not break the chain. */
  hard?: boolean;
}

/** What {@link IoRing.probe} reports. */
export interface ProbeResult {
  /** The highest opcode this kernel knows. */
  lastOp: number;
  /** The supported `IORING_OP_*` codes. */
  supported: ReadonlySet<number>;
  /** The names of the supported opcodes ("IORING_OP_READ", ...). */
  names: readonly string[];
}

/** The outcome of one operation of a {@link IoRing.link} chain, as `Promise.allSettled` gives it. */
export type LinkResult = PromiseSettledResult<number>;

/** A multishot operation's completion, as its iterator yields it. */
export interface MultishotCqe {
  /** The result of this shot (an accepted fd, bytes received, ...). */
  res: number;
  /** `IORING_CQE_F_*` flags (BUFFER with the buffer id above IORING_CQE_BUFFER_SHIFT, MORE, ...). */
  flags: number;
}

/** Options of {@link IoRing.multishot}. */
export interface MultishotOptions {
  /** Ends the stream and cancels the operation. */
  signal?: AbortSignal;
  /** Submit the op again when the kernel ends it with a positive result (it may stop a multishot, e.g. when the CQ is full). */
  rearm?: boolean;
  /**
   * Called with each completion the loop will not see: those still queued when it breaks, and those the
   * kernel posts before the cancellation lands. With a buffer group, recycle their buffers here
   * (`pool.recycle(pool.take(cqe.flags, cqe.res).bid)`), or the pool loses them. Without it, the new fds
   * of an op whose results are fds (a multishot accept) are closed by the ring.
   */
  onDrop?: (cqe: MultishotCqe) => void;
}
