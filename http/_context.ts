/**
 * What the server tells the functions a handler calls (serveDir, serveFile)
 * about the request they were given: the ring it runs on. A Request not made
 * by this server has no context, and those functions use the thread's
 * default ring instead.
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";

/** The server's side of a request. */
export interface RequestContext {
  /** The ring the connection runs on. */
  readonly ring: IoRing;
}

/** The context of each request this server made. */
export const requestContexts: WeakMap<Request, RequestContext> = new WeakMap();
