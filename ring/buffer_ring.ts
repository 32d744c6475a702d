/**
 * {@link BufferRing}: a provided-buffer ring (IORING_REGISTER_PBUF_RING,
 * 5.19). The kernel picks a buffer from the ring when a receive or read with
 * a buffer group (IOSQE_BUFFER_SELECT) has data, and names it in the CQE's
 * flags; the application takes the data and puts the buffer back.
 *
 * This file checks what callers give and keeps the registration's lifetime; `buffer_registration.ts` registers
 * the group and finds the ring's memory, `buffer_ledger.ts` keeps the buffers, the entries the kernel reads
 * and who holds each buffer, and `buffer_results.ts` gives the promise reads their results.
 *
 * @example
 * ```ts
 * import { BufferRing, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * using pool = BufferRing.register(ring, { group: 2, entries: 4, size: 512 });
 * console.log(pool.available, pool.buffer(0).byteLength); // 4 512
 * ```
 *
 * @module
 */
import { IORING_CQE_F_BUFFER } from "../kernel/constants.ts";
import type { IoRingCore } from "./core.ts";
import { IoRingError } from "../util/error.ts";
import { checkInt, describe } from "../util/checks.ts";
import { ENOBUFS, ENOENT } from "../kernel/errno.ts";
import type { BufferRingOptions, BufferRingTake } from "./buffer_types.ts";
import {
  allocateBuffers,
  checkRegistration,
  groupHead,
  hold,
  release,
  setUpGroup,
  unregisterGroup,
} from "./buffer_registration.ts";
import { BufferLedger } from "./buffer_ledger.ts";

// The public shapes, and the promise helpers the ring's read methods use, are reached through this file.
export type { BufferRingOptions, BufferRingTake, BufferSelection } from "./buffer_types.ts";
export { runSelecting, runWithBufferRing, withGroupOf } from "./buffer_results.ts";

/**
 * A provided-buffer ring (IORING_REGISTER_PBUF_RING): `entries` buffers of `size` bytes that receives and
 * reads with `bufferGroup: group` (IOSQE_BUFFER_SELECT) are filled into. For groups 0 to 2047 the kernel
 * allocates the ring and this process maps it (IOU_PBUF_RING_MMAP, 6.4); for groups 2048 to 65535, or with
 * `ringMemory`, the ring is application memory whose address the kernel is given. The data buffers are one
 * ArrayBuffer that this object holds, and that it keeps reachable (with the ring's memory) while the ring
 * is open and the group registered.
 *
 * Each completion that used a buffer carries IORING_CQE_F_BUFFER and the buffer id: {@link BufferRing.take}
 * decodes it and returns a view of the bytes. The buffer is then the application's until
 * {@link BufferRing.recycle} puts it back. When no buffer is left, a receive or read with the group
 * completes with -ENOBUFS (a multishot one ends with it): {@link BufferRing.error} explains such a result.
 * Recycled buffers reach the kernel when the tail is published (a microtask, or {@link BufferRing.flush}):
 * flush before re-arming an op that needs them. Bundle completions (several buffers in one CQE) are not
 * decoded. The promise methods take and return the buffer themselves: `await ring.recv(socket, pool)` and
 * `ring.read(fd, pool, offset)` resolve with what {@link BufferRing.take} returns (null at end of stream).
 *
 * Matches `io_uring_setup_buf_ring()` (and `io_uring_register_buf_ring()` with `ring_addr`, for
 * `ringMemory`), `io_uring_buf_ring_add()` and `io_uring_buf_ring_advance()` in liburing. Available since
 * Linux 5.19 (a ring in application memory; IOU_PBUF_RING_MMAP, for the kernel-allocated ones, since 6.4).
 *
 * @example Reading a pipe through a buffer ring
 * ```ts
 * import { IoRing, ReadMultishot } from "@ioring/ioring";
 * import { BufferRing } from "@ioring/ioring";
 * await using ring = new IoRing();
 * using pool = BufferRing.register(ring, { group: 1, entries: 8, size: 4096 });
 * const [readEnd, writeEnd] = await ring.pipe();
 * await ring.write(writeEnd, new TextEncoder().encode("hello"));
 * for await (const { res, flags } of ring.multishot(new ReadMultishot(readEnd, pool.group))) {
 *   const { bid, data } = pool.take(flags, res);
 *   console.log(new TextDecoder().decode(data)); // hello
 *   pool.recycle(bid);
 *   break;
 * }
 * await ring.closeFd(readEnd);
 * await ring.closeFd(writeEnd);
 * ```
 */
export class BufferRing implements Disposable {
  readonly #ring: IoRingCore;
  readonly #group: number;
  // What take() and recycle() errors say they could not do: made once, not per buffer.
  readonly #takeWhat: string;
  readonly #recycleWhat: string;
  readonly #entries: number;
  readonly #size: number;
  readonly #incremental: boolean;
  readonly #ledger: BufferLedger; // the buffers, the entries the kernel picks from, and who holds each
  #scheduled = false;
  #unregistered = false;

  private constructor(
    ring: IoRingCore,
    options: { group: number; entries: number; size: number; incremental: boolean },
    memory: Uint8Array,
    ringMemory: Uint8Array,
  ) {
    this.#ring = ring;
    this.#group = options.group;
    this.#takeWhat = `take a buffer of group ${options.group}`;
    this.#recycleWhat = `recycle a buffer of group ${options.group}`;
    this.#entries = options.entries;
    this.#size = options.size;
    this.#incremental = options.incremental;
    this.#ledger = new BufferLedger(ringMemory, memory, options);
  }

  /**
   * Registers buffer group `group` as a buffer ring of `entries` buffers of `size` bytes: for a group up to
   * 2047 the kernel allocates the ring (IOU_PBUF_RING_MMAP, 6.4) and this maps it; for a group from 2048,
   * or with `ringMemory`, the ring is in application memory (page-aligned, allocated here unless given).
   * Then this allocates the buffers in one ArrayBuffer and puts every buffer in the ring (buffer id =
   * index). Invalid options throw RangeError/TypeError before any system call; a kernel refusal throws
   * {@link IoRingError} (EEXIST when the group is already registered, EINVAL naming the flag an older
   * kernel lacks).
   *
   * @example A group above 2047, its ring in application memory
   * ```ts
   * import { BufferRing, IoRing } from "@ioring/ioring";
   * await using ring = new IoRing();
   * using pool = BufferRing.register(ring, { group: 4000, entries: 8, size: 1024 });
   * const [readEnd, writeEnd] = await ring.pipe();
   * await ring.write(writeEnd, new TextEncoder().encode("hello"));
   * const got = await ring.read(readEnd, pool);
   * console.log(got && new TextDecoder().decode(got.data)); // hello
   * if (got) pool.recycle(got.bid);
   * await Promise.all([ring.closeFd(readEnd), ring.closeFd(writeEnd)]);
   * ```
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * import { BufferRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const pool = BufferRing.register(ring, { group: 3, entries: 16, size: 2048 });
   * console.log(pool.available); // 16
   * pool.unregister();
   * ```
   */
  static register(ring: IoRingCore, options: BufferRingOptions): BufferRing {
    const checked = checkRegistration(ring, options);
    const memory = allocateBuffers(checked.entries, checked.size);
    const ringMemory = setUpGroup(ring, checked);
    const pool = new BufferRing(ring, checked, memory, ringMemory);
    hold(ring, pool);
    return pool;
  }

  /**
   * The buffer group id.
   *
   * @example
   * ```ts ignore
   * ring.multishot(new Recv(socket, null, { bufferGroup: pool.group, multishot: true }));
   * ```
   */
  get group(): number {
    return this.#group;
  }

  /**
   * How many buffers the ring has (its buffer ids are 0 to `entries` - 1).
   *
   * @example
   * ```ts ignore
   * console.log(pool.entries); // 64
   * ```
   */
  get entries(): number {
    return this.#entries;
  }

  /**
   * Bytes per buffer.
   *
   * @example
   * ```ts ignore
   * console.log(pool.size); // 4096
   * ```
   */
  get size(): number {
    return this.#size;
  }

  /**
   * Whether buffers are consumed incrementally (IOU_PBUF_RING_INC).
   *
   * @example
   * ```ts ignore
   * if (pool.incremental && more) console.log("the kernel keeps filling this buffer");
   * ```
   */
  get incremental(): boolean {
    return this.#incremental;
  }

  /**
   * False once {@link BufferRing.unregister} ran.
   *
   * @example
   * ```ts ignore
   * pool.unregister();
   * console.log(pool.registered); // false
   * ```
   */
  get registered(): boolean {
    return !this.#unregistered;
  }

  /**
   * How many buffers the kernel can still pick: those published to the ring minus those the completions
   * passed to {@link BufferRing.take} consumed. Recycled buffers count once published (on a microtask, or
   * by {@link BufferRing.flush}). Completions not yet taken make this an overestimate;
   * {@link BufferRing.head} asks the kernel.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * import { BufferRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * using pool = BufferRing.register(ring, { group: 4, entries: 8, size: 64 });
   * console.log(pool.available); // 8
   * ```
   */
  get available(): number {
    this.#check("count available buffers");
    return this.#ledger.available;
  }

  /**
   * A view of buffer `bid`'s `size` bytes.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * import { BufferRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * using pool = BufferRing.register(ring, { group: 5, entries: 4, size: 256 });
   * console.log(pool.buffer(3).byteLength); // 256
   * ```
   */
  buffer(bid: number): Uint8Array {
    this.#check("read a buffer");
    return this.#ledger.buffer(this.#bid(bid, `read a buffer of group ${this.#group}`));
  }

  /**
   * Decodes a completion that used a buffer of this group: the buffer id from `flags`
   * (IORING_CQE_F_BUFFER, id above IORING_CQE_BUFFER_SHIFT) and a view of the `res` bytes it received.
   * On an incremental ring the data starts where the buffer's previous completion ended, and `more`
   * (IORING_CQE_F_BUF_MORE) says the kernel keeps the buffer; otherwise the buffer is the caller's until
   * {@link BufferRing.recycle}. Throws {@link IoRingError} (see {@link BufferRing.error}) for -ENOBUFS, and
   * TypeError for other completions without a buffer (check `res < 0` first).
   *
   * @example
   * ```ts ignore
   * for await (const { res, flags } of ring.multishot(new Recv(socket, null, { bufferGroup: pool.group, multishot: true }))) {
   *   if (res === 0) break; // end of stream
   *   const { bid, data } = pool.take(flags, res);
   *   output.push(data.slice()); // copy out: the buffer is reused once recycled
   *   pool.recycle(bid);
   * }
   * ```
   */
  take(flags: number, res: number): BufferRingTake {
    const what = this.#takeWhat;
    this.#check(what);
    if (!Number.isInteger(flags) || !Number.isInteger(res)) {
      throw new TypeError(
        `Cannot ${what}: flags and res must be a completion's integers: current values are ${
          describe(flags)
        } and ${describe(res)}`,
      );
    }
    if ((flags & IORING_CQE_F_BUFFER) === 0) {
      if (res === -ENOBUFS) throw this.error(res);
      throw new TypeError(
        `Cannot ${what}: the completion's flags must have IORING_CQE_F_BUFFER (its res is ${res}): current value is 0x${
          (flags >>> 0).toString(16)
        }`,
      );
    }
    return this.#ledger.take(flags, res, what);
  }

  /**
   * Puts buffer `bid` back at the ring's tail for the kernel to pick again (its whole `size`). Recycles are
   * batched: the tail is published once, on a microtask queued by the first one, or at once by
   * {@link BufferRing.flush}. An op queued before that microtask is submitted before it, so call
   * `flush()` before re-arming an op that needs the recycled buffers. After the ring closed this only
   * takes note (the kernel let go of the group with the ring).
   *
   * @example
   * ```ts ignore
   * const { bid, data } = pool.take(cqe.flags, cqe.res);
   * handle(data);
   * pool.recycle(bid);
   * ```
   */
  recycle(bid: number): void {
    const what = this.#recycleWhat;
    this.#check(what);
    const i = this.#bid(bid, what);
    this.#ledger.giveBack(i, what);
    if (this.#ring.closed) return;
    this.#ledger.add(i);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flushLater);
    }
  }

  /**
   * Publishes the buffers recycled since the last publication now (one atomic store of the tail, as
   * `io_uring_buf_ring_advance()`), instead of on the microtask. Returns how many it published.
   *
   * @example
   * ```ts ignore
   * for (const bid of done) pool.recycle(bid);
   * pool.flush();
   * ring.prepare(new Recv(socket, null, { bufferGroup: pool.group, multishot: true }), 1);
   * ```
   */
  flush(): number {
    this.#check("publish recycled buffers");
    this.#scheduled = false;
    if (this.#ring.closed) return 0;
    return this.#ledger.publish();
  }

  /**
   * The kernel's head of the ring (IORING_REGISTER_PBUF_STATUS, 6.8): how many buffers it has picked,
   * modulo 2^16. The ring's tail minus this is what it can still pick. Throws {@link IoRingError} on older
   * kernels.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * import { BufferRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * using pool = BufferRing.register(ring, { group: 6, entries: 8, size: 64 });
   * console.log(pool.head()); // 0
   * ```
   */
  head(): number {
    this.#check("read the head of a buffer ring");
    return groupHead(this.#ring, this.#group);
  }

  /**
   * Explains a failed result of an op that used this group: -ENOBUFS (or an {@link IoRingError} with
   * ENOBUFS, as `ring.run()` and `ring.multishot()` throw it) becomes an IoRingError saying the group ran
   * dry and to recycle buffers or add more; other errors come back as an IoRingError unchanged.
   * A receive or read with the group completes with -ENOBUFS when the kernel finds no buffer in the ring;
   * a multishot one then ends.
   *
   * @example
   * ```ts ignore
   * try {
   *   for await (const cqe of ring.multishot(recv)) handle(pool.take(cqe.flags, cqe.res));
   * } catch (error) {
   *   throw error instanceof IoRingError ? pool.error(error) : error;
   * }
   * ```
   */
  error(failure: number | IoRingError, op = "recv"): IoRingError {
    const detail = `buffer group ${this.#group} ran dry: the kernel found none of its ${this.#entries} ` +
      `buffers in the ring; recycle() the buffers taken (or register more), flush(), and submit the op again`;
    if (failure instanceof IoRingError) {
      if (failure.errno !== ENOBUFS) return failure;
      return new IoRingError(ENOBUFS, failure.op, { fd: failure.fd, path: failure.path, detail }, {
        cause: failure,
      });
    }
    if (!Number.isInteger(failure) || failure >= 0) {
      throw new RangeError(
        `Cannot explain a result of group ${this.#group}: res must be a negative errno: current value is ${
          describe(failure)
        }`,
      );
    }
    return new IoRingError(-failure, op, -failure === ENOBUFS ? { detail } : {});
  }

  /**
   * Unregisters the group (IORING_UNREGISTER_PBUF_RING) and lets go of the buffers: every method and
   * `available` throw afterwards. Ops still in flight with the group fail on their next pick; if any op is
   * in flight on the ring, the buffers' memory stays referenced until the ring closes, in case one had
   * picked a buffer already. Idempotent; after the ring closed it only marks the object unregistered.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * import { BufferRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const pool = BufferRing.register(ring, { group: 7, entries: 4, size: 64 });
   * pool.unregister();
   * console.log(pool.registered); // false
   * ```
   */
  unregister(): void {
    if (this.#unregistered) return;
    if (!this.#ring.closed) {
      try {
        unregisterGroup(this.#ring, this.#group);
      } catch (error) {
        // ENOENT: the group is gone already (unregistered with registerRaw); anything else leaves it registered.
        if (!(error instanceof IoRingError) || error.errno !== ENOENT) throw error;
      }
    }
    this.#unregistered = true;
    this.#scheduled = false;
    // An op already past its buffer pick (an io-wq worker copying into it) may still write the memory after
    // the group is gone: with ops in flight the memory stays reachable for as long as the ring.
    if (this.#ring.inflight === 0) release(this.#ring, this);
  }

  /**
   * Unregisters the group (see {@link BufferRing.unregister}).
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * import { BufferRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * using pool = BufferRing.register(ring, { group: 8, entries: 4, size: 64 });
   * ```
   */
  [Symbol.dispose](): void {
    this.unregister();
  }

  #check(what: string): void {
    if (this.#unregistered) {
      throw new TypeError(`Cannot ${what}: the buffer ring of group ${this.#group} was unregistered`);
    }
  }

  #bid(bid: number, what: string): number {
    return checkInt(bid, what, "buffer id", 0, this.#entries - 1);
  }

  #flushLater = (): void => {
    if (!this.#scheduled) return;
    this.#scheduled = false;
    if (!this.#unregistered && !this.#ring.closed) this.#ledger.publish();
  };
}
