/**
 * Whole-file writes through the ring: `writeFile` and `writeTextFile`, shaped
 * like `Deno.writeFile` and `Deno.writeTextFile`. The bytes go in chunks with
 * several writes in flight at once, each at its own offset (a short write is
 * finished by another); appending writes in turn, since each append lands
 * at the end the file has then.
 *
 * @module
 */
import { O_APPEND, O_CREAT, O_EXCL, O_TRUNC, O_WRONLY } from "../kernel/constants.ts";
import type { IoRing } from "../facade/io_ring.ts";
import { defaultRing } from "../facade/default_ring.ts";
import { openWaiting } from "./_open.ts";
import { describe } from "../util/checks.ts";
import { forEachChunk, written } from "./_chunks.ts";

/** Options of {@link writeFile} and {@link writeTextFile}, as `Deno.WriteFileOptions`. */
export interface WriteFileOptions {
  /** The ring to write through; default the thread's (see `defaultRing`). */
  ring?: IoRing;
  /** Cancels the writes in flight; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Add to the end of the file instead of replacing its bytes; default false. */
  append?: boolean;
  /** Create the file if it does not exist; default true. */
  create?: boolean;
  /** Create the file, failing with EEXIST if it exists; default false. */
  createNew?: boolean;
  /** Permission bits of a created file (less the umask); default 0o666. An existing file keeps its own. */
  mode?: number;
}

/** Bytes per write. */
const CHUNK = 512 * 1024;
/** Writes in flight at once. */
const DEPTH = 8;

/**
 * Writes `data` as the whole content of the file at `path` (created unless `create` is false; replaced, or
 * added to with `append`), then closes it, whatever happens.
 *
 * @param path The file.
 * @param data The bytes.
 * @param options How to open the file, the ring, an AbortSignal.
 * @throws {IoRingError} What the kernel refused, with its errno name as `code` (ENOENT, EEXIST, EACCES, ...).
 * @example Writing a file, then reading it back
 * ```ts
 * import { readFile, writeFile } from "@ioring/ioring";
 * const path = `${Deno.makeTempDirSync()}/hello.bin`;
 * await writeFile(path, new Uint8Array([1, 2, 3]));
 * console.log(await readFile(path)); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export async function writeFile(
  path: string | URL,
  data: Uint8Array,
  options: WriteFileOptions = {},
): Promise<void> {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot write ${path}: data must be a Uint8Array: current value is ${describe(data)}`,
    );
  }
  const ring = options.ring ?? defaultRing();
  const signal = options.signal;
  signal?.throwIfAborted();
  const fd = await openWaiting(ring, path, {
    flags: openFlags(options),
    mode: options.mode ?? 0o666,
    signal,
  });
  try {
    signal?.throwIfAborted(); // an open the abort came too late for still gives its fd: closed below
    if (options.append === true) await writeInTurn(ring, fd, data, signal);
    else await writeAtOffsets(ring, fd, data, signal);
  } finally {
    await ring.closeFd(fd);
  }
}

/**
 * Writes `text`, encoded as UTF-8, as the whole content of the file at `path` (see {@link writeFile}).
 *
 * @param path The file.
 * @param text The text.
 * @param options How to open the file, the ring, an AbortSignal.
 * @example Writing a text file
 * ```ts
 * import { readTextFile, writeTextFile } from "@ioring/ioring";
 * const path = `${Deno.makeTempDirSync()}/note.txt`;
 * await writeTextFile(path, "first line\n");
 * await writeTextFile(path, "second line\n", { append: true });
 * console.log(await readTextFile(path)); // first line\nsecond line\n
 * ```
 */
export function writeTextFile(
  path: string | URL,
  text: string,
  options: WriteFileOptions = {},
): Promise<void> {
  if (typeof text !== "string") {
    return Promise.reject(
      new TypeError(`Cannot write ${path}: text must be a string: current value is ${describe(text)}`),
    );
  }
  return writeFile(path, new TextEncoder().encode(text), options);
}

/** The open(2) flags for `options`, as `Deno.writeFile` reads them. */
function openFlags(options: WriteFileOptions): number {
  let flags = O_WRONLY;
  if (options.createNew === true) flags |= O_CREAT | O_EXCL;
  else if (options.create !== false) flags |= O_CREAT;
  return flags | (options.append === true ? O_APPEND : O_TRUNC);
}

/** Writes `data` from offset 0 with DEPTH writes in flight, each chunk finished where a write was short. */
async function writeAtOffsets(
  ring: IoRing,
  fd: number,
  data: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<void> {
  await forEachChunk(() => data.length, CHUNK, DEPTH, async (start, stop) => {
    for (let at = start; at < stop;) {
      at += written(await ring.write(fd, data.subarray(at, stop), at, { signal }), fd);
    }
  });
}

/** Writes `data` at the file position, one write at a time (O_APPEND puts each at the end). */
async function writeInTurn(
  ring: IoRing,
  fd: number,
  data: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (let at = 0; at < data.length;) {
    at += written(
      await ring.write(fd, data.subarray(at, Math.min(at + CHUNK, data.length)), -1, { signal }),
      fd,
    );
  }
}
