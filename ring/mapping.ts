/**
 * Setting a ring up: io_uring_setup, the mmap of the SQ ring, CQ ring and SQE array, the typed-array views
 * and field indexes over them, the ring fd registered with this thread, and the opcode probe. Matches
 * liburing's `src/setup.c`.
 *
 * @module
 */
import type { Native } from "../ffi/native.ts";
import {
  IO_URING_OP_SUPPORTED,
  IORING_ENTER_REGISTERED_RING,
  IORING_FEAT_SINGLE_MMAP,
  IORING_OFF_CQ_RING,
  IORING_OFF_SQ_RING,
  IORING_OFF_SQES,
  IORING_REGISTER_PROBE,
  IORING_REGISTER_RING_FDS,
  IORING_SETUP_CQE32,
  IORING_SETUP_NO_SQARRAY,
  IORING_SETUP_SQE128,
  IORING_UNREGISTER_RING_FDS,
} from "../kernel/constants.ts";
import { CQRING_OFFSETS, PARAMS, PROBE, SQRING_OFFSETS } from "../kernel/layout.ts";
import { SqeWriter } from "../sqe/writer.ts";
import { IoRingError } from "../util/error.ts";
import {
  encodeSetup,
  type IoRingOptions,
  SETUP_DEPENDENTS,
  setupFlagBits,
  setupFlagNames,
} from "./params.ts";

/** Word indexes (into `sq`) of the SQ ring's fields. */
export interface SqFields {
  head: number;
  tail: number;
  flags: number;
  dropped: number;
  mask: number;
}

/** Word indexes (into `cq`) of the CQ ring's fields, and the CQE array's start and stride. */
export interface CqFields {
  head: number;
  tail: number;
  flags: number;
  overflow: number;
  mask: number;
  cqes: number;
  cqeWords: number;
}

/**
 * A ring set up and mapped: its fd, what the kernel chose, and views over the shared memory. `unmap()`
 * and `close()` are its teardown.
 */
export class RingMapping {
  /** The ring's file descriptor. */
  readonly fd: number;
  /** The SQ size the kernel chose. */
  readonly sqEntries: number;
  /** The CQ size the kernel chose. */
  readonly cqEntries: number;
  /** The `IORING_SETUP_*` flags the ring was created with. */
  readonly flags: number;
  /** The `IORING_FEAT_*` flags this kernel reported. */
  readonly features: number;
  /** The SQ ring's memory as words. */
  readonly sq: Uint32Array;
  /** The SQ ring's fields. */
  readonly sqf: SqFields;
  /** The CQ ring's memory as words, unsigned and signed (a CQE's res). */
  readonly cq: Uint32Array;
  /** The CQ ring's memory as signed words. */
  readonly cqI32: Int32Array;
  /** The CQ ring's fields. */
  readonly cqf: CqFields;
  /** The writer over the SQE array. */
  readonly sqes: SqeWriter;
  /** The fd io_uring_enter takes: the ring's index among this thread's registered rings, or its fd. */
  enterFd: number;
  /** IORING_ENTER_REGISTERED_RING when `enterFd` is an index. */
  enterRegistered = 0;
  readonly #native: Native;
  readonly #maps: { address: number; length: number }[] = [];

  /** io_uring_setup with `options`, then the mappings; a refusal throws {@link IoRingError} naming the flag. */
  constructor(native: Native, options: IoRingOptions) {
    this.#native = native;
    const request = encodeSetup(options);
    const fd = native.setup(request.entries, request.params);
    if (fd < 0) throw setupError(native, -fd, request.entries, request.params);
    this.fd = this.enterFd = fd;
    try {
      const p = new DataView(request.params.buffer);
      const u32 = (offset: number) => p.getUint32(offset, true);
      this.sqEntries = u32(PARAMS.sqEntries);
      this.cqEntries = u32(PARAMS.cqEntries);
      this.flags = u32(PARAMS.flags);
      this.features = u32(PARAMS.features);
      const sqOff = (field: number) => u32(PARAMS.sqOff + field);
      const cqOff = (field: number) => u32(PARAMS.cqOff + field);
      const sqeSize = (this.flags & IORING_SETUP_SQE128) !== 0 ? 128 : 64;
      const cqeSize = (this.flags & IORING_SETUP_CQE32) !== 0 ? 32 : 16;
      const noSqArray = (this.flags & IORING_SETUP_NO_SQARRAY) !== 0;
      const sqSize = sqOff(SQRING_OFFSETS.array) + (noSqArray ? 0 : this.sqEntries * 4);
      const cqSize = cqOff(CQRING_OFFSETS.cqes) + this.cqEntries * cqeSize;
      let sqRing: ArrayBuffer, cqRing: ArrayBuffer;
      if ((this.features & IORING_FEAT_SINGLE_MMAP) !== 0) {
        sqRing = cqRing = this.map(Math.max(sqSize, cqSize), IORING_OFF_SQ_RING);
      } else {
        sqRing = this.map(sqSize, IORING_OFF_SQ_RING);
        cqRing = this.map(cqSize, IORING_OFF_CQ_RING);
      }
      this.sqes = new SqeWriter(this.map(this.sqEntries * sqeSize, IORING_OFF_SQES), sqeSize);
      this.sq = new Uint32Array(sqRing);
      this.sqf = {
        head: sqOff(SQRING_OFFSETS.head) >>> 2,
        tail: sqOff(SQRING_OFFSETS.tail) >>> 2,
        flags: sqOff(SQRING_OFFSETS.flags) >>> 2,
        dropped: sqOff(SQRING_OFFSETS.dropped) >>> 2,
        mask: this.sq[sqOff(SQRING_OFFSETS.ringMask) >>> 2],
      };
      if (!noSqArray) {
        // SQEs are used in ring order, so the index array is the identity, written once.
        const array = sqOff(SQRING_OFFSETS.array) >>> 2;
        for (let i = 0; i < this.sqEntries; i++) this.sq[array + i] = i;
      }
      this.cq = new Uint32Array(cqRing);
      this.cqI32 = new Int32Array(cqRing);
      this.cqf = {
        head: cqOff(CQRING_OFFSETS.head) >>> 2,
        tail: cqOff(CQRING_OFFSETS.tail) >>> 2,
        flags: cqOff(CQRING_OFFSETS.flags) >>> 2,
        overflow: cqOff(CQRING_OFFSETS.overflow) >>> 2,
        mask: this.cq[cqOff(CQRING_OFFSETS.ringMask) >>> 2],
        cqes: cqOff(CQRING_OFFSETS.cqes) >>> 2,
        cqeWords: cqeSize >>> 2,
      };
      this.#registerRingFd();
    } catch (error) {
      this.unmap();
      native.close(fd);
      throw error;
    }
  }

  /** Maps `length` bytes of the ring fd at `offset`; the mapping lives until `unmap()`. */
  map(length: number, offset: number): ArrayBuffer {
    const address = this.#native.mmapShared(this.fd, length, offset, true);
    if (address < 0) {
      throw new IoRingError(-address, "mmap", {
        fd: this.fd,
        detail: `${length} bytes of the ring at offset 0x${offset.toString(16)}`,
      });
    }
    this.#maps.push({ address, length });
    return this.#native.arrayBufferAt(address, length);
  }

  /** Lets go of every mapping. */
  unmap(): void {
    for (const { address, length } of this.#maps) this.#native.munmap(address, length);
    this.#maps.length = 0;
  }

  /** Unregisters the ring fd from this thread, unmaps, and closes the ring fd. */
  close(): void {
    if (this.enterRegistered !== 0) {
      const update = new Uint32Array([this.enterFd, 0, 0, 0]);
      this.#native.register(this.fd, IORING_UNREGISTER_RING_FDS, update, 1);
      this.enterRegistered = 0;
      this.enterFd = this.fd;
    }
    this.unmap();
    this.#native.close(this.fd);
  }

  /**
   * Registers the ring's fd with this thread (IORING_REGISTER_RING_FDS, 5.18), so each io_uring_enter
   * skips the fd lookup. Registration is per thread and capped at 16 rings; without it the plain fd is used.
   */
  #registerRingFd(): void {
    const update = new Uint32Array([0xffffffff, 0, this.fd, 0]); // struct io_uring_rsrc_update, offset -1: any slot
    if (this.#native.register(this.fd, IORING_REGISTER_RING_FDS, update, 1) === 1) {
      this.enterFd = update[0];
      this.enterRegistered = IORING_ENTER_REGISTERED_RING;
    }
  }
}

/** Asks the kernel which opcodes it supports (IORING_REGISTER_PROBE, 5.6); null if it cannot tell. */
export function readProbe(native: Native, fd: number): Uint8Array | null {
  const ops = 256;
  const buffer = new Uint8Array(PROBE.size + ops * PROBE.opSize);
  if (native.register(fd, IORING_REGISTER_PROBE, buffer, ops) < 0) return null;
  const supported = new Uint8Array(ops);
  const count = buffer[PROBE.opsLen];
  for (let i = 0; i < count; i++) {
    const at = PROBE.ops + i * PROBE.opSize;
    const flags = buffer[at + PROBE.opFlags] | (buffer[at + PROBE.opFlags + 1] << 8);
    if ((flags & IO_URING_OP_SUPPORTED) !== 0) supported[buffer[at + PROBE.opOp]] = 1;
  }
  return supported;
}

/** The error of a refused io_uring_setup, naming the flag the kernel refuses when one can be found. */
function setupError(native: Native, errno: number, entries: number, params: Uint8Array): IoRingError {
  const flags = new DataView(params.buffer).getUint32(PARAMS.flags, true);
  const names = setupFlagNames(flags);
  // Find the flag the kernel refuses: the one whose removal (with the flags that depend on it) lets setup
  // succeed. Higher bits first, so that a dependent flag (SQ_AFF) is blamed before the flag it needs (SQPOLL).
  for (const [bit, name] of setupFlagBits(flags).reverse()) {
    const trial = new Uint8Array(params);
    const without = flags & ~bit & ~(SETUP_DEPENDENTS.get(bit) ?? 0);
    new DataView(trial.buffer).setUint32(PARAMS.flags, without >>> 0, true);
    const fd = native.setup(entries, trial);
    if (fd >= 0) {
      native.close(fd);
      return new IoRingError(errno, "io_uring_setup", { detail: `the kernel refused ${name}` });
    }
  }
  const detail = names.length > 0 ? `with ${names.join(" | ")}` : `with ${entries} entries`;
  return new IoRingError(errno, "io_uring_setup", { detail });
}
