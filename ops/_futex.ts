import { settledAddress } from "./_checks.ts";

/** A 32-bit futex word: an element of an Int32Array or Uint32Array (over a SharedArrayBuffer to share it with workers). */
export type FutexArray = Int32Array | Uint32Array;

/** Checks a futex word argument and returns the word's address. */
export function futexAddress(futex: FutexArray, index: number, what: string): number {
  if (!(futex instanceof Int32Array) && !(futex instanceof Uint32Array)) {
    throw new TypeError(
      `Cannot ${what}: futex must be an Int32Array or Uint32Array: current value is ${describe(futex)}`,
    );
  }
  const backing = futex.buffer as ArrayBuffer & {
    resizable?: boolean;
    growable?: boolean;
    detached?: boolean;
  };
  if (backing.detached === true) throw new TypeError(`Cannot ${what}: the futex's buffer is detached`);
  if (backing.resizable === true || backing.growable === true) {
    throw new TypeError(`Cannot ${what}: the futex's buffer is resizable, so its memory may move`);
  }
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= futex.length) {
    throw new RangeError(
      `Cannot ${what}: index must be an integer from 0 to ${futex.length - 1}: current value is ${
        String(index)
      }`,
    );
  }
  return settledAddress(futex.subarray(index, index + 1));
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return String(value);
}

/** Checks a 32-bit futex value or mask (signed or unsigned) and returns it unsigned. */
export function futexWord(value: number, what: string, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new RangeError(
      `Cannot ${what}: ${name} must be a 32-bit integer: current value is ${String(value)}`,
    );
  }
  return value >>> 0;
}
