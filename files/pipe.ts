/**
 * A pipe sized for moving file bytes by SPLICE: the file server's and
 * `copyFile`'s. Made by IORING_OP_PIPE where the kernel has it (6.16), else
 * by pipe2(2); its capacity raised to 1 MiB (the default
 * /proc/sys/fs/pipe-max-size) or as far as the system allows.
 *
 * @module
 */
import { nativeLayer } from "../ffi/native.ts";
import type { IoRing } from "../facade/io_ring.ts";
import { F_SETPIPE_SZ, IORING_OP_PIPE, O_CLOEXEC } from "../kernel/constants.ts";
import { IoRingError } from "../util/error.ts";

/** The capacity asked for. */
const PIPE_CAPACITY = 1 << 20;

/** Whether each ring's kernel has IORING_OP_PIPE, probed once per ring. */
const pipeOps = new WeakMap<IoRing, boolean>();

function hasPipeOp(ring: IoRing): boolean {
  let has = pipeOps.get(ring);
  if (has === undefined) pipeOps.set(ring, has = ring.probe().supported.has(IORING_OP_PIPE));
  return has;
}

/** A pipe's two ends and the bytes it holds at most. */
export interface SplicePipe {
  readonly readEnd: number;
  readonly writeEnd: number;
  readonly capacity: number;
}

/**
 * A pipe of up to 1 MiB for SPLICE; close both ends with {@link closePipe}.
 *
 * @param ring The ring that makes it (and later splices through it).
 * @returns The pipe.
 * @example
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * import { closePipe, splicePipe } from "./pipe.ts";
 * await using ring = new IoRing();
 * const pipe = await splicePipe(ring);
 * console.log(pipe.capacity > 0); // true
 * await closePipe(ring, pipe);
 * ```
 */
export async function splicePipe(ring: IoRing): Promise<SplicePipe> {
  const native = nativeLayer();
  let ends: [number, number];
  if (hasPipeOp(ring)) {
    ends = await ring.pipe();
  } else {
    const fds = new Int32Array(2);
    const ret = native.pipe2(fds, O_CLOEXEC);
    if (ret < 0) throw new IoRingError(-ret, "pipe2");
    ends = [fds[0], fds[1]];
  }
  const capacity = native.fcntl(ends[1], F_SETPIPE_SZ, PIPE_CAPACITY);
  return { readEnd: ends[0], writeEnd: ends[1], capacity: capacity > 0 ? capacity : 65536 };
}

/**
 * Closes both ends of `pipe`; never rejects.
 *
 * @param ring The ring to close them through.
 * @param pipe The pipe.
 * @example
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * import { closePipe, splicePipe } from "./pipe.ts";
 * await using ring = new IoRing();
 * await closePipe(ring, await splicePipe(ring));
 * ```
 */
export async function closePipe(ring: IoRing, pipe: SplicePipe): Promise<void> {
  await Promise.all([pipe.readEnd, pipe.writeEnd].map((fd) => ring.closeFd(fd).catch(() => {})));
}
