/**
 * `copyFile`, shaped like `Deno.copyFile`: the bytes move in the kernel,
 * never through JavaScript. Each piece is a SPLICE from the source into a
 * pipe linked to a SPLICE from the pipe into the destination at the same
 * offset, one submission for both; two pipes keep two pieces in flight.
 * Anything else (a pipe, a device, a `/proc` file whose size says 0, or a
 * kernel without SPLICE) is copied through a buffer, to its end.
 *
 * @module
 */
import { IORING_OP_SPLICE, O_CREAT, O_TRUNC, O_WRONLY } from "../kernel/constants.ts";
import { EIO, EISDIR } from "../kernel/errno.ts";
import type { IoRing } from "../facade/io_ring.ts";
import { defaultRing } from "../facade/default_ring.ts";
import { openFile, openWaiting } from "./_open.ts";
import { Splice } from "../ops/splice.ts";
import { IoRingError } from "../util/error.ts";
import { forEachChunk } from "./_chunks.ts";
import { closePipe, type SplicePipe, splicePipe } from "./pipe.ts";

/** Options of {@link copyFile}. */
export interface CopyFileOptions {
  /** The ring to copy through; default the thread's (see `defaultRing`). */
  ring?: IoRing;
}

/** Pieces in flight at once, each through a pipe of its own. */
const PIPES = 2;
/** Bytes per piece read through a buffer (no SPLICE). */
const BUFFERED_CHUNK = 1 << 20;

/**
 * Copies the file at `src` to `dst` (created with `src`'s permission bits less the umask, or emptied and
 * overwritten), as `Deno.copyFile`; resolves with the bytes copied.
 *
 * @param src The file to copy.
 * @param dst Where the copy goes.
 * @param options The ring.
 * @returns The number of bytes copied.
 * @throws {IoRingError} What the kernel refused (ENOENT, EACCES, EISDIR, ...), or EIO if `src` shrank.
 * @example Copying a file
 * ```ts
 * import { copyFile, readTextFile } from "@ioring/ioring";
 * const dst = `${Deno.makeTempDirSync()}/deno.json`;
 * console.log((await copyFile("deno.json", dst)) > 0); // true
 * console.log(JSON.parse(await readTextFile(dst)).name); // @ioring/ioring
 * ```
 */
export async function copyFile(
  src: string | URL,
  dst: string | URL,
  options: CopyFileOptions = {},
): Promise<number> {
  const ring = options.ring ?? defaultRing();
  const { fd: input, stat } = await openFile(ring, src);
  try {
    if (stat.isDirectory) throw new IoRingError(EISDIR, "copyFile", { path: String(src) });
    const output = await openWaiting(ring, dst, {
      flags: O_WRONLY | O_CREAT | O_TRUNC,
      mode: stat.mode & 0o7777,
    });
    try {
      // A regular file of size 0 may still have bytes (a /proc file): read to its end, through a buffer.
      const spliced = stat.isFile && stat.size > 0 && ring.probe().supported.has(IORING_OP_SPLICE);
      return spliced
        ? await splicedCopy(ring, input, output, stat.size)
        : await bufferedCopy(ring, input, output);
    } finally {
      await ring.closeFd(output);
    }
  } finally {
    await ring.closeFd(input);
  }
}

/** Copies `size` bytes by linked SPLICE pairs through PIPES pipes. */
async function splicedCopy(ring: IoRing, input: number, output: number, size: number): Promise<number> {
  const pipes: SplicePipe[] = [];
  try {
    for (let i = 0; i < Math.min(PIPES, Math.ceil(size / (1 << 20))); i++) pipes.push(await splicePipe(ring));
    const piece = Math.min(...pipes.map((pipe) => pipe.capacity));
    const free = [...pipes];
    await forEachChunk(() => size, piece, pipes.length, async (start, stop) => {
      const pipe = free.pop()!;
      try {
        await splicePiece(ring, input, output, pipe, start, stop);
      } finally {
        free.push(pipe);
      }
    });
    return size;
  } finally {
    await Promise.all(pipes.map((pipe) => closePipe(ring, pipe)));
  }
}

/** Moves [start, stop) of the source to the same offsets of the destination through `pipe`. */
async function splicePiece(
  ring: IoRing,
  input: number,
  output: number,
  pipe: SplicePipe,
  start: number,
  stop: number,
): Promise<void> {
  for (let at = start; at < stop;) {
    const length = stop - at;
    // One submission: the second SPLICE starts as soon as the first filled the pipe.
    const [filled, emptied] = await ring.link([
      new Splice(input, pipe.writeEnd, length, { offIn: at }),
      new Splice(pipe.readEnd, output, length, { offOut: at }),
    ]);
    if (filled.status === "rejected") throw filled.reason;
    const moved = filled.value;
    if (moved === 0) throw new IoRingError(EIO, "copyFile", { detail: "the source shrank while copied" });
    // A short fill breaks the link (ECANCELED), a short drain leaves bytes in the pipe: empty it here.
    let drained = emptied.status === "fulfilled" ? emptied.value : 0;
    if (emptied.status === "rejected" && (emptied.reason as IoRingError).code !== "ECANCELED") {
      throw emptied.reason;
    }
    while (drained < moved) {
      const n = await ring.splice(pipe.readEnd, output, moved - drained, { offOut: at + drained });
      if (n === 0) throw new IoRingError(EIO, "copyFile", { detail: "the destination took no bytes" });
      drained += n;
    }
    at += moved;
  }
}

/** Copies through a buffer, in turn, to the end of the source (a pipe, a device, a kernel without SPLICE). */
async function bufferedCopy(ring: IoRing, input: number, output: number): Promise<number> {
  const buffer = new Uint8Array(BUFFERED_CHUNK);
  let total = 0;
  for (;;) {
    const n = await ring.read(input, buffer, -1);
    if (n === 0) return total;
    for (let put = 0; put < n;) put += await ring.write(output, buffer.subarray(put, n), -1);
    total += n;
  }
}
