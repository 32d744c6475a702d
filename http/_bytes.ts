/**
 * Bytes to strings and small copies for the head parser, at the speed a
 * request head needs in both runtimes. Measured per call on a small head
 * (scripts/bench/parse.ts):
 * - Deno gives every new typed array, however small, a store off the V8
 *   heap: about 850 ns each, while a view of an existing ArrayBuffer costs
 *   50 ns. So under Deno the copies are views carved from a 32 KiB pool, as
 *   Node's Buffer pool does; no region is handed out twice (a head lives as
 *   long as its request), and a full pool is dropped, freed once the last
 *   head viewing it goes. Bun allocates a small typed array in 10-60 ns, less
 *   than a view costs there (about 100 ns), so it allocates.
 * - `String.fromCharCode.apply` costs 230-400 ns even for 14 bytes; eight
 *   codes per call for a short string and TextDecoder for a longer ASCII one
 *   are two to three times faster; and header names repeat from request to
 *   request, so a small cache keyed by their bytes returns the same string.
 *
 * @module
 */

const POOL_SIZE = 32 * 1024;
const POOLED = !("Bun" in globalThis);
let pool = new ArrayBuffer(POOL_SIZE);
let poolUsed = 0;

/** Reserves `size` bytes of the pool (8-aligned); a full pool is left to the views that use it. */
function reserve(size: number): number {
  const aligned = (size + 7) & ~7;
  if (poolUsed + aligned > POOL_SIZE) {
    pool = new ArrayBuffer(POOL_SIZE);
    poolUsed = 0;
  }
  const at = poolUsed;
  poolUsed += aligned;
  return at;
}

/**
 * A copy of `bytes[start, end)` that owns its bytes (a view of the pool under Deno).
 *
 * @param bytes The source.
 * @param start Where the copy starts.
 * @param end Where it ends.
 * @returns The copy.
 */
export function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const length = end - start;
  if (length > POOL_SIZE / 8) return bytes.slice(start, end);
  let copy: Uint8Array;
  if (POOLED) {
    const at = reserve(length); // before reading `pool`, which it may replace
    copy = new Uint8Array(pool, at, length);
  } else {
    copy = new Uint8Array(length);
  }
  if (length > 64) {
    copy.set(bytes.subarray(start, end));
  } else {
    for (let i = 0; i < length; i++) copy[i] = bytes[start + i];
  }
  return copy;
}

/**
 * A zeroed Int32Array of `length` elements (a view of the pool under Deno).
 *
 * @param length How many elements.
 * @returns The array.
 */
export function newInt32Array(length: number): Int32Array {
  if (!POOLED || 4 * length > POOL_SIZE / 8) return new Int32Array(length);
  const at = reserve(4 * length); // before reading `pool`, which it may replace
  return new Int32Array(pool, at, length);
}

/** One-character strings, so that the common target "/" costs nothing. */
const SINGLE_CHARS: string[] = Array.from({ length: 256 }, (_, code) => String.fromCharCode(code));
const SHORT = 24;
const SLICE = 4096;
const decoder = new TextDecoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The bytes as latin1, each byte one UTF-16 code unit, as HTTP reads field values (RFC 9110 5.5).
 *
 * @param bytes The source.
 * @param start Where the text starts.
 * @param end Where it ends.
 * @returns The string.
 */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length === 1) return SINGLE_CHARS[bytes[start]];
  if (length <= SHORT) return shortLatin1(bytes, start, end);
  // For ASCII, UTF-8 is latin1, and the decoder is faster than building the string from codes.
  if (isAscii(bytes, start, end)) return decoder.decode(bytes.subarray(start, end));
  let text = "";
  for (let at = start; at < end; at += SLICE) {
    const part = bytes.subarray(at, Math.min(end, at + SLICE));
    text += String.fromCharCode.apply(null, part as unknown as number[]);
  }
  return text;
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  let bits = 0;
  for (let at = start; at < end; at++) bits |= bytes[at];
  return bits < 0x80;
}

function shortLatin1(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  let at = start;
  for (; at + 8 <= end; at += 8) {
    text += String.fromCharCode(
      bytes[at],
      bytes[at + 1],
      bytes[at + 2],
      bytes[at + 3],
      bytes[at + 4],
      bytes[at + 5],
      bytes[at + 6],
      bytes[at + 7],
    );
  }
  for (; at < end; at++) text += String.fromCharCode(bytes[at]);
  return text;
}

/**
 * Bytes above 0x7f in a request target: UTF-8 if they are valid UTF-8, else latin1.
 *
 * @param bytes The source.
 * @param start Where the target starts.
 * @param end Where it ends.
 * @returns The string.
 */
export function utf8OrLatin1(bytes: Uint8Array, start: number, end: number): string {
  try {
    return strictDecoder.decode(bytes.subarray(start, end));
  } catch {
    return latin1(bytes, start, end);
  }
}

/**
 * Strings by their bytes: a hashed table of the last string made for each slot, so that a name, target or
 * value that comes again costs a hash and a comparison instead of a new string. Only equal bytes give a
 * cached string, and strings are immutable: nothing of one request reaches another but equal text.
 */
class StringCache {
  readonly #slots: string[];

  /**
   * @param size How many slots (a power of two).
   * @param longest The longest text cached, in bytes.
   * @param lowercase Whether the strings are lowercased tokens (field names).
   */
  constructor(size: number, readonly longest: number, readonly lowercase: boolean) {
    this.#slots = new Array(size).fill("");
  }

  get(bytes: Uint8Array, start: number, end: number): string {
    const length = end - start;
    const fold = this.lowercase ? 0x20 : 0;
    let hash = length;
    for (let at = start; at < end; at++) hash = (Math.imul(hash, 31) + (bytes[at] | fold)) | 0;
    const slot = (hash ^ (hash >>> 15)) & (this.#slots.length - 1);
    const cached = this.#slots[slot];
    if (cached.length === length) {
      if (this.lowercase ? isLowercaseOf(bytes, start, cached) : isExactly(bytes, start, cached)) {
        return cached;
      }
    }
    const text = this.lowercase ? latin1(bytes, start, end).toLowerCase() : latin1(bytes, start, end);
    return (this.#slots[slot] = text);
  }
}

const names = new StringCache(256, 64, true);
const texts = new StringCache(512, 128, false);

/**
 * A field name (a token) in lowercase, the same string each time the same name comes.
 *
 * @param bytes The source.
 * @param start Where the name starts.
 * @param end Where it ends.
 * @returns The lowercase name.
 */
export function lowercaseName(bytes: Uint8Array, start: number, end: number): string {
  return end - start > names.longest ? latin1(bytes, start, end).toLowerCase() : names.get(bytes, start, end);
}

/**
 * {@link latin1} through a cache of recent strings: for targets and field values, which repeat.
 *
 * @param bytes The source.
 * @param start Where the text starts.
 * @param end Where it ends.
 * @returns The string.
 */
export function cachedLatin1(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  return length <= 1 || length > texts.longest ? latin1(bytes, start, end) : texts.get(bytes, start, end);
}

/** Whether the token `bytes[start, start + lowercase.length)` is `lowercase`, letters in any case. */
export function isLowercaseOf(bytes: Uint8Array, start: number, lowercase: string): boolean {
  for (let i = 0; i < lowercase.length; i++) {
    let byte = bytes[start + i];
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    if (byte !== lowercase.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether `bytes[start, start + text.length)` are the char codes of `text`. */
export function isExactly(bytes: Uint8Array, start: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (bytes[start + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}
