/**
 * A request's body, read from the connection as the handler pulls it:
 * Content-Length bytes, or chunked (RFC 9112 7.1), never past its end, so
 * that a pipelined request after it stays in the connection's input. What the
 * handler leaves unread is drained after the response, up to a limit, or the
 * connection closes: an unread body is never parsed as the next request.
 *
 * @module
 */
import type { Conn } from "../net/connection.ts";
import { ChunkedDecoder } from "./_chunked.ts";
import { HttpError } from "./_errors.ts";
import type { InputBuffer } from "./_input.ts";
import type { RequestHead } from "./_request_head.ts";

/** Bytes read straight from the socket at most at once for a Content-Length body. */
const READ_CHUNK = 64 * 1024;

/** The body of one request. */
export class RequestBody {
  readonly #conn: Conn;
  readonly #input: InputBuffer;
  readonly #decoder: ChunkedDecoder | null;
  readonly #beforeFirstRead: (() => Promise<void>) | null;
  #remaining: number;
  #started = false;
  /** The whole body has been consumed: the connection may read the next request. */
  done: boolean;
  /** The body's framing broke or the peer left mid-body: the connection must close. */
  broken = false;

  /**
   * @param conn The connection.
   * @param input Its received bytes; the body's first bytes may already be there.
   * @param head The request head (its framing).
   * @param beforeFirstRead Runs before the first read (sends `100 Continue`), or null.
   */
  constructor(
    conn: Conn,
    input: InputBuffer,
    head: RequestHead,
    beforeFirstRead: (() => Promise<void>) | null,
  ) {
    this.#conn = conn;
    this.#input = input;
    this.#decoder = head.chunked ? new ChunkedDecoder() : null;
    this.#remaining = head.contentLength;
    this.#beforeFirstRead = beforeFirstRead;
    this.done = !head.chunked && head.contentLength === 0;
  }

  /** Whether any of the body was asked for (and so `100 Continue` was sent). */
  get started(): boolean {
    return this.#started;
  }

  /** The body as a stream of copies (the connection's buffer is reused). */
  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const chunk = await this.next();
        if (chunk === null) controller.close();
        else controller.enqueue(chunk);
      },
    });
  }

  /** The next piece of the body, or null at its end. Rejects (and marks the body broken) on bad framing. */
  async next(): Promise<Uint8Array | null> {
    if (!this.#started) {
      this.#started = true;
      await this.#beforeFirstRead?.();
    }
    try {
      for (;;) {
        if (this.done) return null;
        const piece = this.#decoder === null ? await this.#nextCounted() : this.#nextChunked();
        if (piece !== null && piece.length > 0) return piece;
        if (this.done) return null;
        if (this.#decoder !== null) await this.#fill();
      }
    } catch (error) {
      this.broken = true;
      throw error;
    }
  }

  /**
   * Consumes what is left of the body, at most `limit` bytes more: true if it ended (the connection may go
   * on), false if it is longer, broken, or the peer left (the connection must close).
   */
  async discard(limit: number): Promise<boolean> {
    if (this.broken) return false;
    if (!this.#started) {
      // A client told to wait for `100 Continue` never got it: it may not send the body at all.
      if (this.#beforeFirstRead !== null) return this.done;
      this.#started = true;
    }
    let left = limit;
    try {
      while (!this.done) {
        if (this.#decoder === null && this.#remaining > left) return false;
        const piece = await this.next();
        if (piece === null) break;
        left -= piece.length;
        if (left < 0) return false;
      }
      return true;
    } catch {
      return false;
    }
  }

  async #nextCounted(): Promise<Uint8Array | null> {
    const input = this.#input;
    let piece: Uint8Array;
    if (input.length > 0) {
      piece = input.take(this.#remaining);
    } else {
      piece = new Uint8Array(Math.min(this.#remaining, READ_CHUNK));
      const n = await this.#conn.read(piece);
      if (n === null) throw new HttpError(400, true, "the connection ended inside the request body");
      piece = piece.subarray(0, n);
    }
    this.#remaining -= piece.length;
    if (this.#remaining === 0) this.done = true;
    return piece;
  }

  #nextChunked(): Uint8Array | null {
    const input = this.#input;
    if (input.length === 0) return null;
    const result = this.#decoder!.decode(input.bytes.subarray(input.start, input.end));
    if (result.consumed === 0 && !result.done && input.full) {
      throw new HttpError(400, true, "a chunk-size line longer than the connection's buffer");
    }
    let size = 0;
    for (const chunk of result.chunks) size += chunk.length;
    const piece = new Uint8Array(size);
    let at = 0;
    for (const chunk of result.chunks) {
      piece.set(chunk, at);
      at += chunk.length;
    }
    input.consume(result.consumed);
    if (result.done) this.done = true;
    return piece;
  }

  async #fill(): Promise<void> {
    const n = await this.#input.fill(this.#conn);
    if (n === null) throw new HttpError(400, true, "the connection ended inside the request body");
  }
}
