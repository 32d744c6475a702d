/**
 * What listeners and connections share about the socket they wrap: its option setting, its closing (through
 * the ring, or with close(2) once the ring is gone), and the errors of a socket used after close() or cut
 * short by its ring's closing.
 *
 * @module
 */
import { native } from "../ffi/native.ts";
import { checkInt } from "../util/checks.ts";
import { IoRingError } from "../util/error.ts";
import type { IoRing } from "../facade/io_ring.ts";
import { EBADF, ECANCELED } from "../kernel/errno.ts";

const loaded = await native().catch(() => null);

/** Checks the socket a listener or connection wraps. */
export function checkSocket(fd: number, what: string): number {
  return checkInt(fd, what, "fd", 0, 0x7fffffff, "a file descriptor");
}

/** setsockopt(2) with an int value; `what` names the option in the error. */
export function setOption(fd: number, level: number, name: number, value: number, what: string): void {
  if (loaded === null) return;
  const ret = loaded.setsockopt(fd, level, name, new Int32Array([value]), 4);
  if (ret < 0) throw new IoRingError(-ret, "setsockopt", { fd, detail: what });
}

/**
 * Closes a socket through the ring, or with close(2) once the ring has closed (no CLOSE can go through it any
 * more), so that a listener or connection closed after its ring, or while it closes, still lets go of it.
 */
export async function closeSocket(ring: IoRing, fd: number): Promise<void> {
  if (!ring.closed) {
    try {
      await ring.closeFd(fd);
      return;
    } catch (error) {
      // A CLOSE still queued when the ring closed never ran (ECANCELED): the socket is still open.
      if (!(ring.closed && error instanceof IoRingError && error.errno === ECANCELED)) throw error;
    }
  }
  loaded?.close(fd);
}

/** The error of an operation on a listener or connection after its close(). */
export function closedError(op: string, fd: number, what: "listener" | "connection"): IoRingError {
  return new IoRingError(EBADF, op, { fd, detail: `the ${what} is closed` });
}

/** True for the failure of an operation that the closing of its ring cut short (ECANCELED, or EBADF once closed). */
export function endedByRing(ring: IoRing, error: unknown): boolean {
  return ring.closed && error instanceof IoRingError && (error.errno === ECANCELED || error.errno === EBADF);
}
