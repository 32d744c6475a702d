/**
 * Work over a file's byte range in chunks, several at once: the common part
 * of whole-file reads and writes.
 *
 * @module
 */
import { ENOSPC } from "../kernel/errno.ts";
import { IoRingError } from "../util/error.ts";

/**
 * A write's count, refused when it is 0: a loop writing the rest would repeat forever, so that is ENOSPC, as
 * write(2) would give once the file system has no room.
 */
export function written(n: number, fd: number): number {
  if (n === 0) throw new IoRingError(ENOSPC, "write", { fd, detail: "the file system took no bytes" });
  return n;
}

/**
 * Runs `work(start, stop)` over [0, end()) in chunks of `chunk` bytes, `depth` chunks at once (`end` is asked
 * again before each chunk: a read that found the file shorter moves it). Every chunk started has settled
 * when this returns or throws: the caller may close the descriptor then. After a failure no chunk starts,
 * and the first error is thrown.
 */
export async function forEachChunk(
  end: () => number,
  chunk: number,
  depth: number,
  work: (start: number, stop: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < end()) {
      const start = next;
      const stop = Math.min(start + chunk, end());
      next = stop;
      try {
        await work(start, stop);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = [];
  for (let i = 0; i < Math.min(depth, Math.ceil(end() / chunk)); i++) workers.push(worker());
  await Promise.all(workers);
  if (failure !== null) throw (failure as { error: unknown }).error;
}
