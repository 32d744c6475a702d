/**
 * The bookkeeping of a buffer ring: which buffers are in the ring for the kernel to pick and which are
 * lent to the application, how much of each incremental buffer the kernel has filled, and the entries the
 * kernel reads (`struct io_uring_buf_ring`), written at the tail and published with a release store, as
 * liburing's `io_uring_buf_ring_add()` and `io_uring_buf_ring_advance()` do.
 *
 * @example
 * ```ts
 * import { IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER } from "../kernel/constants.ts";
 * import { BufferLedger } from "./buffer_ledger.ts";
 * const ledger = new BufferLedger(new Uint8Array(4 * 16), new Uint8Array(4 * 64), { entries: 4, size: 64 });
 * const { bid, data } = ledger.take(IORING_CQE_F_BUFFER | (2 << IORING_CQE_BUFFER_SHIFT), 10, "take");
 * console.log(bid, data.byteLength, ledger.available); // 2 10 3
 * ```
 *
 * @module
 */
import { IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUF_MORE } from "../kernel/constants.ts";
import { BUF, BUF_RING } from "../kernel/layout.ts";
import { addressOf } from "../memory/buffers.ts";
import { highWord } from "../util/u64.ts";
import type { BufferRingTake } from "./buffer_types.ts";

/** The buffers of one buffer ring, the entries the kernel picks them from, and who holds each. */
export class BufferLedger {
  readonly #memory: Uint8Array; // the buffers, `size` bytes each, buffer id = index
  readonly #base: number;
  readonly #entries: number;
  readonly #size: number;
  readonly #incremental: boolean;
  readonly #words: Uint32Array; // the ring's entries, as 32-bit words
  readonly #halves: Uint16Array; // the ring's entries, as 16-bit halves (bid, tail)
  readonly #mask: number;
  readonly #inRing: Uint8Array; // 1 while the kernel may pick the buffer (or, incremental, keeps filling it)
  readonly #offset: Uint32Array; // incremental: the bytes of each buffer already delivered
  #tail = 0; // buffers added (16-bit, wraps as the kernel's does)
  #published = 0; // the tail the kernel sees
  #head = 0; // buffers the completions taken so far consumed (16-bit)

  /**
   * Views `ringMemory` (mapped from the kernel, or application memory) as the ring's entries, and puts
   * every buffer of `memory` in it, published.
   */
  constructor(
    ringMemory: Uint8Array,
    memory: Uint8Array,
    options: { entries: number; size: number; incremental?: boolean },
  ) {
    const { entries } = options;
    this.#memory = memory;
    this.#base = addressOf(memory);
    this.#entries = entries;
    this.#size = options.size;
    this.#incremental = options.incremental ?? false;
    this.#words = new Uint32Array(ringMemory.buffer, ringMemory.byteOffset, (entries * BUF.size) / 4);
    this.#halves = new Uint16Array(ringMemory.buffer, ringMemory.byteOffset, (entries * BUF.size) / 2);
    this.#mask = entries - 1;
    this.#inRing = new Uint8Array(entries).fill(1);
    this.#offset = new Uint32Array(entries);
    // io_uring_buf_ring_init(): the kernel's head starts at 0, so the tail does too.
    Atomics.store(this.#halves, BUF_RING.tail / 2, 0);
    for (let bid = 0; bid < entries; bid++) this.add(bid);
    this.publish();
  }

  /** The buffers published to the ring minus those the completions taken consumed. */
  get available(): number {
    return (this.#published - this.#head) & 0xffff;
  }

  /** All `size` bytes of buffer `bid` (a valid id). */
  buffer(bid: number): Uint8Array {
    return this.#memory.subarray(bid * this.#size, (bid + 1) * this.#size);
  }

  /**
   * The buffer a completion with IORING_CQE_F_BUFFER names, lent to the caller unless the kernel keeps it
   * (incremental): a completion of another group, one taken twice or one larger than the buffer throws.
   */
  take(flags: number, res: number, what: string): BufferRingTake {
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

  /** Takes back lent buffer `bid` (a valid id); one that is in the ring already throws. Not yet added. */
  giveBack(bid: number, what: string): void {
    if (this.#inRing[bid] !== 0) {
      throw new Error(
        `Cannot ${what}: the buffer id must name a taken buffer, not one in the ring (recycled twice, or an incremental buffer the kernel still fills): current value is ${bid}`,
      );
    }
    this.#inRing[bid] = 1;
    this.#offset[bid] = 0;
  }

  /** Writes buffer `bid`, whole, into the entry at the tail (`io_uring_buf_ring_add()`), not yet published. */
  add(bid: number): void {
    const entry = (this.#tail & this.#mask) * BUF.size;
    const address = this.#base + bid * this.#size;
    this.#words[(entry + BUF.addr) / 4] = address >>> 0;
    this.#words[(entry + BUF.addr) / 4 + 1] = highWord(address);
    this.#words[(entry + BUF.len) / 4] = this.#size;
    this.#halves[(entry + BUF.bid) / 2] = bid;
    this.#tail = (this.#tail + 1) & 0xffff;
  }

  /** Stores the tail with release semantics (an Atomics store) so the kernel sees the entries before it. */
  publish(): number {
    const count = (this.#tail - this.#published) & 0xffff;
    if (count === 0) return 0;
    Atomics.store(this.#halves, BUF_RING.tail / 2, this.#tail);
    this.#published = this.#tail;
    return count;
  }
}
