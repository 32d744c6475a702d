/**
 * Whole-file reads through the ring: `readFile` and `readTextFile`, shaped
 * like `Deno.readFile` and `Deno.readTextFile`. A regular file is read in
 * chunks with several reads in flight at once, then once more past its end,
 * so a file that grew meanwhile is read to its new end; a file that shrank
 * ends where a read found its end. Anything else (a `/proc` file, a pipe) is
 * read in turn until end of file.
 *
 * @module
 */
import { MADV_HUGEPAGE } from "../kernel/constants.ts";
import { addressOf } from "../memory/buffers.ts";
import type { IoRing } from "../facade/io_ring.ts";
import { defaultRing } from "../facade/default_ring.ts";
import { forEachChunk } from "./_chunks.ts";
import { openFile } from "./_open.ts";

/** Options of {@link readFile} and {@link readTextFile}. */
export interface ReadFileOptions {
  /** The ring to read through; default the thread's (see `defaultRing`). */
  ring?: IoRing;
  /** Cancels the reads in flight; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Bytes per read. */
const CHUNK = 512 * 1024;
/** Reads in flight at once. */
const DEPTH = 8;
/** Files of at least this size are read into memory advised to use huge pages. */
const HUGE_PAGES_FROM = 8 << 20;
const PAGE = 4096;
/** The first buffer of a file whose size is not known in advance. */
const UNKNOWN_START = 64 * 1024;

/**
 * Reads the whole file at `path` (opened read-only, then closed, whatever happens).
 *
 * @param path The file.
 * @param options The ring and an AbortSignal.
 * @returns Its bytes.
 * @throws {IoRingError} What the kernel refused, with its errno name as `code` (ENOENT, EACCES, EISDIR, ...).
 * @example Reading a file
 * ```ts
 * import { readFile } from "@ioring/ioring";
 * const bytes = await readFile("deno.json");
 * console.log(new TextDecoder().decode(bytes).includes('"@ioring/ioring"')); // true
 * ```
 */
export async function readFile(path: string | URL, options: ReadFileOptions = {}): Promise<Uint8Array> {
  const ring = options.ring ?? defaultRing();
  const signal = options.signal;
  signal?.throwIfAborted();
  const { fd, stat } = await openFile(ring, path, { signal });
  try {
    signal?.throwIfAborted(); // an open the abort came too late for still gives its fd: closed below
    return stat.isFile && stat.size > 0
      ? await readKnownSize(ring, fd, stat.size, signal)
      : await readToEnd(ring, fd, new Uint8Array(UNKNOWN_START), 0, false, signal);
  } finally {
    await ring.closeFd(fd);
  }
}

/**
 * Reads the whole file at `path` and decodes it as UTF-8 (as `Deno.readTextFile`: a byte order mark is
 * dropped, malformed bytes become U+FFFD).
 *
 * @param path The file.
 * @param options The ring and an AbortSignal.
 * @returns Its text.
 * @example Reading a text file
 * ```ts
 * import { readTextFile } from "@ioring/ioring";
 * const text = await readTextFile("deno.json");
 * console.log(JSON.parse(text).name); // @ioring/ioring
 * ```
 */
export async function readTextFile(path: string | URL, options: ReadFileOptions = {}): Promise<string> {
  return new TextDecoder().decode(await readFile(path, options));
}

/** Reads a regular file of `size` bytes with DEPTH reads in flight, then reads on if it grew. */
async function readKnownSize(
  ring: IoRing,
  fd: number,
  size: number,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  // One byte of room past the end: the read there tells whether the file grew.
  const buffer = new Uint8Array(size + 1);
  if (size >= HUGE_PAGES_FROM) await adviseHugePages(ring, buffer);
  let end = size; // where the file ended, as far as the reads found
  await forEachChunk(() => end, CHUNK, DEPTH, async (start, stop) => {
    for (let at = start; at < Math.min(stop, end);) {
      const n = await ring.read(fd, buffer.subarray(at, Math.min(stop, end)), at, { signal });
      if (n === 0) {
        end = Math.min(end, at); // the file shrank: it ends here
        return;
      }
      at += n;
    }
  });
  if (end < size) return buffer.slice(0, end);
  return await readToEnd(ring, fd, buffer, size, true, signal);
}

/**
 * Reads to the end of the file in turn, into `buffer` from `at` (grown as needed; its bytes before `at` are
 * kept): at offset `at` and on when `positioned`, else at the file position (a pipe or a `/proc` file).
 */
async function readToEnd(
  ring: IoRing,
  fd: number,
  buffer: Uint8Array,
  at: number,
  positioned: boolean,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  for (;;) {
    if (at === buffer.length) {
      const larger = new Uint8Array(buffer.length * 2);
      larger.set(buffer);
      buffer = larger;
    }
    const n = await ring.read(fd, buffer.subarray(at), positioned ? at : -1, { signal });
    if (n === 0) break;
    at += n;
  }
  return at === buffer.length ? buffer : buffer.slice(0, at);
}

/**
 * Advises huge pages for the page-aligned part of `buffer` (madvise takes aligned addresses only). The reads
 * then fault the memory in 2 MiB at a time rather than 4 KiB: measured, a 1 GiB read here went from 0.3 to
 * 4 s (median 1.7 s) to a steady 0.3 to 0.4 s. Advice only: where the kernel refuses it, nothing changes.
 */
async function adviseHugePages(ring: IoRing, buffer: Uint8Array): Promise<void> {
  const skip = (PAGE - (addressOf(buffer) % PAGE)) % PAGE;
  const length = Math.floor((buffer.length - skip) / PAGE) * PAGE;
  await ring.madvise(buffer.subarray(skip, skip + length), MADV_HUGEPAGE).catch(() => {});
}
