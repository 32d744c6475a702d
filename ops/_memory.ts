import { native } from "../ffi/native.ts";

const loaded = await native().catch(() => null);

/** A byte view of what a caller passes as a buffer. */
export type BufferSource = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

/**
 * Checks and normalises a buffer argument: a typed array, DataView or
 * ArrayBuffer; not detached, not resizable (the kernel holds its address).
 */
export function byteView(buffer: BufferSource, what: string): Uint8Array {
  let view: Uint8Array;
  if (ArrayBuffer.isView(buffer)) {
    view = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } else if (
    buffer instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer)
  ) {
    view = new Uint8Array(buffer);
  } else {
    throw new TypeError(
      `Cannot ${what}: buffer must be a typed array, DataView or ArrayBuffer: current value is ${
        describe(buffer)
      }`,
    );
  }
  const backing = view.buffer as ArrayBuffer & {
    detached?: boolean;
    resizable?: boolean;
    growable?: boolean;
  };
  if (backing.detached === true) throw new TypeError(`Cannot ${what}: the buffer is detached`);
  if (backing.resizable === true || backing.growable === true) {
    throw new TypeError(
      `Cannot ${what}: the buffer is resizable, so its memory may move while the kernel uses it`,
    );
  }
  return view;
}

/** The address of a view's first byte (0 for an empty view). */
export function addressOf(view: ArrayBufferView): number {
  if (view.byteLength === 0) return 0;
  if (loaded === null) throw new Error("Cannot take a buffer's address: the native layer did not load");
  return loaded.addressOf(view);
}

/** Checks a file offset: a safe integer >= 0, or -1 for the current file position. */
export function checkOffset(offset: number, what: string): number {
  if (!Number.isSafeInteger(offset) || offset < -1) {
    throw new RangeError(
      `Cannot ${what}: offset must be an integer >= 0, or -1 for the file position: current value is ${offset}`,
    );
  }
  return offset;
}

/** Checks a length against its buffer. */
export function checkLength(length: number | undefined, view: ArrayBufferView, what: string): number {
  if (length === undefined) return Math.min(view.byteLength, 0xffffffff);
  if (!Number.isInteger(length) || length < 0 || length > view.byteLength) {
    throw new RangeError(
      `Cannot ${what}: length must be an integer from 0 to the buffer's ${view.byteLength} bytes: current value is ${length}`,
    );
  }
  return length;
}

/** Checks a file descriptor argument. */
export function checkFd(fd: number, what: string): number {
  if (!Number.isInteger(fd) || fd < -100 || fd > 0x7fffffff) {
    throw new RangeError(`Cannot ${what}: fd must be a file descriptor (an integer): current value is ${fd}`);
  }
  return fd;
}

/** A NUL-terminated copy of a path, for the kernel. */
export function cString(path: string | URL, what: string): Uint8Array {
  const text = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  if (typeof text !== "string") {
    throw new TypeError(
      `Cannot ${what}: path must be a string or file URL: current value is ${describe(path)}`,
    );
  }
  if (text.includes("\0")) throw new TypeError(`Cannot ${what}: path contains a NUL byte`);
  const bytes = encoder.encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

const encoder = new TextEncoder();

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value === "string" ? `"${value}"` : String(value);
}
