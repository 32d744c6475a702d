/**
 * BIND and LISTEN through the ring where the kernel has the ops (6.11), the
 * libc calls otherwise: one place that decides, so that `listen()` works on
 * every kernel the SOCKET op does (5.19).
 *
 * @module
 */
import { native } from "../ffi/native.ts";
import { encodeSockaddr, type SocketAddress } from "../ops/_sockaddr.ts";
import { IORING_OP_BIND, IORING_OP_LISTEN } from "../ring/constants.ts";
import { IoRingError } from "../ring/error.ts";
import { ENOSYS } from "../ring/errno.ts";
import type { IoRing } from "../ring/io_ring.ts";

const loaded = await native().catch(() => null);

/**
 * Binds `fd` to `address` and makes it listen: through the ring when `viaRing` (default: when the ring's
 * probe lists both ops), with bind(2) and listen(2) otherwise.
 */
export async function bindAndListen(
  ring: IoRing,
  fd: number,
  address: SocketAddress,
  backlog: number,
  viaRing?: boolean,
): Promise<void> {
  const useRing = viaRing ?? ringHasBindListen(ring);
  if (useRing) {
    await ring.bind(fd, address);
    await ring.listen(fd, backlog);
    return;
  }
  if (loaded === null) throw new IoRingError(ENOSYS, "bind", { fd, detail: "no native layer" });
  const bytes = encodeSockaddr(address, "bind");
  const bound = loaded.bind(fd, bytes, bytes.byteLength);
  if (bound < 0) throw new IoRingError(-bound, "bind", { fd });
  const listening = loaded.listen(fd, backlog);
  if (listening < 0) throw new IoRingError(-listening, "listen", { fd });
}

const probed = new WeakMap<IoRing, boolean>();

function ringHasBindListen(ring: IoRing): boolean {
  let has = probed.get(ring);
  if (has === undefined) {
    try {
      const { supported } = ring.probe();
      has = supported.has(IORING_OP_BIND) && supported.has(IORING_OP_LISTEN);
    } catch {
      has = false;
    }
    probed.set(ring, has);
  }
  return has;
}
