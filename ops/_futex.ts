import { addressOf, checkBacking } from "../memory/buffers.ts";
import { checkInt, describe } from "../util/checks.ts";

/** A 32-bit futex word: an element of an Int32Array or Uint32Array (over a SharedArrayBuffer to share it with workers). */
export type FutexArray = Int32Array | Uint32Array;

/** Checks a futex word argument and returns the word's address. */
export function futexAddress(futex: FutexArray, index: number, what: string): number {
  if (!(futex instanceof Int32Array) && !(futex instanceof Uint32Array)) {
    throw new TypeError(
      `Cannot ${what}: futex must be an Int32Array or Uint32Array: current value is ${describe(futex)}`,
    );
  }
  checkBacking(futex.buffer, what, "the futex's buffer");
  const i = checkInt(index, what, "index", 0, futex.length - 1);
  return addressOf(futex.subarray(i, i + 1));
}
