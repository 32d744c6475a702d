/**
 * Small pieces every part of the ring shares: how promise ops' user data is encoded, the checks and errors
 * of calls on the ring, and how a caller's callback is called.
 *
 * @module
 */
import * as constants from "../kernel/constants.ts";
import { EBADF } from "../kernel/errno.ts";
import type { Op } from "../sqe/op.ts";
import { describe } from "../util/checks.ts";
import { IoRingError } from "../util/error.ts";

// user_data of promise operations: the high word's top bit is set, the low word is the slot,
// and the rest of the high word is the slot's generation. Low-level user data is a safe integer
// (below 2^53), so its high word never has the top bit.
/** The high word's bit that marks a promise op's user data. */
export const INTERNAL = 0x80000000;
/** The generation bits of a promise op's high word. */
export const GENERATION_MASK = 0x7fffffff;
/** The low word of the ring's own ASYNC_CANCELs, whose completions nobody waits for. */
export const INTERNAL_CANCEL_SLOT = 0xffffffff;
/** The okErrno of a slot whose callback takes every result as it is, failures included. */
export const RAW_RESULT = -1;

const OPCODE_NAMES = new Map<number, string>(
  Object.entries(constants)
    .filter(([name, value]) =>
      name.startsWith("IORING_OP_") && name !== "IORING_OP_LAST" && typeof value === "number"
    )
    .map(([name, value]) => [value as number, name]),
);

/** The `IORING_OP_*` name of an opcode, for errors. */
export function opcodeName(opcode: number): string {
  return OPCODE_NAMES.get(opcode) ?? `opcode ${opcode}`;
}

/**
 * Calls a caller's callback with a completion. If it throws, the error is reported as uncaught, and the
 * ring goes on: the slot still settles and the other completions are still delivered.
 */
export function callBack(callback: (res: number, flags: number) => void, res: number, flags: number): void {
  try {
    callback(res, flags);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** What a call on a closed ring throws: EBADF, saying the ring is closed, with the op's fd or path. */
export function closedError(op: string | Op | undefined, fallback = "run"): IoRingError {
  if (typeof op === "string") return new IoRingError(EBADF, op, { detail: "the ring is closed" });
  const name = typeof op?.name === "string" ? op.name : fallback;
  const target = op !== null && typeof op === "object" && op.target !== null && typeof op.target === "object"
    ? op.target
    : {};
  return new IoRingError(EBADF, name, { ...target, detail: "the ring is closed" });
}

/** Refuses what is not an op builder before any of it is written into an SQE. */
export function checkOp(op: Op, what: string): void {
  if (
    op === null || typeof op !== "object" || typeof op.prep !== "function" ||
    !Number.isInteger(op.opcode) || op.opcode < 0 || op.opcode > 255
  ) {
    throw new TypeError(
      `Cannot ${what}: op must be an op builder (an object with an opcode and prep()): current value is ${
        describe(op)
      }`,
    );
  }
}
