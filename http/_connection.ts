/**
 * One HTTP/1.1 connection: request heads are read and parsed, each request
 * goes to the handler and its response is sent before the next request is
 * read (pipelined requests wait in the input), the body a handler left
 * unread is drained or the connection closed. The server's sweep enforces
 * the deadlines from outside (see `expire`), so no read or send carries a
 * timer of its own.
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";
import type { Conn } from "../net/connection.ts";
import type { NetAddr } from "../net/address.ts";
import { IoRingError } from "../util/error.ts";
import { EPIPE } from "../kernel/errno.ts";
import { MSG_MORE, MSG_NOSIGNAL } from "../kernel/constants.ts";
import { Send } from "../ops/send.ts";
import { releaseHeld, type RequestContext, setRequestContext } from "./_context.ts";
import { HttpError } from "./_errors.ts";
import type { FileBody } from "./_file_response.ts";
import { FileSender, FileShrankError } from "./_file_sender.ts";
import { IncomingRequest, type SignalWatcher } from "./_incoming_request.ts";
import { InputBuffer } from "./_input.ts";
import { findHeadEnd, isHeadOverflowInRequestLine, parseHead } from "./_parse_head.ts";
import { RequestBody } from "./_request_body.ts";
import type { RequestHead } from "./_request_head.ts";
import { type ExchangeRecord, record, requestUrl } from "./_exchange_record.ts";
import { plainResponse } from "./_response_head.ts";
import { type ResponseSink, type ResponseTerms, writeResponse } from "./_response_writer.ts";

const encoder = new TextEncoder();
const CONTINUE = encoder.encode("HTTP/1.1 100 Continue\r\n\r\n");
/** A peer that reset the connection is an error result, not a SIGPIPE. */
const SEND_OPTIONS = { flags: MSG_NOSIGNAL };
/** The same, for bytes that more bytes follow at once (a head before a spliced body): held for full segments. */
const SEND_MORE_OPTIONS = { flags: MSG_NOSIGNAL | MSG_MORE };

/** What a connection needs of its server. */
export interface ConnectionHost {
  readonly ring: IoRing;
  /** True once the server is shutting down: no new request is read. */
  readonly stopping: boolean;
  /** The most bytes of a request head. */
  readonly maxHeaderBytes: number;
  /** The most bytes of an unread request body drained after the response to keep the connection. */
  readonly drainLimit: number;
  /** Whether file bodies may be SPLICEd. */
  readonly splice: boolean;
  /** `host:port` of the listener, for requests without a Host (HTTP/1.0). */
  readonly authority: string;
  /** What serveDir and serveFile learn of a request this server made: one object for all its requests. */
  readonly context: RequestContext;
  /** Runs the handler (and onError): always a Response, at once when the handler returned one. */
  respond(request: Request, info: { readonly remoteAddr: NetAddr }): Response | Promise<Response>;
  /** Called once per response, sent or abandoned; undefined when nothing logs. */
  readonly logged: ((entry: ExchangeRecord) => void) | undefined;
}

/** Why the server's sweep ends a connection. */
export type ExpiryReason = "idle" | "header" | "send" | "shutdown" | "evicted";

/** A connection and the state the server's sweep reads. */
export class HttpConnection implements ResponseSink, SignalWatcher {
  readonly conn: Conn<NetAddr>;
  readonly #host: ConnectionHost;
  readonly #input: InputBuffer;
  readonly #files: FileSender;
  /**
   * When bytes last arrived or a response was last finished. Date.now(), not performance.now(): the latter is
   * a runtime call in Deno (3% of a small response's time), and the deadlines are whole seconds.
   */
  lastActive = Date.now();
  /** When the current request head started to arrive, 0 between requests. */
  headStarted = 0;
  /** When the send in progress started, 0 when none is. */
  sendingSince = 0;
  /** True from a complete head to its response's end. */
  busy = false;
  #request: IncomingRequest | null = null;
  /** The handler's second argument, the same for every request of the connection. */
  readonly #info: { readonly remoteAddr: NetAddr };
  /** Bytes sent on the connection (for the access log of a response not sent whole). */
  #sent = 0;
  /** A read started during the last exchange (see watchFor), not yet taken into account. */
  #reading: Promise<number | null> | null = null;
  #closing: Promise<void> | null = null;
  #expired: ExpiryReason | null = null;

  /**
   * @param host The server.
   * @param conn The accepted connection.
   */
  constructor(host: ConnectionHost, conn: Conn<NetAddr>) {
    this.#host = host;
    this.conn = conn;
    this.#input = new InputBuffer(host.maxHeaderBytes);
    this.#info = { remoteAddr: conn.remoteAddr };
    this.#files = new FileSender(
      host.ring,
      conn.fd,
      (bytes, done, more) => this.sendThen(bytes, done, more),
      host.splice,
    );
  }

  /** Idle: between requests with nothing received, so closing it loses nothing. */
  get idle(): boolean {
    return !this.busy && this.headStarted === 0 && this.#input.length === 0;
  }

  /** Serves requests until the peer leaves, a response says close, or the server stops. */
  async run(): Promise<void> {
    try {
      for (;;) {
        const head = await this.#readHead();
        if (head === null || !(await this.#exchange(head))) break;
      }
    } catch (error) {
      if (error instanceof HttpError) await this.#refuse(error);
      else if (error instanceof FileShrankError) console.error(`serve: ${error.message}`);
      else if (!(error instanceof IoRingError) && this.#closing === null) throw error;
    } finally {
      this.#request?.abort(new DOMException("the connection closed", "AbortError"));
      await this.#linger();
    }
  }

  /** Ends the connection for the server's sweep: a late head gets 408, the others are closed at once. */
  expire(reason: ExpiryReason): void {
    if (this.#expired !== null) return;
    this.#expired = reason;
    if (reason === "header" && this.sendingSince === 0) {
      void this.#refuse(new HttpError(408, true)).finally(() => this.close());
    } else {
      void this.close();
    }
  }

  /** Closes the socket; the loop then ends. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#files.close();
      await this.conn.close().catch(() => {});
    })();
    return this.#closing;
  }

  /** Sends all of `bytes` under the send deadline (see {@link sendThen}), as a promise. */
  send(bytes: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.sendThen(bytes, (error) => error === undefined ? resolve() : reject(error));
    });
  }

  /**
   * Sends all of `bytes` under the send deadline: SENDs chained by completion callbacks, then `done` once,
   * with the error if one failed (the hot path of every response: no promise of its own).
   */
  sendThen(bytes: Uint8Array, done: (error?: unknown) => void, more = false): void {
    const ring = this.#host.ring;
    const fd = this.conn.fd;
    let at = 0;
    const fail = (error: unknown) => {
      this.sendingSince = 0;
      done(error);
    };
    const next = () => {
      if (this.#closing !== null) {
        return fail(new IoRingError(EPIPE, "send", { fd, detail: "connection closed" }));
      }
      try {
        ring.start(
          new Send(fd, at === 0 ? bytes : bytes.subarray(at), more ? SEND_MORE_OPTIONS : SEND_OPTIONS),
          onSent,
        );
      } catch (error) {
        fail(error);
      }
    };
    const onSent = (n: number) => {
      if (n < 0) return fail(new IoRingError(-n, "send", { fd }));
      at += n;
      this.#sent += n;
      if (at < bytes.length) return next();
      this.sendingSince = 0;
      done();
    };
    this.sendingSince = Date.now();
    next();
  }

  /** Sends a head and a file body. */
  sendFile(head: Uint8Array, file: FileBody): Promise<void> {
    return this.#files.send(head, file);
  }

  /** The next request head, or null when the peer left or the server stops between requests. */
  async #readHead(): Promise<RequestHead | null> {
    const input = this.#input;
    if (this.#reading !== null) {
      if (this.#host.stopping && input.length === 0) return null; // shutting down: no new request
      // The read started while the last handler ran: its bytes land where it was pointed, so wait first.
      const n = await this.#reading;
      this.#reading = null;
      if (n === null) return null;
    }
    input.compact();
    let scanned = 0;
    let end = findHeadEnd(input.bytes, 0, input.end);
    while (end < 0) {
      if (input.full) {
        throw new HttpError(isHeadOverflowInRequestLine(input.bytes, input.end) ? 414 : 431, true);
      }
      if (this.#host.stopping && input.length === 0) return null;
      if (input.length === 0) this.headStarted = 0;
      scanned = input.end;
      const n = await input.fill(this.conn);
      if (n === null) return null;
      this.lastActive = Date.now();
      if (this.headStarted === 0) this.headStarted = this.lastActive;
      end = findHeadEnd(input.bytes, Math.max(0, scanned - 3), input.end);
    }
    this.headStarted = 0;
    const head = parseHead(input.bytes, end);
    input.consume(end);
    return head;
  }

  async #exchange(head: RequestHead): Promise<boolean> {
    const host = this.#host;
    const started = host.logged === undefined ? 0 : performance.now(); // the log's duration, to 0.01 ms
    this.busy = true;
    const hasBody = head.chunked || head.contentLength > 0;
    const body = hasBody
      ? new RequestBody(this.conn, this.#input, head, head.expectContinue ? () => this.send(CONTINUE) : null)
      : null;
    const request = new IncomingRequest(
      head,
      requestUrl(head, host.authority),
      body && (() => body.stream()),
      body === null ? this : null,
    );
    this.#request = request;
    setRequestContext(request, host.context);
    const terms: ResponseTerms = {
      head: head.method === "HEAD",
      close: !head.keepAlive || host.stopping,
      keepAliveToken: head.minor === 0 && head.keepAlive,
      http10: head.minor === 0,
    };
    let status = 500;
    let bytes = 0;
    const sentBefore = this.#sent;
    let complete = false;
    try {
      let response = host.respond(request as unknown as Request, this.#info);
      if (!(response instanceof Response)) response = await response;
      status = response.status;
      // Response.error() (status 0): as Deno.serve does, the connection ends with no response.
      if (status === 0) return false;
      if (body !== null && !body.done && !body.started) terms.close ||= !this.#mayDrain(head);
      if (host.stopping) terms.close = true;
      bytes = await writeResponse(this, response, terms);
      if (body !== null && !body.done && !terms.close) terms.close = !(await body.discard(host.drainLimit));
      if (body?.broken) terms.close = true;
      complete = true;
      return !terms.close;
    } finally {
      if (!complete) bytes = this.#sent - sentBefore; // what reached the socket, head included
      releaseHeld(request);
      this.#request = null;
      this.busy = false;
      this.lastActive = Date.now();
      if (host.logged !== undefined) {
        host.logged(record(this.conn.remoteAddr, head, status, bytes, started, performance.now(), !complete));
      }
    }
  }

  /**
   * Reads on while a request without a body is answered, once its handler asked for `request.signal`: a
   * peer that leaves then aborts it (as Deno.serve's). Only then: a read in flight through every handler
   * cost a fifth of a small response's time.
   */
  watchFor(request: IncomingRequest): void {
    if (request !== this.#request || this.#reading !== null || this.#input.length !== 0) return;
    this.#reading = this.#input.fill(this.conn).then(
      (n) => {
        if (n === null) request.abort(new DOMException("the client closed the connection", "AbortError"));
        else this.lastActive = Date.now();
        return n;
      },
      () => null,
    );
  }

  /** Whether an unread body may be drained (short enough, and not awaiting `100 Continue`). */
  #mayDrain(head: RequestHead): boolean {
    if (head.expectContinue || head.chunked) return false;
    return head.contentLength <= this.#host.drainLimit;
  }

  /** Answers a request the server itself rejects, then the connection closes. */
  async #refuse(error: HttpError): Promise<void> {
    if (this.#closing !== null) return;
    const terms: ResponseTerms = { head: false, close: true, keepAliveToken: false, http10: false };
    await writeResponse(this, plainResponse(error.status), terms).catch(() => {});
  }

  /**
   * A lingering close: stop sending, then read what the client still sends for a moment, so that unread
   * request bytes do not turn the close into a reset that loses the response.
   */
  async #linger(): Promise<void> {
    if (this.#closing === null) {
      await this.conn.closeWrite().catch(() => {});
      const drain = new Uint8Array(4096);
      for (let i = 0; i < 16 && this.#closing === null; i++) {
        const n = await this.conn.read(drain, { timeout: 500 }).catch(() => null);
        if (n === null) break;
      }
    }
    await this.close();
  }
}
