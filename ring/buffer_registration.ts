/**
 * The kernel's side of a buffer ring: the options checked before any system call, the ring's memory
 * (mapped from the kernel for groups up to 2047, page-aligned application memory otherwise),
 * IORING_REGISTER_PBUF_RING and its undoing with errors that name the cause, the kernel's head
 * (IORING_REGISTER_PBUF_STATUS), and the references that keep a registered ring's memory alive.
 *
 * @example
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * import { checkRegistration } from "./buffer_registration.ts";
 * using ring = new IoRing();
 * console.log(checkRegistration(ring, { group: 4000, entries: 8, size: 64 }).entries); // 8
 * ```
 *
 * @module
 */
import {
  IORING_OFF_PBUF_RING,
  IORING_OFF_PBUF_SHIFT,
  IORING_REGISTER_PBUF_RING,
  IORING_REGISTER_PBUF_STATUS,
  IORING_UNREGISTER_PBUF_RING,
  IOU_PBUF_RING_INC,
  IOU_PBUF_RING_MMAP,
} from "../kernel/constants.ts";
import type { IoRingCore } from "./core.ts";
import { BUF, BUF_REG, BUF_STATUS } from "../kernel/layout.ts";
import { IoRingError } from "../util/error.ts";
import { addressOf, checkBacking } from "../memory/buffers.ts";
import { checkInt, describe } from "../util/checks.ts";
import { highWord } from "../util/u64.ts";
import { native } from "../ffi/native.ts";
import { EEXIST, EINVAL } from "../kernel/errno.ts";
import type { BufferRingOptions } from "./buffer_types.ts";

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

const WHAT = "register buffer ring";

/** The options of a registration, checked: `ringMemory` only where the caller gave it. */
export interface CheckedRegistration {
  group: number;
  entries: number;
  size: number;
  incremental: boolean;
  ringMemory: Uint8Array | undefined;
}

/** Checks the ring and the options of `BufferRing.register()`: TypeError or RangeError before any system call. */
export function checkRegistration(ring: IoRingCore, options: BufferRingOptions): CheckedRegistration {
  if (
    ring === null || typeof ring !== "object" || typeof ring.registerRaw !== "function" ||
    typeof ring.mapRing !== "function"
  ) {
    throw new TypeError(`Cannot ${WHAT}: ring must be an IoRing: current value is ${describe(ring)}`);
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `Cannot ${WHAT}: options must be an object { group, entries, size }: current value is ${
        describe(options)
      }`,
    );
  }
  const group = checkInt(options.group, WHAT, "group", 0, MAX_GROUP);
  const entries = options.entries;
  if (
    !Number.isInteger(entries) || entries < 1 || entries > MAX_ENTRIES || (entries & (entries - 1)) !== 0
  ) {
    throw new RangeError(
      `Cannot ${WHAT}: entries must be a power of two from 1 to ${MAX_ENTRIES}: current value is ${
        describe(entries)
      }`,
    );
  }
  const size = checkInt(options.size, WHAT, "size", 1, MAX_SIZE, "an integer from 1 to 2^31-1");
  const incremental = options.incremental ?? false;
  if (typeof incremental !== "boolean") {
    throw new TypeError(
      `Cannot ${WHAT}: incremental must be a boolean: current value is ${describe(incremental)}`,
    );
  }
  const ringMemory = options.ringMemory === undefined
    ? undefined
    : checkRingMemory(options.ringMemory, entries);
  return { group, entries, size, incremental, ringMemory };
}

/** The data buffers: `entries` × `size` bytes in one ArrayBuffer. */
export function allocateBuffers(entries: number, size: number): Uint8Array {
  try {
    return new Uint8Array(new ArrayBuffer(entries * size));
  } catch (error) {
    throw new RangeError(
      `Cannot ${WHAT}: entries × size bytes must be allocatable: current value is ${entries * size}`,
      { cause: error },
    );
  }
}

/**
 * Registers the group and returns the memory of its ring's entries: application memory registered by
 * address (the caller's `ringMemory`, or allocated here for a group above 2047), or the kernel's ring,
 * mapped (IOU_PBUF_RING_MMAP). A mapping that fails unregisters the group again.
 */
export function setUpGroup(ring: IoRingCore, checked: CheckedRegistration): Uint8Array {
  const { group, entries, incremental } = checked;
  let ringMemory = checked.ringMemory;
  if (ringMemory === undefined && group > MAX_MAPPED_GROUP) ringMemory = allocateRingMemory(entries);
  if (ringMemory !== undefined) {
    registerGroup(ring, group, entries, incremental, addressOf(ringMemory));
    return ringMemory;
  }
  registerGroup(ring, group, entries, incremental, 0);
  try {
    return new Uint8Array(
      ring.mapRing(IORING_OFF_PBUF_RING + group * 2 ** IORING_OFF_PBUF_SHIFT, entries * BUF.size),
    );
  } catch (error) {
    unregisterGroup(ring, group);
    throw error;
  }
}

/** Checks a caller's `ringMemory`: a Uint8Array, live, of at least `entries` entries, on a page boundary. */
function checkRingMemory(ringMemory: Uint8Array, entries: number): Uint8Array {
  if (!(ringMemory instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot ${WHAT}: ringMemory must be a Uint8Array of the ring's entries: current value is ${
        describe(ringMemory)
      }`,
    );
  }
  checkBacking(ringMemory.buffer, WHAT, "ringMemory");
  if (ringMemory.byteLength < entries * BUF.size) {
    throw new RangeError(
      `Cannot ${WHAT}: ringMemory must hold ${entries} entries × ${BUF.size} bytes: current length is ${ringMemory.byteLength}`,
    );
  }
  const address = addressOf(ringMemory);
  if (address % pageSize !== 0) {
    throw new RangeError(
      `Cannot ${WHAT}: ringMemory must start on a page boundary (${pageSize} bytes): current address is 0x${
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
      detail = refusedFlag(ring, group, entries, flags, ringAddress);
    }
    if (detail === undefined) throw error;
    throw new IoRingError(error.errno, "io_uring_register", { fd: ring.fd, detail }, { cause: error });
  }
}

/** Which flag a kernel that refused a registration with EINVAL lacks: registering without IOU_PBUF_RING_INC tells. */
function refusedFlag(
  ring: IoRingCore,
  group: number,
  entries: number,
  flags: number,
  ringAddress: number,
): string {
  let withoutInc = false;
  if ((flags & IOU_PBUF_RING_INC) !== 0) {
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
  return withoutInc
    ? "IORING_REGISTER_PBUF_RING: the kernel refused IOU_PBUF_RING_INC (incremental consumption needs Linux 6.12)"
    : ringAddress === 0
    ? "IORING_REGISTER_PBUF_RING with IOU_PBUF_RING_MMAP needs Linux 6.4 (buffer rings 5.19); this kernel refused it"
    : "IORING_REGISTER_PBUF_RING needs Linux 5.19; this kernel refused it";
}

/** IORING_UNREGISTER_PBUF_RING for `group`. */
export function unregisterGroup(ring: IoRingCore, group: number): void {
  ring.registerRaw(IORING_UNREGISTER_PBUF_RING, "IORING_UNREGISTER_PBUF_RING", bufReg(group, 0, 0, 0), 1);
}

/** A `struct io_uring_buf_reg`: the ring's address (0 for a kernel-allocated ring), entries, group, flags. */
function bufReg(group: number, entries: number, flags: number, ringAddress: number): Uint8Array {
  const reg = new Uint8Array(BUF_REG.size);
  const view = new DataView(reg.buffer);
  view.setUint32(BUF_REG.ringAddr, ringAddress >>> 0, true);
  view.setUint32(BUF_REG.ringAddr + 4, highWord(ringAddress), true);
  view.setUint32(BUF_REG.ringEntries, entries, true);
  view.setUint16(BUF_REG.bgid, group, true);
  view.setUint16(BUF_REG.flags, flags, true);
  return reg;
}

/** The kernel's head of `group`'s ring (IORING_REGISTER_PBUF_STATUS, 6.8), modulo 2^16. */
export function groupHead(ring: IoRingCore, group: number): number {
  const status = new Uint32Array(BUF_STATUS.size / 4);
  status[BUF_STATUS.bufGroup / 4] = group;
  try {
    ring.registerRaw(IORING_REGISTER_PBUF_STATUS, "IORING_REGISTER_PBUF_STATUS", status, 1);
  } catch (error) {
    if (error instanceof IoRingError && error.errno === EINVAL) {
      throw new IoRingError(EINVAL, "io_uring_register", {
        fd: ring.fd,
        detail: "IORING_REGISTER_PBUF_STATUS needs Linux 6.8; this kernel refused it",
      }, { cause: error });
    }
    throw error;
  }
  return status[BUF_STATUS.head / 4] & 0xffff;
}

/**
 * Keeps every registered buffer ring (and so its data memory, which the kernel writes into) reachable as
 * long as its ring: the ring object lives while it is open.
 */
const held = new WeakMap<IoRingCore, Set<object>>();
/** The ring each buffer ring was registered on. */
const owners = new WeakMap<object, IoRingCore>();

/** Holds `pool` (a buffer ring just registered on `ring`) for as long as `ring`, or until {@link release}. */
export function hold(ring: IoRingCore, pool: object): void {
  let set = held.get(ring);
  if (set === undefined) held.set(ring, set = new Set());
  set.add(pool);
  owners.set(pool, ring);
}

/** Lets go of `pool` once the kernel cannot write its memory any more. */
export function release(ring: IoRingCore, pool: object): void {
  held.get(ring)?.delete(pool);
}

/** The ring `pool` was registered on. */
export function ownerOf(pool: object): IoRingCore | undefined {
  return owners.get(pool);
}
