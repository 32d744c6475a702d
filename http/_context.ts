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

/**
 * A field of `request` by lowercase name, as `request.headers.get(name)` gives it, without making the
 * Headers object of a request this server made (its fields are read from the parsed head).
 */
export function requestField(request: Request, name: string): string | null {
  const field = (request as { field?: (name: string) => string | null }).field;
  return typeof field === "function" ? field.call(request, name) : request.headers.get(name);
}
