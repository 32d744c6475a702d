/**
 * Opening a file as open(2) would. io_uring first tries an open without
 * blocking, and for a FIFO opened to write before any reader has it that is
 * ENXIO, where open(2) waits for the reader. Such an open is asked again on
 * io_uring's worker threads (IOSQE_ASYNC), where it may block, and so waits.
 * (A FIFO opened to read before its writer comes waits as open(2) does.)
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";
import { AT_EMPTY_PATH, IOSQE_ASYNC } from "../kernel/constants.ts";
import { Openat, type OpenatOptions } from "../ops/openat.ts";
import type { StatxResult } from "../ops/statx.ts";
import type { RunOptions } from "../ring/types.ts";
import { IoRingError } from "../util/error.ts";

/** An open descriptor and what statx said of it. */
export interface OpenedFile {
  readonly fd: number;
  readonly stat: StatxResult;
}

/**
 * Opens `path` and describes it, waiting for a FIFO's reader as open(2) does. The descriptor is the
 * caller's to close; on failure nothing is left open.
 */
export async function openFile(
  ring: IoRing,
  path: string | URL,
  options: OpenatOptions & RunOptions = {},
): Promise<OpenedFile> {
  const fd = await openWaiting(ring, path, options);
  try {
    return { fd, stat: await ring.statx("", { dirfd: fd, flags: AT_EMPTY_PATH, signal: options.signal }) };
  } catch (error) {
    await ring.closeFd(fd).catch(() => {});
    throw error;
  }
}

/** Opens `path`, waiting for a FIFO's reader as open(2) does; for a caller that needs no statx. */
export async function openWaiting(
  ring: IoRing,
  path: string | URL,
  options: OpenatOptions & RunOptions = {},
): Promise<number> {
  try {
    return await ring.openat(path, options);
  } catch (error) {
    if (!(error instanceof IoRingError) || error.code !== "ENXIO") throw error;
    return await openBlocking(ring, path, options); // a FIFO opened to write, with no reader yet
  }
}

/** The open on io_uring's worker threads, where it may block as open(2) does. */
function openBlocking(
  ring: IoRing,
  path: string | URL,
  options: OpenatOptions & RunOptions,
): Promise<number> {
  return ring.run(new Openat(path, options).flags(IOSQE_ASYNC), options);
}
