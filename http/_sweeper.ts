/**
 * The server's deadlines, enforced by one sweep over the connections a few
 * times per deadline instead of a timer per read or send: a request head that
 * takes too long (408), a send that a client does not read (closed), a
 * connection silent between requests (closed).
 *
 * @module
 */
import type { HttpConnection } from "./_connection.ts";
import { unrefTimer } from "../util/timers.ts";

/** The deadlines, in milliseconds. */
export interface Deadlines {
  readonly idleTimeout: number;
  readonly headerTimeout: number;
  readonly sendTimeout: number;
}

/** Sweeps `connections` for expired deadlines until stopped. */
export class Sweeper {
  readonly #timer: ReturnType<typeof setInterval>;

  /**
   * @param connections The server's connections (read on each sweep).
   * @param deadlines The deadlines.
   */
  constructor(connections: Set<HttpConnection>, deadlines: Deadlines) {
    const { idleTimeout, headerTimeout, sendTimeout } = deadlines;
    const period = Math.max(10, Math.min(1000, idleTimeout / 4, headerTimeout / 4, sendTimeout / 4));
    this.#timer = setInterval(() => {
      const now = Date.now();
      for (const c of connections) {
        if (c.sendingSince !== 0) {
          if (now - c.sendingSince >= sendTimeout) c.expire("send");
        } else if (c.headStarted !== 0) {
          if (now - c.headStarted >= headerTimeout) c.expire("header");
        } else if (!c.busy && now - c.lastActive >= idleTimeout) {
          c.expire("idle");
        }
      }
    }, period);
    unrefTimer(this.#timer);
  }

  /** Stops sweeping. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
