/**
 * Argument checks shared by the op builders. Each takes the value first, then
 * `what` (the action, as in "read fd 3") and the argument's name, returns the
 * value it accepts and throws a RangeError of the form
 * "Cannot <what>: <name> must be <rule>: current value is X", or a TypeError
 * ending "current value is a Promise: did you forget await?" when the value is
 * a Promise.
 *
 * @module
 */

/** How an error shows a value: strings quoted, objects by their constructor's name. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value === "string" ? `"${value}"` : String(value);
}

/**
 * Checks an integer from `min` to `max`. `rule` words the range in the error
 * where the bare numbers would not read well ("an integer from 0 to 2^32-1").
 */
export function checkInt(
  value: number,
  what: string,
  name: string,
  min: number,
  max: number,
  rule = `an integer from ${min} to ${max}`,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    if (isThenable(value)) {
      throw new TypeError(
        `Cannot ${what}: ${name} must be ${rule}: current value is a Promise: did you forget await?`,
      );
    }
    throw new RangeError(`Cannot ${what}: ${name} must be ${rule}: current value is ${describe(value)}`);
  }
  return value;
}

/**
 * True for a Promise or any object with a `then` method: what a call gives
 * when its result was not awaited (`ring.read(ring.openat(path), buffer)`).
 */
export function isThenable(value: unknown): boolean {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}

/** Checks an unsigned 16-bit value (`sqe.buf_index`, `sqe.buf_group`, a port). */
export function checkU16(value: number, what: string, name: string): number {
  return checkInt(value, what, name, 0, 0xffff);
}

/** Checks an unsigned 32-bit count or length. */
export function checkU32(value: number, what: string, name: string): number {
  return checkInt(value, what, name, 0, 0xffffffff, "an integer from 0 to 2^32-1");
}

/** Checks a 64-bit length, file offset or user_data given as a number: a safe integer >= 0. */
export function checkU64(value: number, what: string, name: string): number {
  return checkInt(value, what, name, 0, Number.MAX_SAFE_INTEGER, "an integer from 0 to 2^53-1");
}

/**
 * Checks a 32-bit flag word. Flags ORed together in JavaScript become a
 * signed 32-bit integer once bit 31 is set (`EPOLLIN | EPOLLET`), so both
 * signed and unsigned forms are accepted; the result is the unsigned form.
 */
export function checkFlags(value: number, what: string, name = "flags"): number {
  return checkInt(value, what, name, -0x80000000, 0xffffffff, "a 32-bit integer") >>> 0;
}

/** Checks that an options argument is an object (a null one would fail with the engine's own words). */
export function checkOptions<T extends object>(options: T, what: string): T {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot ${what}: options must be an object: current value is ${describe(options)}`);
  }
  return options;
}

/** Checks a file descriptor argument (AT_FDCWD included). */
export function checkFd(fd: number, what: string): number {
  return checkInt(fd, what, "fd", -100, 0x7fffffff, "a file descriptor (an integer)");
}

/** Checks a file offset: a safe integer >= 0, or -1 for the current file position. */
export function checkOffset(offset: number, what: string): number {
  return checkInt(
    offset,
    what,
    "offset",
    -1,
    Number.MAX_SAFE_INTEGER,
    "an integer >= 0, or -1 for the file position",
  );
}

/** Checks a length against its buffer; by default the whole buffer (capped at 2^32-1). */
export function checkLength(length: number | undefined, view: ArrayBufferView, what: string): number {
  if (length === undefined) return Math.min(view.byteLength, 0xffffffff);
  const rule = `an integer from 0 to the buffer's ${view.byteLength} bytes`;
  return checkInt(length, what, "length", 0, view.byteLength, rule);
}

/**
 * Checks the size of a getxattr value buffer: 0 (ask for the size) to
 * XATTR_SIZE_MAX (65536); default 4096.
 */
export function checkXattrSize(size: number | undefined, what: string): number {
  return size === undefined ? 4096 : checkInt(size, what, "size", 0, 65536);
}

/** How an error names a path argument. */
export function pathLabel(path: string | URL): string {
  if (path instanceof URL) return decodeURIComponent(path.pathname);
  // Not String(path): a typed array's toString throws once its buffer is detached.
  return typeof path === "string" ? path : describe(path);
}
