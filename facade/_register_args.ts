/**
 * The arguments of `io_uring_register(2)` that the registration methods pass: resource tables with their
 * tags, restrictions, io-wq CPU masks and sync-cancel targets, checked and laid out as the kernel reads them.
 *
 * @module
 */
import { FixedFile } from "../sqe/fixed_file.ts";
import { addressOf, type BufferSource, byteView } from "../memory/buffers.ts";
import { encodeTimespec, type TimeSpec } from "../memory/timespec.ts";
import { checkInt, describe, isThenable } from "../util/checks.ts";
import {
  IORING_ASYNC_CANCEL_ALL,
  IORING_ASYNC_CANCEL_ANY,
  IORING_ASYNC_CANCEL_FD,
  IORING_ASYNC_CANCEL_OP,
  IORING_ASYNC_CANCEL_USERDATA,
  IORING_RESTRICTION_REGISTER_OP,
  IORING_RESTRICTION_SQE_FLAGS_ALLOWED,
  IORING_RESTRICTION_SQE_FLAGS_REQUIRED,
  IORING_RESTRICTION_SQE_OP,
  IORING_UNREGISTER_RING_FDS,
} from "../kernel/constants.ts";
import { RESTRICTION, RSRC_REGISTER, RSRC_UPDATE2, SYNC_CANCEL_REG } from "../kernel/layout.ts";
import { cancelTarget } from "../ring/cancel.ts";
import { highWord, setU64 } from "../util/u64.ts";

/** What {@link ControlMethods.registerRestrictions} allows. Anything not listed is refused. */
export interface Restrictions {
  /** `IORING_REGISTER_*` opcodes allowed after the ring is enabled. */
  registerOps?: readonly number[];
  /** `IORING_OP_*` opcodes allowed in SQEs. */
  sqeOps?: readonly number[];
  /** IOSQE_* flags an SQE may carry. */
  sqeFlagsAllowed?: number;
  /** IOSQE_* flags every SQE must carry. */
  sqeFlagsRequired?: number;
}

/**
 * What {@link ControlMethods.cancelSync} cancels, in the terms of liburing's `io_uring_sync_cancel_reg`: every
 * criterion given must match.
 */
export interface CancelMatch {
  /** The `userData` a low-level op was prepared with (IORING_ASYNC_CANCEL_USERDATA when combined). */
  userData?: number;
  /** Ops on this file descriptor or registered file (IORING_ASYNC_CANCEL_FD, FD_FIXED). */
  fd?: number | FixedFile;
  /** Ops of this `IORING_OP_*` code (IORING_ASYNC_CANCEL_OP, 6.6). */
  opcode?: number;
  /** Any op (IORING_ASYNC_CANCEL_ANY); the other criteria must then be absent. */
  any?: boolean;
  /** Every match rather than the first (IORING_ASYNC_CANCEL_ALL). */
  all?: boolean;
}

/**
 * The `__s32` fd array of a file registration: fds, -1 for an empty slot, -2 to skip.
 *
 * @example
 * ```ts
 * import { fileTable } from "./_register_args.ts";
 * console.log(fileTable([3, -1], "register files")); // Int32Array(2) [ 3, -1 ]
 * ```
 */
export function fileTable(fds: readonly number[], what: string): Int32Array {
  if (!Array.isArray(fds) || fds.length === 0) {
    throw new TypeError(`Cannot ${what}: fds must be a non-empty array`);
  }
  return Int32Array.from(fds, (fd) => {
    if (!Number.isInteger(fd) || fd < -2 || fd > 0x7fffffff) {
      throw new RangeError(
        `Cannot ${what}: each fd must be a file descriptor, -1 or -2: current value is ${fd}`,
      );
    }
    return fd;
  });
}

/**
 * The buffers of a buffer registration, as byte views.
 *
 * @example
 * ```ts
 * import { bufferList } from "./_register_args.ts";
 * console.log(bufferList([new ArrayBuffer(8)], "register buffers")[0].length); // 8
 * ```
 */
export function bufferList(buffers: readonly BufferSource[], what: string): Uint8Array[] {
  if (!Array.isArray(buffers) || buffers.length === 0) {
    throw new TypeError(`Cannot ${what}: buffers must be a non-empty array`);
  }
  return buffers.map((buffer) => byteView(buffer, what));
}

/**
 * The `__u64` tags of a registration (0 = untagged), or null when none are given.
 *
 * @example
 * ```ts
 * import { encodeTags } from "./_register_args.ts";
 * console.log(encodeTags([7], 1, "IORING_REGISTER_FILES2")); // Uint32Array(2) [ 7, 0 ]
 * ```
 */
export function encodeTags(
  tags: readonly number[] | undefined,
  count: number,
  what: string,
): Uint32Array | null {
  if (tags === undefined) return null;
  if (!Array.isArray(tags) || tags.length !== count) {
    throw new TypeError(
      `Cannot register with tags: ${what} needs one tag per entry (${count}): current count is ${tags?.length}`,
    );
  }
  const words = new Uint32Array(count * 2);
  tags.forEach((tag, i) => {
    if (!Number.isSafeInteger(tag) || tag < 0) {
      throw new RangeError(
        `Cannot register with tags: each tag must be an integer from 0 to 2^53-1: current value is ${tag}`,
      );
    }
    setU64(words, i * 2, tag);
  });
  return words;
}

/**
 * A `struct io_uring_rsrc_register`: `count` entries at `data` (none for a sparse table), with their tags.
 * `tagWords` must stay reachable until the register call returns.
 *
 * @example
 * ```ts
 * import { rsrcRegisterArg } from "./_register_args.ts";
 * console.log(rsrcRegisterArg(64, 0, null, null)[0]); // 64
 * ```
 */
export function rsrcRegisterArg(
  count: number,
  flags: number,
  data: ArrayBufferView | null,
  tagWords: Uint32Array | null,
): Uint32Array {
  const arg = new Uint32Array(RSRC_REGISTER.size / 4);
  arg[RSRC_REGISTER.nr / 4] = count;
  arg[RSRC_REGISTER.flags / 4] = flags;
  setU64(arg, RSRC_REGISTER.data / 4, data === null ? 0 : addressOf(data));
  setU64(arg, RSRC_REGISTER.tags / 4, tagWords === null ? 0 : addressOf(tagWords));
  return arg;
}

/**
 * A `struct io_uring_rsrc_update2`: `count` entries at `data` replace slots from `offset`.
 *
 * @example
 * ```ts
 * import { rsrcUpdateArg } from "./_register_args.ts";
 * const table = new Int32Array([3]);
 * console.log(rsrcUpdateArg(2, 1, table, null)[0]); // 2
 * ```
 */
export function rsrcUpdateArg(
  offset: number,
  count: number,
  data: ArrayBufferView,
  tagWords: Uint32Array | null,
): Uint32Array {
  const arg = new Uint32Array(RSRC_UPDATE2.size / 4);
  arg[RSRC_UPDATE2.offset / 4] = offset;
  setU64(arg, RSRC_UPDATE2.data / 4, addressOf(data));
  setU64(arg, RSRC_UPDATE2.tags / 4, tagWords === null ? 0 : addressOf(tagWords));
  arg[RSRC_UPDATE2.nr / 4] = count;
  return arg;
}

/**
 * A `cpu_set_t` of 1024 CPUs with `cpus` set.
 *
 * @example
 * ```ts
 * import { cpuMask } from "./_register_args.ts";
 * console.log(cpuMask([0, 9]).subarray(0, 2)); // Uint8Array(2) [ 1, 2 ]
 * ```
 */
export function cpuMask(cpus: readonly number[]): Uint8Array {
  const mask = new Uint8Array(128);
  for (const cpu of cpus) {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= 1024) {
      throw new RangeError(
        `Cannot set io-wq affinity: CPUs must be integers from 0 to 1023: current value is ${cpu}`,
      );
    }
    mask[cpu >> 3] |= 1 << (cpu & 7);
  }
  return mask;
}

/**
 * The `struct io_uring_restriction` array of `restrictions`, and how many entries it holds. Unregistering
 * the ring's own registered fd is always allowed, so that `close()` can let go of the ring.
 *
 * @example
 * ```ts
 * import { restrictionArray } from "./_register_args.ts";
 * console.log(restrictionArray({ sqeOps: [0] }).count); // 2
 * ```
 */
export function restrictionArray(restrictions: Restrictions): { array: Uint8Array; count: number } {
  const entries: [number, number][] = [];
  const ops = (list: readonly number[] | undefined, kind: number, name: string) => {
    for (const op of list ?? []) {
      if (!Number.isInteger(op) || op < 0 || op > 255) {
        throw new RangeError(
          `Cannot register restrictions: ${name} must hold opcodes from 0 to 255: current value is ${op}`,
        );
      }
      entries.push([kind, op]);
    }
  };
  ops(
    [...(restrictions.registerOps ?? []), IORING_UNREGISTER_RING_FDS],
    IORING_RESTRICTION_REGISTER_OP,
    "registerOps",
  );
  ops(restrictions.sqeOps, IORING_RESTRICTION_SQE_OP, "sqeOps");
  for (
    const [value, kind, name] of [
      [restrictions.sqeFlagsAllowed, IORING_RESTRICTION_SQE_FLAGS_ALLOWED, "sqeFlagsAllowed"],
      [restrictions.sqeFlagsRequired, IORING_RESTRICTION_SQE_FLAGS_REQUIRED, "sqeFlagsRequired"],
    ] as const
  ) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0 || value > 255) {
      throw new RangeError(
        `Cannot register restrictions: ${name} must be IOSQE_* bits (0 to 255): current value is ${value}`,
      );
    }
    entries.push([kind, value]);
  }
  const array = new Uint8Array(entries.length * RESTRICTION.size);
  const view = new DataView(array.buffer);
  entries.forEach(([kind, value], i) => {
    view.setUint16(i * RESTRICTION.size + RESTRICTION.opcode, kind, true);
    view.setUint8(i * RESTRICTION.size + RESTRICTION.arg, value);
  });
  return { array, count: entries.length };
}

/** The `io_uring_sync_cancel_reg` fields of a cancelSync target. */
function syncCancelTarget(
  target: number | FixedFile | "all" | CancelMatch,
): { fd: number; flags: number; userData: number; opcode: number } {
  if (typeof target === "number" || target === "all" || target instanceof FixedFile || isThenable(target)) {
    return { ...cancelTarget(target as number, true), userData: 0, opcode: 0 };
  }
  const what = "cancel synchronously";
  if (target === null || typeof target !== "object") {
    throw new TypeError(
      `Cannot ${what}: target must be an fd, a FixedFile, "all" or { userData, fd, opcode, any, all }: current value is ${
        describe(target)
      }`,
    );
  }
  let flags = target.all === true ? IORING_ASYNC_CANCEL_ALL : 0;
  let fd = -1;
  if (target.fd !== undefined) {
    const byFd = cancelTarget(target.fd, false);
    fd = byFd.fd;
    flags |= byFd.flags & ~IORING_ASYNC_CANCEL_ALL;
  }
  let opcode = 0;
  if (target.opcode !== undefined) {
    opcode = checkInt(target.opcode, what, "opcode", 0, 255, "an IORING_OP_* code from 0 to 255");
    flags |= IORING_ASYNC_CANCEL_OP;
  }
  let userData = 0;
  if (target.userData !== undefined) {
    if (!Number.isSafeInteger(target.userData) || target.userData < 0) {
      throw new RangeError(
        `Cannot ${what}: userData must be an integer from 0 to 2^53-1: current value is ${
          describe(target.userData)
        }`,
      );
    }
    userData = target.userData;
    // Alone, user data is the classic key (no flag, 5.19); beside fd or opcode it must be asked for (6.6).
    if ((flags & (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP)) !== 0) {
      flags |= IORING_ASYNC_CANCEL_USERDATA;
    }
  }
  if (target.any === true) {
    if (target.fd !== undefined || target.opcode !== undefined || target.userData !== undefined) {
      throw new TypeError(`Cannot ${what}: any matches every op: give it without userData, fd or opcode`);
    }
    flags |= IORING_ASYNC_CANCEL_ANY;
  } else if (target.fd === undefined && target.opcode === undefined && target.userData === undefined) {
    throw new TypeError(
      `Cannot ${what}: give userData, fd, opcode or any: current value is ${describe(target)}`,
    );
  }
  return { fd, flags, userData, opcode };
}

/**
 * A `struct io_uring_sync_cancel_reg` for `target`, waiting at most `timeout` (forever when undefined), and
 * its flags (IORING_ASYNC_CANCEL_ALL tells how the kernel counts).
 *
 * @example
 * ```ts
 * import { syncCancelArg } from "./_register_args.ts";
 * console.log(syncCancelArg({ userData: 42 }, 1000).arg.length); // 64
 * ```
 */
export function syncCancelArg(
  target: number | FixedFile | "all" | CancelMatch,
  timeout: TimeSpec | undefined,
): { arg: Uint8Array; flags: number } {
  const arg = new Uint8Array(SYNC_CANCEL_REG.size);
  const view = new DataView(arg.buffer);
  const { fd, flags, userData, opcode } = syncCancelTarget(target);
  view.setUint32(SYNC_CANCEL_REG.addr, userData >>> 0, true);
  view.setUint32(SYNC_CANCEL_REG.addr + 4, highWord(userData), true);
  view.setInt32(SYNC_CANCEL_REG.fd, fd, true);
  view.setUint32(SYNC_CANCEL_REG.flags, flags, true);
  view.setUint8(SYNC_CANCEL_REG.opcode, opcode);
  const timespec = timeout === undefined ? new BigInt64Array([-1n, -1n]) : encodeTimespec(timeout, "cancel");
  view.setBigInt64(SYNC_CANCEL_REG.timeout, timespec[0], true);
  view.setBigInt64(SYNC_CANCEL_REG.timeout + 8, timespec[1], true);
  return { arg, flags };
}
