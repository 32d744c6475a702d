/**
 * The ring a thread uses when nobody handed it one: made on first use, one
 * per JavaScript thread (a Worker has its own), and never holding the
 * process open, since an idle ring waits for nothing.
 *
 * @module
 */
import { IoRing } from "./io_ring.ts";

/** Submission queue entries of the default ring. */
const DEFAULT_ENTRIES = 256;

let ring: IoRing | null = null;

/**
 * The thread's default ring, made on first call with 256 entries; the same ring on every later call,
 * until someone closes it (the next call then makes a new one). Functions that take an optional ring,
 * such as `serveDir` and `serveFile` outside this library's server, use it.
 *
 * @returns The thread's default ring.
 * @example Reading a file on the default ring
 * ```ts
 * import { defaultRing } from "@ioring/ioring";
 * const ring = defaultRing();
 * const fd = await ring.openat("/etc/hostname");
 * const n = await ring.read(fd, new Uint8Array(256), 0);
 * await ring.closeFd(fd);
 * console.log(n > 0, defaultRing() === ring); // true true
 * ```
 */
export function defaultRing(): IoRing {
  if (ring === null || ring.closed) ring = new IoRing({ entries: DEFAULT_ENTRIES });
  return ring;
}
