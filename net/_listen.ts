/**
 * BIND and LISTEN through the ring where the kernel has the ops (6.11), the
 * libc calls otherwise: one place that decides, so that `listen()` works on
 * every kernel the SOCKET op does (5.19).
 *
 * @module
 */
import { native } from "../ffi/native.ts";
import { encodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
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

/** How an error names an address: "127.0.0.1:8080", "[::1]:8080", or a Unix socket's path. */
export function addressText(address: SocketAddress): string {
  if (address.family === "unix") return address.path;
  return address.family === "ipv6"
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}

/**
 * A kernel refusal of a bind, listen or connect, made to name the address the caller gave (the errno alone,
 * "EADDRINUSE", does not say which address is taken): a TCP address is appended as
 * "cannot <action> 127.0.0.1:8080", a Unix socket's path becomes the error's `path`. Other errors
 * (an abort signal's reason) are returned as they are.
 */
export function atAddress(error: unknown, address: SocketAddress, action: string): unknown {
  if (!(error instanceof IoRingError)) return error;
  const { errno, op, fd } = error;
  if (address.family === "unix") {
    const detail = error.code === "EADDRINUSE"
      ? "a file exists at that path (remove a stale socket file first)"
      : undefined;
    return new IoRingError(errno, op, { fd, path: address.path, detail }, { cause: error });
  }
  return new IoRingError(errno, op, { fd, detail: `cannot ${action} ${addressText(address)}` }, {
    cause: error,
  });
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
