/**
 * BIND and LISTEN through the ring where the kernel has the ops (6.11), the
 * libc calls otherwise: one place that decides, so that `listen()` works on
 * every kernel the SOCKET op does (5.19).
 *
 * @module
 */
import { native } from "../ffi/native.ts";
import { encodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
import { atAddress } from "./address.ts";
import { IORING_OP_BIND, IORING_OP_LISTEN } from "../kernel/constants.ts";
import { IoRingError } from "../util/error.ts";
import { ENOSYS } from "../kernel/errno.ts";
import type { IoRing } from "../facade/io_ring.ts";

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
    try {
      await ring.bind(fd, address);
      await ring.listen(fd, backlog);
    } catch (error) {
      throw atAddress(error, address, "listen on");
    }
    return;
  }
  if (loaded === null) throw new IoRingError(ENOSYS, "bind", { fd, detail: "no native layer" });
  const bytes = encodeSockaddr(address, "bind");
  const bound = loaded.bind(fd, bytes, bytes.byteLength);
  if (bound < 0) throw atAddress(new IoRingError(-bound, "bind", { fd }), address, "listen on");
  const listening = loaded.listen(fd, backlog);
  if (listening < 0) throw atAddress(new IoRingError(-listening, "listen", { fd }), address, "listen on");
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

/**
 * socket(2), then `configure`, bind(2) and listen(2), all in this call: the listening descriptor. The socket
 * is closed if a step fails.
 */
export function bindAndListenSync(
  family: number,
  type: number,
  address: SocketAddress,
  backlog: number,
  configure: (fd: number) => void,
): number {
  if (loaded === null) throw new IoRingError(ENOSYS, "socket", { detail: "no native layer" });
  const fd = loaded.socket(family, type, 0);
  if (fd < 0) throw new IoRingError(-fd, "socket");
  try {
    configure(fd);
    const bytes = encodeSockaddr(address, "bind");
    const bound = loaded.bind(fd, bytes, bytes.byteLength);
    if (bound < 0) throw atAddress(new IoRingError(-bound, "bind", { fd }), address, "listen on");
    const listening = loaded.listen(fd, backlog);
    if (listening < 0) throw atAddress(new IoRingError(-listening, "listen", { fd }), address, "listen on");
    return fd;
  } catch (error) {
    loaded.close(fd);
    throw error;
  }
}
