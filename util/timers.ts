/**
 * Timers that never keep the process alive, in either runtime.
 *
 * @module
 */

/**
 * Keeps `timer` from holding the process open: `Deno.unrefTimer` in Deno, the timer's own `unref()` in Bun
 * and Node.
 *
 * @param timer What `setTimeout` or `setInterval` returned.
 * @example
 * ```ts
 * import { unrefTimer } from "./timers.ts";
 * const timer = setInterval(() => {}, 1000);
 * unrefTimer(timer); // the process may exit while it is set
 * clearInterval(timer);
 * ```
 */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  const deno = (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno;
  if (typeof timer === "number" && deno !== undefined) deno.unrefTimer(timer);
  else (timer as { unref?: () => void }).unref?.();
}
