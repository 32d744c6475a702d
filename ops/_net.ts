/**
 * Helpers of the network builders: direct-descriptor slots, provided-buffer
 * ids and the ioprio field that carries their own flags. The generic argument
 * checks are in `_checks.ts`.
 *
 * @module
 */
import {
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_BUFFER,
  IORING_FILE_INDEX_ALLOC,
} from "../kernel/constants.ts";
import { checkInt } from "../util/checks.ts";

/**
 * Turns a direct-descriptor slot (or IORING_FILE_INDEX_ALLOC, or "alloc") into
 * `sqe.file_index`: the slot + 1, or IORING_FILE_INDEX_ALLOC itself, as
 * liburing's `__io_uring_set_target_fixed_file()` writes it.
 */
export function directSlot(slot: number | "alloc", what: string): number {
  if (slot === "alloc" || slot === IORING_FILE_INDEX_ALLOC) return IORING_FILE_INDEX_ALLOC;
  return checkInt(slot, what, "direct slot", 0, 0xfffffffd) + 1;
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
