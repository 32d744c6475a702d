/**
 * {@link BufferRing}: a provided-buffer ring (IORING_REGISTER_PBUF_RING,
 * 5.19). The kernel picks a buffer from the ring when a receive or read with
 * a buffer group (IOSQE_BUFFER_SELECT) has data, and names it in the CQE's
 * flags; the application takes the data and puts the buffer back.
 *
 * @module
 */
import {
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_BUF_MORE,
  IORING_CQE_F_BUFFER,
  IORING_OFF_PBUF_RING,
  IORING_OFF_PBUF_SHIFT,
  IORING_REGISTER_PBUF_RING,
  IORING_REGISTER_PBUF_STATUS,
  IORING_UNREGISTER_PBUF_RING,
  IOU_PBUF_RING_INC,
  IOU_PBUF_RING_MMAP,
} from "../kernel/constants.ts";
import type { IoRingCore, RunOptions } from "./core.ts";
import { BUF, BUF_REG, BUF_RING, BUF_STATUS } from "../kernel/layout.ts";
import { IoRingError } from "../util/error.ts";
import { addressOf, checkBacking } from "../memory/buffers.ts";
import { checkInt, describe } from "../util/checks.ts";
import type { Op } from "../sqe/op.ts";
import { native } from "../ffi/native.ts";
import { EEXIST, EINVAL, ENOBUFS, ENOENT } from "../kernel/errno.ts";

/** The kernel's page size: a ring in application memory starts on a page boundary. */
const pageSize = (await native().catch(() => null))?.pageSize ?? 4096;

/** The most entries a buffer ring may have: head and tail are 16 bits, so 2^16 could not tell full from empty. */
const MAX_ENTRIES = 32768;
/**
 * The highest group a kernel-allocated ring can be mapped for: the mmap offset carries the group in bits
 * 16 to 26 (IORING_OFF_PBUF_SHIFT up to IORING_OFF_MMAP_MASK), so groups 2048 and up cannot be mapped,
 * and their rings live in application memory (as liburing's `io_uring_setup_buf_ring()` puts every ring).
 */
const MAX_MAPPED_GROUP = 2047;
/** The highest group: `buf_group` and `io_uring_buf_reg.bgid` are 16 bits. */
const MAX_GROUP = 65535;
/** The largest buffer: a `__u32 len`, and the kernel caps each transfer below 2 GiB anyway. */
const MAX_SIZE = 0x7fffffff;

/**
 * Keeps every registered {@link BufferRing} (and so its data memory, which the kernel writes into)
 * reachable as long as its ring: the ring object lives while it is open.
 */
const held = new WeakMap<IoRingCore, Set<BufferRing>>();

/**
 * Options of {@link BufferRing.register}.
 *
 * @example
 * ```ts ignore
 * const options: BufferRingOptions = { group: 1, entries: 64, size: 4096 };
 * const pool = BufferRing.register(ring, options);
 * ```
 */
export interface BufferRingOptions {
  /**
   * The buffer group id that ops name in `bufferGroup`: 0 to 65535. The kernel allocates the ring of a
   * group up to 2047 (unless `ringMemory` is given); a group from 2048 up gets its ring in application
   * memory, which this object allocates.
   */
  group: number;
  /** How many buffers: a power of two from 1 to 32768; buffer ids are 0 to `entries` - 1. */
  entries: number;
  /** Bytes per buffer, from 1 to 2^31-1. */
  size: number;
  /**
   * IOU_PBUF_RING_INC (6.12): each completion uses only the bytes it needs, so one buffer serves
   * several receives; the CQE carries IORING_CQE_F_BUF_MORE while the kernel keeps the buffer.
   */
  incremental?: boolean;
  /**
   * Memory the caller provides for the ring's entries, instead of the kernel (which the ring then
   * registers by address, as `io_uring_register_buf_ring()` with `ring_addr`): at least `entries` × 16
   * bytes, starting on a page boundary. The kernel pins its pages while the group is registered, reads
   * the entries from it, and this object writes them; it holds the memory until then. Any group may use
   * it (5.19).
   */
  ringMemory?: Uint8Array;
}

/**
 * What {@link BufferRing.take} returns for a completion.
 *
 * @example
 * ```ts ignore
 * const { bid, data, more }: BufferRingTake = pool.take(cqe.flags, cqe.res);
 * ```
 */
export interface BufferRingTake {
  /** The buffer id the kernel picked. */
  bid: number;
  /** The bytes this completion delivered: a view of the buffer, valid until the buffer is recycled. */
  data: Uint8Array;
  /**
   * Incremental rings only: the kernel keeps the buffer for more completions (IORING_CQE_F_BUF_MORE),
   * so it must not be recycled yet. Always false otherwise.
   */
  more: boolean;
}

/**
 * What `ring.read()`, `ring.readv()` and `ring.recv()` resolve with for a null buffer and a `bufferGroup`
 * (a group of {@link ProvideBuffers} or any other): the bytes transferred and the id of the buffer the
 * kernel picked, from the completion's flags (IORING_CQE_F_BUFFER, the id above
 * IORING_CQE_BUFFER_SHIFT), or null when the completion names none (a receive at end of stream). The
 * caller finds the bytes at that buffer's place in the group's memory and gives the buffer back when done.
 *
 * @example
 * ```ts
 * import { IoRing, ProvideBuffers } from "@ioring/ioring";
 * await using ring = new IoRing();
 * const memory = new Uint8Array(4 * 256);
 * await ring.run(new ProvideBuffers(memory, 9, 256));
 * const fd = await ring.openat("/etc/hostname");
 * const { bytes, bufferId } = await ring.read(fd, null, 0, { bufferGroup: 9 });
 * const at = bufferId! * 256;
 * console.log(new TextDecoder().decode(memory.subarray(at, at + bytes)));
 * await ring.close(fd);
 * ```
 */
export interface BufferSelection {
  /** The result: bytes read or received (0 at end of file or stream). */
  bytes: number;
  /** The id of the buffer that holds them, or null when the completion names no buffer. */
  bufferId: number | null;
}

/** The ring a pool is registered on (set by the class's static block: `#ring` is private to it). */
let ringOf: (pool: BufferRing) => IoRingCore;

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
 * await ring.close(readEnd);
 * await ring.close(writeEnd);
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
  readonly #mask: number;
  readonly #incremental: boolean;
  readonly #memory: Uint8Array;
  readonly #ringMemory: Uint8Array; // the ring's entries: mapped from the kernel, or application memory
  readonly #base: number;
  readonly #words: Uint32Array; // the mapped ring, as 32-bit words
  readonly #halves: Uint16Array; // the mapped ring, as 16-bit halves (bid, tail)
  readonly #inRing: Uint8Array; // 1 while the kernel may pick the buffer (or, incremental, keeps filling it)
  readonly #offset: Uint32Array; // incremental: the bytes of each buffer already delivered
  #tail = 0; // buffers added (16-bit, wraps as the kernel's does)
  #published = 0; // the tail the kernel sees
  #head = 0; // buffers the completions taken so far consumed (16-bit)
  #scheduled = false;
  #unregistered = false;

  static {
    ringOf = (pool) => pool.#ring;
  }

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
    this.#mask = options.entries - 1;
    this.#incremental = options.incremental;
    this.#memory = memory;
    this.#base = addressOf(memory);
    this.#ringMemory = ringMemory;
    this.#words = new Uint32Array(ringMemory.buffer, ringMemory.byteOffset, (options.entries * BUF.size) / 4);
    this.#halves = new Uint16Array(
      ringMemory.buffer,
      ringMemory.byteOffset,
      (options.entries * BUF.size) / 2,
    );
    this.#inRing = new Uint8Array(options.entries).fill(1);
    this.#offset = new Uint32Array(options.entries);
    // io_uring_buf_ring_init(): the kernel's head starts at 0, so the tail does too.
    Atomics.store(this.#halves, BUF_RING.tail / 2, 0);
    for (let bid = 0; bid < options.entries; bid++) this.#add(bid);
    this.#publish();
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
   * await Promise.all([ring.close(readEnd), ring.close(writeEnd)]);
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
    const what = "register buffer ring";
    if (
      ring === null || typeof ring !== "object" || typeof ring.registerRaw !== "function" ||
      typeof ring.mapRing !== "function"
    ) {
      throw new TypeError(`Cannot ${what}: ring must be an IoRing: current value is ${describe(ring)}`);
    }
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `Cannot ${what}: options must be an object { group, entries, size }: current value is ${
          describe(options)
        }`,
      );
    }
    const group = checkInt(options.group, what, "group", 0, MAX_GROUP);
    const entries = options.entries;
    if (
      !Number.isInteger(entries) || entries < 1 || entries > MAX_ENTRIES || (entries & (entries - 1)) !== 0
    ) {
      throw new RangeError(
        `Cannot ${what}: entries must be a power of two from 1 to ${MAX_ENTRIES}: current value is ${
          describe(entries)
        }`,
      );
    }
    const size = checkInt(options.size, what, "size", 1, MAX_SIZE, "an integer from 1 to 2^31-1");
    const incremental = options.incremental ?? false;
    if (typeof incremental !== "boolean") {
      throw new TypeError(
        `Cannot ${what}: incremental must be a boolean: current value is ${describe(incremental)}`,
      );
    }
    let ringMemory = options.ringMemory === undefined
      ? undefined
      : checkRingMemory(options.ringMemory, entries);
    let memory: Uint8Array;
    try {
      memory = new Uint8Array(new ArrayBuffer(entries * size));
    } catch (error) {
      throw new RangeError(
        `Cannot ${what}: entries × size bytes must be allocatable: current value is ${entries * size}`,
        { cause: error },
      );
    }
    if (ringMemory === undefined && group > MAX_MAPPED_GROUP) ringMemory = allocateRingMemory(entries);
    if (ringMemory !== undefined) {
      registerGroup(ring, group, entries, incremental, addressOf(ringMemory));
    } else {
      registerGroup(ring, group, entries, incremental, 0);
      try {
        ringMemory = new Uint8Array(
          ring.mapRing(IORING_OFF_PBUF_RING + group * 2 ** IORING_OFF_PBUF_SHIFT, entries * BUF.size),
        );
      } catch (error) {
        unregisterGroup(ring, group);
        throw error;
      }
    }
    const pool = new BufferRing(ring, { group, entries, size, incremental }, memory, ringMemory);
    let set = held.get(ring);
    if (set === undefined) held.set(ring, set = new Set());
    set.add(pool);
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
    return (this.#published - this.#head) & 0xffff;
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
    const i = this.#bid(bid, `read a buffer of group ${this.#group}`);
    return this.#memory.subarray(i * this.#size, (i + 1) * this.#size);
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
    const bid = flags >>> IORING_CQE_BUFFER_SHIFT;
    if (bid >= this.#entries) {
      throw new RangeError(
        `Cannot ${what}: the buffer id must be below the ring's ${this.#entries} entries (a completion of another group?): current value is ${bid}`,
      );
    }
    if (this.#inRing[bid] === 0) {
      throw new Error(
        `Cannot ${what}: the buffer id must name a buffer in the ring, not one taken and not yet recycled (a completion taken twice?): current value is ${bid}`,
      );
    }
    const length = res > 0 ? res : 0;
    const offset = this.#offset[bid];
    if (length > this.#size - offset) {
      throw new RangeError(
        `Cannot ${what}: res must fit the ${
          this.#size - offset
        } bytes left in buffer ${bid} (bundle completions, which span buffers, are not decoded): current value is ${res}`,
      );
    }
    const start = bid * this.#size + offset;
    const data = this.#memory.subarray(start, start + length);
    // An incremental buffer stays in the ring while the kernel says so, and after an empty completion:
    // the kernel's head moves past a buffer only once it used it up.
    const more = this.#incremental && ((flags & IORING_CQE_F_BUF_MORE) !== 0 || length === 0);
    if (more) {
      this.#offset[bid] = offset + length;
    } else {
      this.#offset[bid] = 0;
      this.#inRing[bid] = 0;
      this.#head = (this.#head + 1) & 0xffff;
    }
    return { bid, data, more };
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
    if (this.#inRing[i] !== 0) {
      throw new Error(
        `Cannot ${what}: the buffer id must name a taken buffer, not one in the ring (recycled twice, or an incremental buffer the kernel still fills): current value is ${i}`,
      );
    }
    this.#inRing[i] = 1;
    this.#offset[i] = 0;
    if (this.#ring.closed) return;
    this.#add(i);
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
    return this.#publish();
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
    const status = new Uint32Array(BUF_STATUS.size / 4);
    status[BUF_STATUS.bufGroup / 4] = this.#group;
    try {
      this.#ring.registerRaw(IORING_REGISTER_PBUF_STATUS, "IORING_REGISTER_PBUF_STATUS", status, 1);
    } catch (error) {
      if (error instanceof IoRingError && error.errno === EINVAL) {
        throw new IoRingError(EINVAL, "io_uring_register", {
          fd: this.#ring.fd,
          detail: "IORING_REGISTER_PBUF_STATUS needs Linux 6.8; this kernel refused it",
        }, { cause: error });
      }
      throw error;
    }
    return status[BUF_STATUS.head / 4] & 0xffff;
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
    if (this.#ring.inflight === 0) held.get(this.#ring)?.delete(this);
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

  /** Writes buffer `bid` into the entry at the tail (`io_uring_buf_ring_add()`), not yet published. */
  #add(bid: number): void {
    const entry = (this.#tail & this.#mask) * BUF.size;
    const address = this.#base + bid * this.#size;
    this.#words[(entry + BUF.addr) / 4] = address >>> 0;
    this.#words[(entry + BUF.addr) / 4 + 1] = Math.floor(address / 2 ** 32);
    this.#words[(entry + BUF.len) / 4] = this.#size;
    this.#halves[(entry + BUF.bid) / 2] = bid;
    this.#tail = (this.#tail + 1) & 0xffff;
  }

  /** Stores the tail with release semantics (an Atomics store) so the kernel sees the entries before it. */
  #publish(): number {
    const count = (this.#tail - this.#published) & 0xffff;
    if (count === 0) return 0;
    Atomics.store(this.#halves, BUF_RING.tail / 2, this.#tail);
    this.#published = this.#tail;
    return count;
  }

  #flushLater = (): void => {
    if (!this.#scheduled) return;
    this.#scheduled = false;
    if (!this.#unregistered && !this.#ring.closed) this.#publish();
  };
}

/** Checks a caller's `ringMemory`: a Uint8Array, live, of at least `entries` entries, on a page boundary. */
function checkRingMemory(ringMemory: Uint8Array, entries: number): Uint8Array {
  const what = "register buffer ring";
  if (!(ringMemory instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot ${what}: ringMemory must be a Uint8Array of the ring's entries: current value is ${
        describe(ringMemory)
      }`,
    );
  }
  checkBacking(ringMemory.buffer, what, "ringMemory");
  if (ringMemory.byteLength < entries * BUF.size) {
    throw new RangeError(
      `Cannot ${what}: ringMemory must hold ${entries} entries × ${BUF.size} bytes: current length is ${ringMemory.byteLength}`,
    );
  }
  const address = addressOf(ringMemory);
  if (address % pageSize !== 0) {
    throw new RangeError(
      `Cannot ${what}: ringMemory must start on a page boundary (${pageSize} bytes): current address is 0x${
        address.toString(16)
      }`,
    );
  }
  return ringMemory;
}

/** Page-aligned memory for `entries` ring entries, carved from an ArrayBuffer a page larger. */
function allocateRingMemory(entries: number): Uint8Array {
  const length = entries * BUF.size;
  const raw = new Uint8Array(length + pageSize);
  const skew = (pageSize - (addressOf(raw) % pageSize)) % pageSize;
  return raw.subarray(skew, skew + length);
}

/**
 * IORING_REGISTER_PBUF_RING, with errors that name the cause: a kernel-allocated ring (`ringAddress` 0,
 * IOU_PBUF_RING_MMAP) or one in application memory at `ringAddress`.
 */
function registerGroup(
  ring: IoRingCore,
  group: number,
  entries: number,
  incremental: boolean,
  ringAddress: number,
): void {
  const flags = (ringAddress === 0 ? IOU_PBUF_RING_MMAP : 0) | (incremental ? IOU_PBUF_RING_INC : 0);
  try {
    ring.registerRaw(
      IORING_REGISTER_PBUF_RING,
      "IORING_REGISTER_PBUF_RING",
      bufReg(group, entries, flags, ringAddress),
      1,
    );
  } catch (error) {
    if (!(error instanceof IoRingError)) throw error;
    let detail: string | undefined;
    if (error.errno === EEXIST) {
      detail = `IORING_REGISTER_PBUF_RING: buffer group ${group} is already registered on this ring ` +
        `(a buffer ring, or buffers given with ProvideBuffers); unregister it first or pick another group`;
    } else if (error.errno === EINVAL) {
      // Which flag does this kernel lack? Register without IOU_PBUF_RING_INC to tell.
      let withoutInc = false;
      if (incremental) {
        try {
          ring.registerRaw(
            IORING_REGISTER_PBUF_RING,
            "IORING_REGISTER_PBUF_RING",
            bufReg(group, entries, flags & ~IOU_PBUF_RING_INC, ringAddress),
            1,
          );
          withoutInc = true;
          unregisterGroup(ring, group);
        } catch {
          // The kernel refuses more than IOU_PBUF_RING_INC.
        }
      }
      detail = withoutInc
        ? "IORING_REGISTER_PBUF_RING: the kernel refused IOU_PBUF_RING_INC (incremental consumption needs Linux 6.12)"
        : ringAddress === 0
        ? "IORING_REGISTER_PBUF_RING with IOU_PBUF_RING_MMAP needs Linux 6.4 (buffer rings 5.19); this kernel refused it"
        : "IORING_REGISTER_PBUF_RING needs Linux 5.19; this kernel refused it";
    }
    if (detail === undefined) throw error;
    throw new IoRingError(error.errno, "io_uring_register", { fd: ring.fd, detail }, { cause: error });
  }
}

function unregisterGroup(ring: IoRingCore, group: number): void {
  ring.registerRaw(IORING_UNREGISTER_PBUF_RING, "IORING_UNREGISTER_PBUF_RING", bufReg(group, 0, 0, 0), 1);
}

/** A `struct io_uring_buf_reg`: the ring's address (0 for a kernel-allocated ring), entries, group, flags. */
function bufReg(group: number, entries: number, flags: number, ringAddress: number): Uint8Array {
  const reg = new Uint8Array(BUF_REG.size);
  const view = new DataView(reg.buffer);
  view.setUint32(BUF_REG.ringAddr, ringAddress >>> 0, true);
  view.setUint32(BUF_REG.ringAddr + 4, Math.floor(ringAddress / 2 ** 32), true);
  view.setUint32(BUF_REG.ringEntries, entries, true);
  view.setUint16(BUF_REG.bgid, group, true);
  view.setUint16(BUF_REG.flags, flags, true);
  return reg;
}

/**
 * The options of a read or receive with `pool`'s group: `options` (a copy) with `bufferGroup` set, for the
 * promise methods that take a {@link BufferRing} in place of a buffer. A `bufferGroup` of the caller's is
 * refused (TypeError): the group comes from the pool.
 */
export function withGroupOf<T extends object>(
  pool: BufferRing,
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
function giveBack(pool: BufferRing, taken: BufferRingTake): void {
  if (!taken.more && pool.registered) pool.recycle(taken.bid);
}

/**
 * Runs `op`, a single-shot read or receive with `pool`'s group, on `ring`, and resolves with the buffer its
 * completion names, taken ({@link BufferRing.take}), or null when it transferred no bytes (end of file or
 * stream; a buffer the kernel used for it goes back to the ring). A failure rejects with
 * {@link IoRingError}, ENOBUFS explained by {@link BufferRing.error}; a buffer taken for it goes back. This
 * is what `ring.read(fd, pool)`, `ring.readv(fd, pool)` and `ring.recv(fd, pool)` return.
 */
export function runWithBufferRing(
  ring: IoRingCore,
  op: Op,
  pool: BufferRing,
  options?: RunOptions,
): Promise<BufferRingTake | null> {
  const what = `${op.name} into a buffer ring`;
  if (!pool.registered) {
    return Promise.reject(
      new TypeError(`Cannot ${what}: the buffer ring of group ${pool.group} was unregistered`),
    );
  }
  if (ringOf(pool) !== ring) {
    return Promise.reject(
      new TypeError(`Cannot ${what}: the buffer ring of group ${pool.group} must be registered on this ring`),
    );
  }
  if (op.multishot === true) {
    return Promise.reject(
      new TypeError(
        `Cannot ${what}: multishot posts many completions; use ring.multishot() and take each one with pool.take()`,
      ),
    );
  }
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
