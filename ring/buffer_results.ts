/**
 * The promise side of buffer selection: a single-shot read or receive that picks its buffer from a group
 * resolves with that buffer taken from a buffer ring ({@link runWithBufferRing}), or with the bytes and the
 * id of the buffer a group's completion names ({@link runSelecting}).
 *
 * @example
 * ```ts ignore
 * const got = await runWithBufferRing(ring, new Recv(socket, null, withGroupOf(pool, {}, "recv")), pool);
 * ```
 *
 * @module
 */
import { IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER } from "../kernel/constants.ts";
import type { IoRingCore, RunOptions } from "./core.ts";
import { IoRingError } from "../util/error.ts";
import { describe } from "../util/checks.ts";
import type { Op } from "../sqe/op.ts";
import type { BufferRingTake, BufferSelection } from "./buffer_types.ts";
import { ownerOf } from "./buffer_registration.ts";

/** What the promise reads use of a buffer ring: `BufferRing` has all of it. */
export interface TakingPool {
  /** The buffer group id. */
  readonly group: number;
  /** False once the group was unregistered. */
  readonly registered: boolean;
  /** Decodes a completion that used a buffer of the group. */
  take(flags: number, res: number): BufferRingTake;
  /** Puts a taken buffer back. */
  recycle(bid: number): void;
  /** Explains a failure of an op that used the group (ENOBUFS: the group ran dry). */
  error(failure: number | IoRingError, op?: string): IoRingError;
}

/**
 * The options of a read or receive with `pool`'s group: `options` (a copy) with `bufferGroup` set, for the
 * promise methods that take a buffer ring in place of a buffer. A `bufferGroup` of the caller's is
 * refused (TypeError): the group comes from the pool.
 */
export function withGroupOf<T extends object>(
  pool: TakingPool,
  options: T | undefined,
  what: string,
): T & { bufferGroup: number } {
  const given = (options as { bufferGroup?: unknown } | undefined)?.bufferGroup;
  if (given !== undefined) {
    throw new TypeError(
      `Cannot ${what}: bufferGroup comes from the buffer ring (group ${pool.group}): current value is ${
        describe(given)
      }`,
    );
  }
  return { ...options, bufferGroup: pool.group } as T & { bufferGroup: number };
}

/** Puts back a buffer taken for a completion the caller will not see (an empty one, or a failed one). */
function giveBack(pool: TakingPool, taken: BufferRingTake): void {
  if (!taken.more && pool.registered) pool.recycle(taken.bid);
}

/** Why `op` may not run with `pool` on `ring` through {@link runWithBufferRing}, or null when it may. */
function refusal(ring: IoRingCore, op: Op, pool: TakingPool, what: string): TypeError | null {
  if (!pool.registered) {
    return new TypeError(`Cannot ${what}: the buffer ring of group ${pool.group} was unregistered`);
  }
  if (ownerOf(pool) !== ring) {
    return new TypeError(
      `Cannot ${what}: the buffer ring of group ${pool.group} must be registered on this ring`,
    );
  }
  if (op.multishot === true) {
    return new TypeError(
      `Cannot ${what}: multishot posts many completions; use ring.multishot() and take each one with pool.take()`,
    );
  }
  return null;
}

/**
 * Runs `op`, a single-shot read or receive with `pool`'s group, on `ring`, and resolves with the buffer its
 * completion names, taken (`BufferRing.take()`), or null when it transferred no bytes (end of file or
 * stream; a buffer the kernel used for it goes back to the ring). A failure rejects with
 * {@link IoRingError}, ENOBUFS explained by `BufferRing.error()`; a buffer taken for it goes back. This
 * is what `ring.read(fd, pool)`, `ring.readv(fd, pool)` and `ring.recv(fd, pool)` return.
 */
export function runWithBufferRing(
  ring: IoRingCore,
  op: Op,
  pool: TakingPool,
  options?: RunOptions,
): Promise<BufferRingTake | null> {
  const what = `${op.name} into a buffer ring`;
  const refused = refusal(ring, op, pool, what);
  if (refused !== null) return Promise.reject(refused);
  let taken: BufferRingTake | null = null;
  let failure: unknown = null;
  return ring.stream(op, (res, flags) => {
    if ((flags & IORING_CQE_F_BUFFER) === 0) return;
    try {
      taken = pool.take(flags, res);
    } catch (error) {
      failure = error;
    }
  }, options).then(
    (res) => {
      const got = taken as BufferRingTake | null;
      if (failure !== null) throw failure;
      if (res === 0) {
        if (got !== null) giveBack(pool, got);
        return null;
      }
      if (got === null) {
        throw new Error(`Cannot ${what}: the completion (res ${res}) names no buffer of group ${pool.group}`);
      }
      return got;
    },
    (error: unknown) => {
      const got = taken as BufferRingTake | null;
      if (got !== null) giveBack(pool, got);
      throw error instanceof IoRingError ? pool.error(error) : error;
    },
  );
}

/**
 * Runs `op`, a single-shot read or receive with a null buffer and a `bufferGroup`, on `ring`, and resolves
 * with its result and the id of the buffer its completion names ({@link BufferSelection}). A failure
 * rejects with {@link IoRingError} (ENOBUFS when the group had no buffer). This is what `ring.read()`,
 * `ring.readv()` and `ring.recv()` return for a null buffer.
 */
export function runSelecting(ring: IoRingCore, op: Op, options?: RunOptions): Promise<BufferSelection> {
  if (op.multishot === true) {
    return Promise.reject(
      new TypeError(
        `Cannot ${op.name} into a buffer group: multishot posts many completions; use ring.multishot()`,
      ),
    );
  }
  let bufferId: number | null = null;
  return ring.stream(op, (_res, flags) => {
    bufferId = (flags & IORING_CQE_F_BUFFER) !== 0 ? flags >>> IORING_CQE_BUFFER_SHIFT : null;
  }, options).then((bytes) => ({ bytes, bufferId }));
}
