/**
 * Durations for the kernel: a {@link TimeSpec} (milliseconds, or seconds and nanoseconds) encoded as a
 * `struct __kernel_timespec` that an SQE or a register argument points at.
 *
 * @module
 */
import { opBigWords } from "./arena.ts";

/** A duration or point in time: milliseconds, or seconds and nanoseconds. */
export type TimeSpec = number | { sec: number; nsec?: number };

/** A {@link TimeSpec} in milliseconds (for timers kept in JavaScript beside the kernel's). */
export function timeSpecMs(time: TimeSpec): number {
  return typeof time === "number" ? time : time.sec * 1000 + (time.nsec ?? 0) / 1e6;
}

/** Encodes a {@link TimeSpec} as a `struct __kernel_timespec`. */
export function encodeTimespec(time: TimeSpec, what: string): BigInt64Array {
  let sec: number, nsec: number;
  if (typeof time === "number") {
    if (!Number.isFinite(time) || time < 0) {
      throw new RangeError(
        `Cannot ${what}: time must be a finite number of milliseconds >= 0: current value is ${time}`,
      );
    }
    sec = Math.floor(time / 1000);
    nsec = Math.round((time - sec * 1000) * 1e6);
  } else if (typeof time === "object" && time !== null) {
    sec = time.sec;
    nsec = time.nsec ?? 0;
    if (!Number.isSafeInteger(sec) || sec < 0 || !Number.isInteger(nsec) || nsec < 0 || nsec >= 1e9) {
      throw new RangeError(
        `Cannot ${what}: sec must be an integer >= 0 and nsec an integer below 1e9: current value is ${sec}s ${nsec}ns`,
      );
    }
  } else {
    throw new TypeError(
      `Cannot ${what}: time must be milliseconds or { sec, nsec }: current value is ${String(time)}`,
    );
  }
  const timespec = opBigWords(2);
  timespec[0] = BigInt(sec);
  timespec[1] = BigInt(nsec);
  return timespec;
}
