/**
 * Checks shared by the network builders: integer ranges, buffer groups and
 * direct-descriptor slots, with errors of the form
 * "Cannot <what>: <rule>: current value is X".
 *
 * @module
 */
import { IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER, IORING_FILE_INDEX_ALLOC } from "../ring/constants.ts";

/** Checks an integer in [min, max]; `field` names it in the error. */
export function checkInt(value: number, min: number, max: number, field: string, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `Cannot ${what}: ${field} must be an integer from ${min} to ${max}: current value is ${String(value)}`,
    );
  }
  return value;
}

/** Checks a 32-bit flags word (`MSG_*`, `SOCK_*`, ...), returned as an unsigned value. */
export function checkFlags(value: number, field: string, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new RangeError(
      `Cannot ${what}: ${field} must be a 32-bit integer of flags: current value is ${String(value)}`,
    );
  }
  return value >>> 0;
}

/** Checks a provided-buffer group id (16 bits: `sqe.buf_group`). */
export function checkBufferGroup(group: number, what: string): number {
  return checkInt(group, 0, 0xffff, "bufferGroup", what);
}

/**
 * Turns a direct-descriptor slot (or IORING_FILE_INDEX_ALLOC, or "alloc") into
 * `sqe.file_index`: the slot + 1, or IORING_FILE_INDEX_ALLOC itself, as
 * liburing's `__io_uring_set_target_fixed_file()` writes it.
 */
export function directSlot(slot: number | "alloc", what: string): number {
  if (slot === "alloc" || slot === IORING_FILE_INDEX_ALLOC) return IORING_FILE_INDEX_ALLOC;
  return checkInt(slot, 0, 0xfffffffd, "direct slot", what) + 1;
}

/**
 * The id of the provided buffer a completion used: the high 16 bits of
 * `cqe.flags` when IORING_CQE_F_BUFFER is set, otherwise -1.
 * Matches reading `cqe->flags >> IORING_CQE_BUFFER_SHIFT` in liburing's users.
 *
 * @example
 * ```ts
 * import { bufferId } from "./_net.ts";
 * console.log(bufferId((7 << 16) | 1)); // 7
 * ```
 */
export function bufferId(cqeFlags: number): number {
  return (cqeFlags & IORING_CQE_F_BUFFER) !== 0 ? cqeFlags >>> IORING_CQE_BUFFER_SHIFT : -1;
}

/** The TypeError for ops whose `ioprio` field carries their own flags. */
export function ioprioTaken(name: string, flags: string, ioprio: number): TypeError {
  return new TypeError(
    `Cannot set ioprio on ${name}: the SQE's ioprio field holds its ${flags} flags: current value is ${ioprio}`,
  );
}
