/**
 * Argument checks shared by the op builders: each throws a RangeError or
 * TypeError of the form "Cannot <what>: <rule>: current value is X".
 *
 * @module
 */

import { addressOf } from "./_memory.ts";

const encoder = new TextEncoder();

function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

/**
 * The address of a view that the kernel will use after this call returns.
 * Bun's engine keeps small typed arrays (up to 1000 elements) inline and moves
 * their bytes into a new ArrayBuffer the first time `.buffer` is read, which
 * would leave an address taken earlier pointing at freed memory. Reading
 * `.buffer` first settles the storage for good (Deno never moves it).
 */
export function settledAddress(view: ArrayBufferView): number {
  void view.buffer;
  return addressOf(view);
}

/** Checks a user_data value (a target to cancel, remove or update): a safe integer from 0 to 2^53-1. */
export function checkUserData(value: number, what: string, name = "userData"): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot ${what}: ${name} must be an integer from 0 to 2^53-1: current value is ${show(value)}`,
    );
  }
  return value;
}

/** Checks an unsigned 32-bit count or length. */
export function checkU32(value: number, what: string, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(
      `Cannot ${what}: ${name} must be an integer from 0 to 2^32-1: current value is ${show(value)}`,
    );
  }
  return value;
}

/**
 * Checks a 32-bit flag word. Flags ORed together in JavaScript become a
 * signed 32-bit integer once bit 31 is set (`EPOLLIN | EPOLLET`), so both
 * signed and unsigned forms are accepted; the result is the unsigned form.
 */
export function checkFlags(value: number, what: string, name = "flags"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new RangeError(
      `Cannot ${what}: ${name} must be a 32-bit integer: current value is ${show(value)}`,
    );
  }
  return value >>> 0;
}

/** Checks a 64-bit length or file offset given as a number: a safe integer >= 0. */
export function checkU64(value: number, what: string, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot ${what}: ${name} must be an integer from 0 to 2^53-1: current value is ${show(value)}`,
    );
  }
  return value;
}

/** Checks a registered buffer index (`sqe.buf_index`, 16 bits). */
export function checkBufIndex(value: number, what: string, name = "bufIndex"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(
      `Cannot ${what}: ${name} must be an integer from 0 to 65535: current value is ${show(value)}`,
    );
  }
  return value;
}

/**
 * Checks the size of a getxattr value buffer: 0 (ask for the size) to
 * XATTR_SIZE_MAX (65536); default 4096.
 */
export function checkXattrSize(size: number | undefined, what: string): number {
  if (size === undefined) return 4096;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0 || size > 65536) {
    throw new RangeError(
      `Cannot ${what}: size must be an integer from 0 to 65536: current value is ${show(size)}`,
    );
  }
  return size;
}

/** A NUL-terminated UTF-8 copy of a name (an xattr name), for the kernel. */
export function cText(text: string, what: string, name: string): Uint8Array {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot ${what}: ${name} must be a string: current value is ${show(text)}`);
  }
  if (text.includes("\0")) throw new TypeError(`Cannot ${what}: ${name} contains a NUL byte`);
  const bytes = encoder.encode(text);
  const out = new Uint8Array(new ArrayBuffer(bytes.length + 1));
  out.set(bytes);
  return out;
}

/** How an error names a path argument. */
export function pathLabel(path: string | URL): string {
  return path instanceof URL ? decodeURIComponent(path.pathname) : String(path);
}
