/**
 * The receive pool: one buffer ring per {@link IoRing} that every connection on it receives into with a
 * multishot RECV, registered on first use (group {@link NET_BUFFER_GROUP}, 256 buffers of 16 KiB).
 *
 * @example
 * ```ts
 * import { IoRing, NET_BUFFER_GROUP } from "@ioring/ioring";
 * import { receivePool } from "./receive_pool.ts";
 * using ring = new IoRing();
 * console.log(receivePool(ring)?.group === NET_BUFFER_GROUP); // true where the kernel has buffer rings
 * ```
 *
 * @module
 */
import { BufferRing } from "../ring/buffer_ring.ts";
import type { IoRing } from "../facade/io_ring.ts";

/**
 * The buffer group the connections of a ring receive into (a multishot RECV
 * per connection picks buffers from one ring-wide pool). The highest group a
 * kernel-allocated buffer ring can have, to stay out of the way of the
 * application's own groups.
 *
 * @example Leaving the group to the connections
 * ```ts
 * import { BufferRing, IoRing, NET_BUFFER_GROUP } from "@ioring/ioring";
 * using ring = new IoRing();
 * using pool = BufferRing.register(ring, { group: NET_BUFFER_GROUP - 1, entries: 8, size: 4096 });
 * console.log(pool.group); // 2046
 * ```
 */
export const NET_BUFFER_GROUP = 2047;
/** Buffers in the shared receive pool. */
const POOL_ENTRIES = 256;
/** Bytes per buffer of the pool (4 MiB per ring), and of a connection's own buffer when the pool is dry. */
export const POOL_BUFFER_SIZE = 16 * 1024;
/** Received buffers a connection may hold unread before its multishot RECV is stopped (back pressure). */
export const MAX_HELD = 8;

// One receive pool per ring, registered on first use; null where the kernel has no buffer rings (or the
// application took the group), and the connections receive with a plain RECV instead.
const pools = new WeakMap<IoRing, BufferRing | null>();

/** The receive pool of `ring`, registered on the first call; null where it cannot be. */
export function receivePool(ring: IoRing): BufferRing | null {
  let pool = pools.get(ring);
  if (pool === undefined) {
    try {
      pool = BufferRing.register(ring, {
        group: NET_BUFFER_GROUP,
        entries: POOL_ENTRIES,
        size: POOL_BUFFER_SIZE,
      });
    } catch {
      pool = null;
    }
    pools.set(ring, pool);
  }
  return pool;
}
