/**
 * Writes submission queue entries straight into the ring's mapped SQE array.
 * One writer per ring; `select(index)` points it at an SQE, then a prep call
 * writes every field of it (so no stale field from an earlier use survives,
 * and no separate zeroing pass is needed), then setters adjust fields.
 *
 * 64-bit fields are written as two 32-bit halves from JavaScript numbers:
 * no BigInt on the hot path. Values up to 2^53 and -1 (all ones, "current
 * file position") are exact.
 *
 * @module
 */

import { highWord as high } from "../util/u64.ts";

/** Writes SQEs into mapped memory. Matches what liburing's `io_uring_prep_*` helpers write. */
export class SqeWriter {
  /** The SQE array as 32-bit words. */
  readonly u32: Uint32Array;
  /** The SQE array as signed 32-bit words. */
  readonly i32: Int32Array;
  /** The SQE array as 16-bit halves. */
  readonly u16: Uint16Array;
  /** The SQE array as bytes. */
  readonly u8: Uint8Array;
  /** Words per SQE: 16, or 32 with IORING_SETUP_SQE128. */
  readonly words: number;
  /** The first word of the selected SQE. */
  w = 0;

  /**
   * A writer over an SQE array (the ring's mapping, or any scratch buffer for tests).
   *
   * @param sqes The mapped SQE array.
   * @param sqeSize 64, or 128 with IORING_SETUP_SQE128.
   */
  constructor(sqes: ArrayBuffer, sqeSize: number) {
    this.u32 = new Uint32Array(sqes);
    this.i32 = new Int32Array(sqes);
    this.u16 = new Uint16Array(sqes);
    this.u8 = new Uint8Array(sqes);
    this.words = sqeSize >>> 2;
  }

  /** Points the writer at SQE `index`. */
  select(index: number): this {
    this.w = index * this.words;
    return this;
  }

  /**
   * Writes every field of the selected SQE: the common shape of read/write-like
   * operations, with all other fields zero. Matches liburing's `io_uring_prep_rw`.
   */
  prepRw(opcode: number, fd: number, addr: number, len: number, offset: number): this {
    const u = this.u32;
    const w = this.w;
    u[w] = opcode; // opcode, flags = 0, ioprio = 0
    this.i32[w + 1] = fd;
    u[w + 2] = offset >>> 0;
    u[w + 3] = high(offset);
    u[w + 4] = addr >>> 0;
    u[w + 5] = high(addr);
    u[w + 6] = len >>> 0;
    u[w + 7] = 0; // op flags
    u[w + 8] = 0; // user_data
    u[w + 9] = 0;
    u[w + 10] = 0; // buf_index, personality
    u[w + 11] = 0; // file_index / splice_fd_in
    u[w + 12] = 0; // addr3
    u[w + 13] = 0;
    u[w + 14] = 0; // __pad2
    u[w + 15] = 0;
    if (this.words === 32) u.fill(0, w + 16, w + 32);
    return this;
  }

  /** Sets the opcode-specific flags word (rw_flags, fsync_flags, timeout_flags, open_flags, ...). */
  opFlags(value: number): this {
    this.u32[this.w + 7] = value >>> 0;
    return this;
  }

  /** ORs `IOSQE_*` flags into the SQE. */
  flags(value: number): this {
    this.u8[(this.w << 2) + 1] |= value;
    return this;
  }

  /** Clears `IOSQE_*` flags of the SQE (a link flag on the last SQE of a chain cut short). */
  clearFlags(value: number): this {
    this.u8[(this.w << 2) + 1] &= ~value;
    return this;
  }

  /** Sets the ioprio field (also the send/recv/accept flag space). */
  ioprio(value: number): this {
    this.u16[(this.w << 1) + 1] = value;
    return this;
  }

  /** Sets user_data from its two 32-bit halves. */
  userData(lo: number, hi: number): this {
    this.u32[this.w + 8] = lo;
    this.u32[this.w + 9] = hi;
    return this;
  }

  /** Sets buf_index (or buf_group with IOSQE_BUFFER_SELECT). */
  bufIndex(value: number): this {
    this.u16[(this.w << 1) + 20] = value;
    return this;
  }

  /** Sets the personality to run as. */
  personality(value: number): this {
    this.u16[(this.w << 1) + 21] = value;
    return this;
  }

  /** Sets file_index (direct descriptor slot + 1), splice_fd_in or optlen. */
  fileIndex(value: number): this {
    this.u32[this.w + 11] = value >>> 0;
    return this;
  }

  /** Sets the off/addr2 field. */
  off(value: number): this {
    this.u32[this.w + 2] = value >>> 0;
    this.u32[this.w + 3] = high(value);
    return this;
  }

  /** Sets addr3. */
  addr3(value: number): this {
    this.u32[this.w + 12] = value >>> 0;
    this.u32[this.w + 13] = high(value);
    return this;
  }

  /** Reads back the low half of the selected SQE's user_data. */
  userDataLo(): number {
    return this.u32[this.w + 8];
  }

  /** Reads back the high half of the selected SQE's user_data. */
  userDataHi(): number {
    return this.u32[this.w + 9];
  }

  /** Reads back the selected SQE's `IOSQE_*` flags. */
  sqeFlags(): number {
    return this.u8[(this.w << 2) + 1];
  }
}
