/**
 * Web streams over a file descriptor, with several reads or writes in flight:
 * a readable that keeps a window of positional reads ahead of its consumer
 * (back pressure: the window is refilled as chunks are taken), and a
 * writable whose writes go at their own offsets, a few at once, each chunk
 * copied so that the producer may reuse its buffer as soon as `write()`
 * resolves. A pipe or another file without offsets is read and written one
 * operation at a time at its position.
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";
import { describe } from "../util/checks.ts";
import { written } from "./_chunks.ts";

/** Bytes per read or write. */
export const STREAM_CHUNK = 256 * 1024;
/** Reads or writes in flight at once on a seekable file. */
export const STREAM_DEPTH = 4;

/** What a file stream needs of its file. */
export interface StreamedFile {
  readonly ring: IoRing;
  readonly fd: number;
  /** Whether reads and writes may name their offset (a regular file), else they go at the file position. */
  readonly seekable: boolean;
  /** Called once when the stream is done (ended, cancelled, failed): Deno.FsFile's streams close their file. */
  done(): Promise<void>;
}

/** A stream of the file's bytes from `start` to its end. */
export function readableFrom(file: StreamedFile, start: number): ReadableStream<Uint8Array> {
  const { ring, fd } = file;
  const depth = file.seekable ? STREAM_DEPTH : 1;
  let next = start; // the offset the next read starts at
  const window: { buffer: Uint8Array; read: Promise<number> }[] = [];
  const fill = () => {
    while (window.length < depth) {
      const buffer = new Uint8Array(STREAM_CHUNK);
      const read = ring.read(fd, buffer, file.seekable ? next : -1);
      read.catch(() => {}); // awaited in turn below; one left behind on cancel must not be unhandled
      window.push({ buffer, read });
      next += STREAM_CHUNK;
    }
  };
  const drain = async () => {
    await Promise.allSettled(window.splice(0).map((entry) => entry.read));
  };
  let finished = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    await drain();
    await file.done();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      fill();
      const { buffer, read } = window.shift()!;
      let n: number;
      try {
        n = await read;
      } catch (error) {
        await finish();
        throw error;
      }
      if (n === 0) {
        await finish();
        controller.close();
        return;
      }
      if (n < buffer.length && file.seekable) {
        // A short read: the reads ahead started past where this one ended. Start again from here, so
        // that nothing is skipped if the file grows meanwhile.
        next -= STREAM_CHUNK * (window.length + 1) - n;
        await drain();
      }
      controller.enqueue(n === buffer.length ? buffer : buffer.subarray(0, n));
    },
    async cancel() {
      await finish();
    },
  }, { highWaterMark: 0 });
}

/** A stream that writes the file from `start` on (at the file position for a file without offsets). */
export function writableAt(file: StreamedFile, start: number): WritableStream<Uint8Array> {
  const { ring, fd } = file;
  const depth = file.seekable ? STREAM_DEPTH : 1;
  let next = start;
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  // Read through a function: a write in flight sets it while write() awaits, which narrowing cannot see.
  const throwIfFailed = (): void => {
    if (failure !== null) throw failure.error;
  };
  const writeAll = async (bytes: Uint8Array, offset: number) => {
    for (let at = 0; at < bytes.length;) {
      at += written(await ring.write(fd, bytes.subarray(at), file.seekable ? offset + at : -1), fd);
    }
  };
  const settleAll = async () => {
    await Promise.allSettled([...inFlight]);
    throwIfFailed();
  };
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(
          `Cannot write fd ${fd}: a chunk must be a Uint8Array: current value is ${describe(chunk)}`,
        );
      }
      throwIfFailed();
      for (let at = 0; at < chunk.length; at += STREAM_CHUNK) {
        while (inFlight.size >= depth) await Promise.race(inFlight);
        throwIfFailed();
        const piece = chunk.slice(at, at + STREAM_CHUNK); // a copy: the producer may reuse its buffer
        const writing: Promise<void> = writeAll(piece, next).catch((error) => {
          failure ??= { error };
        }).finally(() => inFlight.delete(writing));
        inFlight.add(writing);
        next += piece.length;
      }
    },
    async close() {
      try {
        await settleAll();
      } finally {
        await file.done();
      }
    },
    async abort() {
      await Promise.allSettled([...inFlight]);
      await file.done();
    },
  }, { highWaterMark: 1 });
}
