/**
 * What the server tells the functions a handler calls (serveDir, serveFile)
 * about the request they were given: the ring it runs on, and a place for the
 * file bodies made for it, which the server gives back once the request is
 * answered. A Request not made by this server has no context, and those
 * functions use the thread's default ring instead.
 *
 * The context is a symbol-keyed property of the request rather than a
 * WeakMap entry: setting and reading a WeakMap costs about 0.2 µs in Deno,
 * per request, and an ephemeron for the collector to trace.
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";

/** The server's side of a request. */
export interface RequestContext {
  /** The ring the connection runs on. */
  readonly ring: IoRing;
}

/** Something held for a request until it is answered (a file body's descriptor or buffer). */
export interface Releasable {
  /** Gives it back; called again, does nothing. */
  release(): void;
}

const CONTEXT = Symbol("ioring request context");
const HELD = Symbol("ioring held bodies");

type Marked = { [CONTEXT]?: RequestContext; [HELD]?: Releasable | Releasable[] | null };

/** Marks `request` as made by a server running on `context.ring`. */
export function setRequestContext(request: object, context: RequestContext): void {
  (request as Marked)[CONTEXT] = context;
  (request as Marked)[HELD] = null;
}

/** The context of a request a server made; undefined for any other. */
export function requestContext(request: Request): RequestContext | undefined {
  return (request as Marked)[CONTEXT];
}

/**
 * Keeps `held` until the server has answered `request` (then it is released): true for a request a server
 * made, false for any other (the caller then needs a backstop of its own).
 */
export function holdUntilAnswered(request: Request, held: Releasable): boolean {
  const marked = request as Marked;
  if (marked[CONTEXT] === undefined) return false;
  const already = marked[HELD];
  if (already === null || already === undefined) marked[HELD] = held;
  else if (Array.isArray(already)) already.push(held);
  else marked[HELD] = [already, held];
  return true;
}

/** Releases what was held for `request` (the server calls this once the response is sent or abandoned). */
export function releaseHeld(request: object): void {
  const marked = request as Marked;
  const held = marked[HELD];
  if (held === null || held === undefined) return;
  marked[HELD] = null;
  if (Array.isArray(held)) { for (const one of held) one.release(); }
  else held.release();
}

/**
 * A field of `request` by lowercase name, as `request.headers.get(name)` gives it, without making the
 * Headers object of a request this server made (its fields are read from the parsed head).
 */
export function requestField(request: Request, name: string): string | null {
  const field = (request as { field?: (name: string) => string | null }).field;
  return typeof field === "function" ? field.call(request, name) : request.headers.get(name);
}

/** Whether `request` has any of the fields `names` (lowercase), without making the Headers of a server's request. */
export function requestHasAnyField(request: Request, names: readonly string[]): boolean {
  const hasAny = (request as { hasAnyField?: (names: readonly string[]) => boolean }).hasAnyField;
  if (typeof hasAny === "function") return hasAny.call(request, names);
  const headers = request.headers;
  return names.some((name) => headers.has(name));
}
