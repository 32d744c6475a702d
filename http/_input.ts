/**
 * A connection's received bytes not yet parsed: request heads accumulate
 * here, and what follows a head (its body, pipelined requests) stays here
 * until it is taken.
 *
 * @module
 */
import type { Conn } from "../net/connection.ts";

/** The bytes received on a connection and not yet consumed: `bytes[start, end)`. */
export class InputBuffer {
  /** The storage; its length is the most a request head may take. */
  readonly bytes: Uint8Array;
  /** Where the unconsumed bytes start. */
  start = 0;
  /** Where they end. */
  end = 0;

  /** @param capacity The most bytes held at once (the head limit plus room for its terminator). */
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  /** How many unconsumed bytes there are. */
  get length(): number {
    return this.end - this.start;
  }

  /** Whether no more bytes fit without consuming some. */
  get full(): boolean {
    return this.start === 0 && this.end === this.bytes.length;
  }

  /** Moves the unconsumed bytes to the front, so that a read has the most room. */
  compact(): void {
    if (this.start === 0) return;
    this.bytes.copyWithin(0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
  }

  /**
   * Reads more from `conn` after the unconsumed bytes: how many arrived, or null at end of stream.
   * `signal` bounds the wait.
   */
  fill(conn: Conn, signal?: AbortSignal): Promise<number | null> {
    if (this.end === this.bytes.length) this.compact();
    const into = this.bytes.subarray(this.end);
    if (signal !== undefined) {
      return conn.read(into, { signal }).then((n) => {
        if (n !== null) this.end += n;
        return n;
      });
    }
    // The callback read: one promise per fill rather than three.
    return new Promise((resolve, reject) => {
      conn.readThen(into, (n, error) => {
        if (error !== undefined) return reject(error);
        if (n !== null) this.end += n;
        resolve(n);
      });
    });
  }

  /** Consumes up to `n` bytes and returns a copy of them. */
  take(n: number): Uint8Array {
    const count = Math.min(n, this.length);
    const copy = this.bytes.slice(this.start, this.start + count);
    this.consume(count);
    return copy;
  }

  /** Consumes `n` bytes. */
  consume(n: number): void {
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
  }
}
