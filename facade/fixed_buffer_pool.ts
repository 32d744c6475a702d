/**
 * {@link FixedBufferPool}: registered (pinned) memory handed out as buffers
 * that know their index, so READ_FIXED/WRITE_FIXED never need an index
 * computed by hand.
 *
 * @module
 */
import type { FixedFile } from "../sqe/fixed_file.ts";
import { ReadFixed } from "../ops/read_fixed.ts";
import { WriteFixed } from "../ops/write_fixed.ts";
import type { IoRing } from "./io_ring.ts";
import { checkInt, describe } from "../util/checks.ts";

/** One buffer of a {@link FixedBufferPool}: its registered index and its memory. */
export interface FixedBuffer {
  /** The index the kernel knows it by (`buf_index`). */
  readonly index: number;
  /** The buffer's memory (pinned while the pool is registered). */
  readonly bytes: Uint8Array;
}

/** Options of {@link FixedBufferPool.register}. */
export interface FixedBufferPoolOptions {
  /** How many buffers (each registered as its own index). */
  count: number;
  /** Bytes per buffer. */
  size: number;
}

/**
 * Registers `count` buffers of `size` bytes with a ring (IORING_REGISTER_BUFFERS2) and hands them out
 * and takes them back. A ring has one registered-buffer table, which the pool owns while it is registered.
 *
 * @example Read a file through registered memory
 * ```ts
 * import { FixedBufferPool, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * using pool = FixedBufferPool.register(ring, { count: 4, size: 4096 });
 * const fd = await ring.openat("/etc/hostname");
 * const buffer = await pool.acquire();
 * const n = await ring.run(pool.read(fd, buffer, 0));
 * console.log(new TextDecoder().decode(buffer.bytes.subarray(0, n)));
 * pool.release(buffer);
 * ```
 */
export class FixedBufferPool implements Disposable {
  readonly #ring: IoRing;
  readonly #buffers: FixedBuffer[];
  readonly #free: FixedBuffer[];
  readonly #lent = new Set<FixedBuffer>();
  // acquire() calls waiting for a release, as their promises' [resolve, reject].
  readonly #waiting: [(buffer: FixedBuffer) => void, (reason: Error) => void][] = [];
  #registered = true;

  private constructor(ring: IoRing, buffers: FixedBuffer[]) {
    this.#ring = ring;
    this.#buffers = buffers;
    this.#free = [...buffers].reverse();
  }

  /**
   * Allocates the memory and registers it with `ring`.
   *
   * @example
   * ```ts
   * import { FixedBufferPool, IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * using pool = FixedBufferPool.register(ring, { count: 8, size: 65536 });
   * console.log(pool.available); // 8
   * ```
   */
  static register(ring: IoRing, options: FixedBufferPoolOptions): FixedBufferPool {
    const { count, size } = options;
    if (!Number.isInteger(count) || count < 1 || count > 16384) {
      throw new RangeError(
        `Cannot register a buffer pool: count must be an integer from 1 to 16384: current value is ${count}`,
      );
    }
    if (!Number.isInteger(size) || size < 1 || size > 1 << 30) {
      throw new RangeError(
        `Cannot register a buffer pool: size must be an integer from 1 to 2^30: current value is ${size}`,
      );
    }
    const memory = new ArrayBuffer(count * size);
    const buffers = Array.from(
      { length: count },
      (_, index) => ({ index, bytes: new Uint8Array(memory, index * size, size) }),
    );
    ring.registerBuffers(buffers.map((b) => b.bytes));
    return new FixedBufferPool(ring, buffers);
  }

  /** Buffers free to acquire now. */
  get available(): number {
    return this.#free.length;
  }

  /** Every buffer of the pool, by index. */
  get buffers(): readonly FixedBuffer[] {
    return this.#buffers;
  }

  /**
   * A free buffer, or undefined when all are lent out.
   *
   * @example
   * ```ts
   * import { FixedBufferPool, IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * using pool = FixedBufferPool.register(ring, { count: 1, size: 16 });
   * const a = pool.tryAcquire();
   * console.log(a?.index, pool.tryAcquire()); // 0 undefined
   * ```
   */
  tryAcquire(): FixedBuffer | undefined {
    this.#check("acquire a buffer");
    const buffer = this.#free.pop();
    if (buffer !== undefined) this.#lent.add(buffer);
    return buffer;
  }

  /**
   * A free buffer, waiting for one to be released if all are lent out.
   *
   * @example
   * ```ts
   * import { FixedBufferPool, IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * using pool = FixedBufferPool.register(ring, { count: 2, size: 16 });
   * const buffer = await pool.acquire();
   * pool.release(buffer);
   * ```
   */
  acquire(): Promise<FixedBuffer> {
    const buffer = this.tryAcquire();
    if (buffer !== undefined) return Promise.resolve(buffer);
    return new Promise((resolve, reject) => this.#waiting.push([resolve, reject]));
  }

  /**
   * Gives a buffer back (after the operations using it have completed).
   *
   * @example
   * ```ts
   * import { FixedBufferPool, IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * using pool = FixedBufferPool.register(ring, { count: 1, size: 16 });
   * pool.release(pool.tryAcquire()!);
   * console.log(pool.available); // 1
   * ```
   */
  release(buffer: FixedBuffer): void {
    if (!this.#lent.delete(buffer)) {
      throw new TypeError("Cannot release a buffer: it is not lent out by this pool");
    }
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) {
      this.#lent.add(buffer);
      waiter[0](buffer);
    } else {
      this.#free.push(buffer);
    }
  }

  /**
   * A READ_FIXED into `buffer` (its first `length` bytes, default all) from `fd` at `offset`.
   *
   * @example
   * ```ts ignore
   * const n = await ring.run(pool.read(fd, buffer, 0));
   * ```
   */
  read(fd: number | FixedFile, buffer: FixedBuffer, offset = -1, length?: number): ReadFixed {
    const bytes = this.#bytes(buffer, length, "read into a buffer");
    return new ReadFixed(fd, bytes, buffer.index, offset);
  }

  /**
   * A WRITE_FIXED of `buffer`'s first `length` bytes (default all) to `fd` at `offset`.
   *
   * @example
   * ```ts ignore
   * await ring.run(pool.write(fd, buffer, 0, n));
   * ```
   */
  write(fd: number | FixedFile, buffer: FixedBuffer, offset = -1, length?: number): WriteFixed {
    const bytes = this.#bytes(buffer, length, "write from a buffer");
    return new WriteFixed(fd, bytes, buffer.index, offset);
  }

  /**
   * The first `length` bytes of one of this pool's buffers. A buffer of another pool would name an index
   * whose registered memory does not hold it (EFAULT at best), and `subarray` would quietly clamp or wrap
   * a length out of range.
   */
  #bytes(buffer: FixedBuffer, length: number | undefined, what: string): Uint8Array {
    this.#check(what);
    if (buffer === null || typeof buffer !== "object" || this.#buffers[buffer.index] !== buffer) {
      throw new TypeError(
        `Cannot ${what}: buffer must be one of this pool's buffers: current value is ${describe(buffer)}`,
      );
    }
    const size = buffer.bytes.length;
    if (length === undefined) return buffer.bytes;
    checkInt(length, what, "length", 0, size, `an integer from 0 to the buffer's ${size} bytes`);
    return buffer.bytes.subarray(0, length);
  }

  /** Unregisters the memory from the ring; the pool is unusable afterwards, and waiting acquire() calls reject. */
  unregister(): void {
    if (!this.#registered) return;
    this.#registered = false;
    for (const [, reject] of this.#waiting.splice(0)) {
      reject(new TypeError("Cannot acquire a buffer: the pool was unregistered"));
    }
    if (!this.#ring.closed) this.#ring.unregisterBuffers();
  }

  /** Unregisters the pool. */
  [Symbol.dispose](): void {
    this.unregister();
  }

  #check(what: string): void {
    if (!this.#registered) throw new TypeError(`Cannot ${what}: the pool was unregistered`);
  }
}
