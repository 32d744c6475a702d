import { nativeOrNull } from "../ffi/native.ts";
import { IOVEC } from "../kernel/layout.ts";
import { opCString, opWords } from "./arena.ts";
import { describe, pathLabel } from "../util/checks.ts";
import { TWO_32 } from "../util/u64.ts";

const loaded = nativeOrNull();

/**
 * What an op takes as a buffer: a typed array, DataView, ArrayBuffer or SharedArrayBuffer. The kernel is
 * given the memory's address and uses it until the op's last completion, so:
 *
 * - a SharedArrayBuffer is accepted: its memory never moves and cannot be detached (other threads may
 *   change the bytes while the kernel reads or writes them, as with any shared memory);
 * - a resizable ArrayBuffer (`maxByteLength`) or growable SharedArrayBuffer is refused with a TypeError:
 *   a shrink while the op is in flight would leave the kernel an address the buffer no longer covers;
 * - a detached buffer is refused with a TypeError, when the op is built and again whenever the builder is
 *   prepared (builders are reusable). Detaching a buffer while an op using it is in flight cannot be
 *   refused: a same-length `transfer()` or `structuredClone` transfer moves the memory to the new
 *   ArrayBuffer, where the bytes then land, and the caller must keep that one alive until the op settles.
 *
 * @example
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat("/etc/hostname");
 * console.log(await ring.read(fd, new SharedArrayBuffer(64), 0) > 0); // true
 * await ring.closeFd(fd);
 * ```
 */
export type BufferSource = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

/**
 * Checks and normalises a buffer argument (see {@link BufferSource}): a typed array, DataView,
 * ArrayBuffer or SharedArrayBuffer; not detached, not resizable.
 */
export function byteView(buffer: BufferSource, what: string): Uint8Array {
  if (buffer instanceof Uint8Array) {
    // Its offset and length cannot change (length-tracking views of resizable buffers are refused), so it
    // serves as it is: no view of its own to allocate.
    checkBacking(buffer.buffer, what, "the buffer");
    return buffer;
  }
  if (ArrayBuffer.isView(buffer)) {
    // Checked before a view is made over it: a detached buffer would fail with the engine's own words.
    checkBacking(buffer.buffer, what, "the buffer");
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  if (
    buffer instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer)
  ) {
    checkBacking(buffer, what, "the buffer");
    return new Uint8Array(buffer);
  }
  throw new TypeError(
    `Cannot ${what}: buffer must be a typed array, DataView or ArrayBuffer: current value is ${
      describe(buffer)
    }`,
  );
}

/**
 * Refuses, when an op is prepared, a buffer detached since the op was built: builders are reusable, and
 * the caller may have transferred the buffer in between, after which the address taken at build time
 * belongs to the new owner or to nobody. A detached view's length reads 0, so the check costs one load
 * per prepare. `had` is non-zero when the view had bytes at build time (its address, or its length).
 */
export function checkAttached(view: ArrayBufferView, had: number, op: string): void {
  if (had !== 0 && view.byteLength === 0) {
    throw new TypeError(
      `Cannot ${op}: the buffer was detached (transferred) after the op was built: build the op again with a live buffer`,
    );
  }
}

/** Refuses memory that may vanish or move while the kernel uses it: a detached or resizable buffer. */
export function checkBacking(buffer: ArrayBufferLike, what: string, noun: string): void {
  const backing = buffer as ArrayBuffer & { detached?: boolean; resizable?: boolean; growable?: boolean };
  if (backing.detached === true) throw new TypeError(`Cannot ${what}: ${noun} is detached`);
  if (backing.resizable === true || backing.growable === true) {
    throw new TypeError(
      `Cannot ${what}: ${noun} is resizable, so its memory may move while the kernel uses it`,
    );
  }
}

/**
 * The address of a view's first byte (0 for an empty view), for the kernel to
 * use after this call returns. Both FFI adapters read `.buffer` first: Bun's
 * engine keeps small typed arrays inline and moves their bytes into a new
 * ArrayBuffer the first time `.buffer` is read, which would leave an address
 * taken earlier pointing at freed memory; reading it first settles them.
 */
export function addressOf(view: ArrayBufferView): number {
  if (view.byteLength === 0) return 0;
  if (loaded === null) throw new Error("Cannot take a buffer's address: the native layer did not load");
  return loaded.addressOf(view);
}

/** A NUL-terminated UTF-8 copy of a path (a string or a file URL), for the kernel. */
export function cString(path: string | URL, what: string): Uint8Array {
  if (!(path instanceof URL) && typeof path !== "string") {
    throw new TypeError(
      `Cannot ${what}: path must be a string or file URL: current value is ${describe(path)}`,
    );
  }
  return cText(pathLabel(path), what, "path");
}

/** A NUL-terminated UTF-8 copy of a string (an xattr name, a path), for the kernel. */
export function cText(text: string, what: string, name: string): Uint8Array {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot ${what}: ${name} must be a string: current value is ${describe(text)}`);
  }
  if (text.includes("\0")) throw new TypeError(`Cannot ${what}: ${name} contains a NUL byte`);
  return opCString(text);
}

/**
 * A `struct iovec` array for `views` (base address and length of each, 64-bit words), with room for at
 * least `minimum` entries. The caller keeps the array and the views alive while the kernel uses them.
 */
export function encodeIovecs(views: readonly ArrayBufferView[], minimum = 0): Uint32Array {
  const iovecs = opWords(Math.max(minimum, views.length) * (IOVEC.size / 4));
  views.forEach((view, i) => {
    const address = addressOf(view);
    const w = (i * IOVEC.size) / 4;
    iovecs[w + IOVEC.base / 4] = address >>> 0;
    iovecs[w + IOVEC.base / 4 + 1] = Math.floor(address / TWO_32);
    iovecs[w + IOVEC.len / 4] = view.byteLength >>> 0;
    iovecs[w + IOVEC.len / 4 + 1] = Math.floor(view.byteLength / TWO_32); // iov_len is 64-bit
  });
  return iovecs;
}
