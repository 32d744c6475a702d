/**
 * 64-bit kernel fields from JavaScript numbers: the kernel's u64s (addresses, user data, lengths) are split
 * into two 32-bit words, and safe integers (below 2^53) are what the library puts in them.
 *
 * @module
 */

/** 2^32: the weight of a u64's high word. */
export const TWO_32 = 4294967296;

/**
 * The high 32-bit word of a safe integer (all ones for -1, as a 64-bit field holding -1 has).
 *
 * @example
 * ```ts
 * import { highWord } from "./u64.ts";
 * console.log(highWord(2 ** 40 + 5)); // 256
 * ```
 */
export function highWord(value: number): number {
  return value >= 0 && value < TWO_32 ? 0 : Math.floor(value / TWO_32) >>> 0;
}

/**
 * Writes `value` as a little-endian u64 into two words of `words`, from `index`.
 *
 * @example
 * ```ts
 * import { setU64 } from "./u64.ts";
 * const words = new Uint32Array(2);
 * setU64(words, 0, 2 ** 32 + 7);
 * console.log(words[0], words[1]); // 7 1
 * ```
 */
export function setU64(words: Uint32Array, index: number, value: number): void {
  words[index] = value >>> 0;
  words[index + 1] = highWord(value);
}

/**
 * Reads a little-endian u64 at byte `offset` of `view` as a number (exact below 2^53).
 *
 * @example
 * ```ts
 * import { getU64 } from "./u64.ts";
 * const view = new DataView(new ArrayBuffer(8));
 * view.setUint32(4, 1, true);
 * console.log(getU64(view, 0)); // 4294967296
 * ```
 */
export function getU64(view: DataView, offset: number): number {
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * TWO_32;
}
