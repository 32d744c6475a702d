/**
 * `serve(options, handler)`: an HTTP/1.1 server over io_uring with the
 * Web-standard handler of `Deno.serve` and `Bun.serve`,
 * `(Request, info) => Response | Promise<Response>`.
 *
 * @module
 */
import { IoRing } from "../facade/io_ring.ts";
import type { NetAddr } from "../net/address.ts";
import type { Conn } from "../net/connection.ts";
import { type Listener, listenSync } from "../net/listener.ts";
import { IoRingError } from "../util/error.ts";
import { formatLogLine, type LogFormat } from "./_access_log.ts";
import { type ConnectionHost, HttpConnection } from "./_connection.ts";
import type { ExchangeRecord } from "./_exchange_record.ts";
import type { RequestContext } from "./_context.ts";
import { closeFileCache } from "./_file_cache.ts";
import { raiseFileLimit } from "./_file_limit.ts";
import { plainResponse } from "./_response_head.ts";
import { Sweeper } from "./_sweeper.ts";
import { settledValue } from "./_settled.ts";

/** What a handler gets beside the request, as `Deno.ServeHandlerInfo`. */
export interface ServeHandlerInfo {
  /** The client's address. */
  readonly remoteAddr: NetAddr;
}

/** A request handler: the Web-standard one of `Deno.serve` and `Bun.serve`'s `fetch`. */
export type ServeHandler = (request: Request, info: ServeHandlerInfo) => Response | Promise<Response>;

/** Options of {@link serve}. */
export interface ServeOptions {
  /** The port; default 8000 (0: the kernel picks one, see `server.addr`). */
  port?: number;
  /** The address to listen on; default "127.0.0.1". */
  hostname?: string;
  /** Aborting it shuts the server down. */
  signal?: AbortSignal;
  /** Called once listening; default: prints `Listening on http://HOST:PORT/`. */
  onListen?: (addr: NetAddr) => void;
  /**
   * Turns an error thrown by the handler into the response for that request; default: logs it with
   * console.error and answers 500. The server never ends for a handler's error.
   */
  onError?: (error: unknown) => Response | Promise<Response>;
  /** The handler, when not given as the second argument. */
  handler?: ServeHandler;
  /** The handler under Bun.serve's name. */
  fetch?: ServeHandler;
  /** The ring to run on; default: a ring of the server's own, closed when it shuts down. */
  ring?: IoRing;
  /** Listen with SO_REUSEPORT, so that servers in other threads can share the port. */
  reusePort?: boolean;
  /** The most bytes of a request head (request line and fields); default 8192 (then 431, or 414). */
  maxHeaderBytes?: number;
  /**
   * The most connections at once; default 16384 (and never more than the open-file limit allows, whose soft
   * limit is raised to the hard one). At the limit, the longest idle connection is closed for a new one.
   */
  maxConnections?: number;
  /** Milliseconds a connection may stay silent between requests; default 30 000. */
  idleTimeout?: number;
  /** Milliseconds a request head may take once it has started; default 10 000 (then 408). */
  headerTimeout?: number;
  /** Milliseconds one send may wait for a client that does not read; default 30 000 (then the connection closes). */
  sendTimeout?: number;
  /** Bytes of a request body the handler did not read that are drained to keep the connection; default 65536. */
  drainLimit?: number;
  /** Send files from serveDir with SPLICE (default), or false to send them through a buffer. */
  splice?: boolean;
  /** An access log: a function given each line, or true for console.log; default none. */
  log?: boolean | ((line: string) => void);
  /** The access log's format; default "combined". */
  logFormat?: LogFormat;
}

/** A running server, as `Deno.HttpServer`. */
export interface HttpServer extends AsyncDisposable {
  /** The address it listens on. */
  readonly addr: NetAddr;
  /** Resolves once the server has shut down. */
  readonly finished: Promise<void>;
  /** Stops accepting, lets responses in flight finish, closes idle connections; resolves when all is done. */
  shutdown(): Promise<void>;
}

const DEFAULTS = {
  port: 8000,
  hostname: "127.0.0.1",
  maxHeaderBytes: 8192,
  maxConnections: 16384,
  idleTimeout: 30_000,
  headerTimeout: 10_000,
  sendTimeout: 30_000,
  drainLimit: 65536,
};

/** Descriptors kept free of connections: files, pipes, the ring's own. */
const SPARE_DESCRIPTORS = 64;

/**
 * Serves HTTP/1.1 on the ring with a Web-standard handler.
 *
 * @param options Where to listen, limits, hooks; may carry the handler as `handler` or `fetch`.
 * @param handler The handler, unless in `options`.
 * @returns The running server.
 * @example Hello world
 * ```ts
 * import { serve } from "@ioring/ioring/http";
 * const server = serve({ port: 0, onListen() {} }, () => new Response("Hello, world"));
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * console.log(await response.text()); // Hello, world
 * await server.shutdown();
 * ```
 */
export function serve(options: ServeOptions, handler?: ServeHandler): HttpServer;
/**
 * Serves HTTP/1.1 on 127.0.0.1:8000 with `handler`.
 *
 * @example
 * ```ts ignore
 * serve(() => new Response("Hello"));
 * ```
 */
export function serve(handler: ServeHandler): HttpServer;
export function serve(first: ServeOptions | ServeHandler, second?: ServeHandler): HttpServer {
  const options = typeof first === "function" ? {} : first;
  const handler = typeof first === "function" ? first : second ?? first.handler ?? first.fetch;
  if (typeof handler !== "function") {
    throw new TypeError("Cannot serve: a handler function is required (serve(options, handler))");
  }
  return new Server(options, handler);
}

class Server implements HttpServer, ConnectionHost {
  readonly ring: IoRing;
  readonly context: RequestContext;
  readonly addr: NetAddr;
  readonly finished: Promise<void>;
  readonly maxHeaderBytes: number;
  readonly drainLimit: number;
  readonly splice: boolean;
  readonly authority: string;
  readonly logged: ((entry: ExchangeRecord) => void) | undefined;
  stopping = false;
  readonly #handler: ServeHandler;
  readonly #onError: (error: unknown) => Response | Promise<Response>;
  readonly #ownRing: boolean;
  readonly #listener: Listener<NetAddr>;
  readonly #connections = new Set<HttpConnection>();
  readonly #maxConnections: number;
  readonly #sweeper: Sweeper;
  readonly #running = new Set<Promise<void>>();
  #accepting: Promise<void>;
  #shutdown: Promise<void> | null = null;
  #finish!: () => void;

  constructor(options: ServeOptions, handler: ServeHandler) {
    const settings = { ...DEFAULTS, ...definedOnly(options) };
    for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) checkSetting(key, settings[key]);
    this.#handler = handler;
    this.#onError = options.onError ?? defaultOnError;
    this.maxHeaderBytes = settings.maxHeaderBytes;
    this.drainLimit = settings.drainLimit;
    this.splice = options.splice !== false;
    const fileLimit = raiseFileLimit();
    this.#maxConnections = Math.max(1, Math.min(settings.maxConnections, fileLimit - SPARE_DESCRIPTORS));
    this.#ownRing = options.ring === undefined;
    this.ring = options.ring ?? new IoRing({ entries: 256, singleIssuer: true, deferTaskrun: true });
    this.context = { ring: this.ring };
    try {
      this.#listener = listenSync(this.ring, {
        hostname: settings.hostname,
        port: settings.port,
        reusePort: options.reusePort,
      });
    } catch (error) {
      if (this.#ownRing) void this.ring.close();
      throw error;
    }
    this.addr = this.#listener.addr;
    this.authority = this.addr.hostname.includes(":")
      ? `[${this.addr.hostname}]:${this.addr.port}`
      : `${this.addr.hostname}:${this.addr.port}`;
    this.logged = accessLog(options);
    this.finished = new Promise<void>((resolve) => (this.#finish = resolve));
    this.#sweeper = new Sweeper(this.#connections, settings);
    this.#accepting = this.#acceptLoop();
    options.signal?.addEventListener("abort", () => void this.shutdown(), { once: true });
    if (options.signal?.aborted) void this.shutdown();
    (options.onListen ?? defaultOnListen)(this.addr);
  }

  /** Runs the handler; an error becomes onError's response, and that failing, a 500. */
  respond(request: Request, info: ServeHandlerInfo): Response | Promise<Response> {
    let result: Response | Promise<Response>;
    try {
      result = this.#handler(request, info);
    } catch (error) {
      return this.#failed(error);
    }
    if (result instanceof Response) return result;
    // serveDir's promise of a Response it already has (returned as is by the handler): no await.
    const known = settledValue(result);
    if (known instanceof Response) return known;
    return Promise.resolve(result).then(
      (response) => response instanceof Response ? response : this.#failed(notAResponse(response)),
      (error) => this.#failed(error),
    );
  }

  async #failed(error: unknown): Promise<Response> {
    try {
      const response = await this.#onError(error);
      if (response instanceof Response) return response;
      console.error("serve: onError did not return a Response:", response);
    } catch (second) {
      console.error("serve: onError threw:", second);
    }
    return plainResponse(500);
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.stopping = true;
      await this.#listener.close().catch(() => {});
      await this.#accepting;
      for (const c of this.#connections) if (c.idle) c.expire("shutdown");
      while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
      this.#sweeper.stop();
      closeFileCache(this.ring); // the files serveDir kept open on this ring
      if (this.#ownRing) await this.ring.close();
      this.#finish();
    })();
    return this.#shutdown;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  async #acceptLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        for await (const conn of this.#listener) {
          if (this.stopping) {
            void conn.close();
            break;
          }
          this.#admit(conn);
        }
        return; // the listener closed
      } catch (error) {
        if (this.stopping) return;
        await this.#recover(error);
      }
    }
  }

  /** An accept failed: out of descriptors, idle connections make room; anything else is retried shortly. */
  async #recover(error: unknown): Promise<void> {
    const code = error instanceof IoRingError ? error.code : "";
    if (code === "EMFILE" || code === "ENFILE") {
      if (this.#evictIdle(Math.max(1, this.#connections.size >> 6)) > 0) return;
    } else if (code !== "ECONNABORTED" && code !== "EPERM" && code !== "EPROTO") {
      console.error("serve: accept failed:", error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  #admit(conn: Conn<NetAddr>): void {
    if (this.#connections.size >= this.#maxConnections && this.#evictIdle(1) === 0) {
      void conn.close();
      return;
    }
    const c = new HttpConnection(this, conn);
    this.#connections.add(c);
    const running: Promise<void> = c.run()
      .catch((error) => console.error("serve: connection failed:", error))
      .finally(() => {
        this.#connections.delete(c);
        this.#running.delete(running);
      });
    this.#running.add(running);
  }

  /** Closes up to `count` idle connections, oldest first: how many. */
  #evictIdle(count: number): number {
    let evicted = 0;
    for (const c of this.#connections) {
      if (evicted >= count) break;
      if (!c.idle) continue;
      this.#connections.delete(c); // made room now; its loop ends on its own
      c.expire("evicted");
      evicted++;
    }
    return evicted;
  }
}

function notAResponse(value: unknown): TypeError {
  return new TypeError(
    `The handler must return a Response: it returned ${value === null ? "null" : typeof value}`,
  );
}

function definedOnly(options: ServeOptions): Partial<typeof DEFAULTS> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULTS)) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<typeof DEFAULTS>;
}

function checkSetting(key: string, value: unknown): void {
  if (key === "hostname") {
    if (typeof value !== "string") {
      throw new TypeError(`Cannot serve: hostname must be a string: current value is ${value}`);
    }
    return;
  }
  const ok = typeof value === "number" && value >= 0 && (Number.isInteger(value) || value === Infinity);
  if (!ok || (key === "port" && (value as number) > 65535)) {
    throw new RangeError(`Cannot serve: ${key} must be an integer >= 0: current value is ${String(value)}`);
  }
}

function defaultOnError(error: unknown): Response {
  console.error("serve: the handler threw:", error);
  return plainResponse(500);
}

function defaultOnListen(addr: NetAddr): void {
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  console.log(`Listening on http://${host}:${addr.port}/`);
}

function accessLog(options: ServeOptions): ((entry: ExchangeRecord) => void) | undefined {
  const sink = options.log === true ? (line: string) => console.log(line) : options.log || undefined;
  if (sink === undefined) return undefined;
  const format = options.logFormat ?? "combined";
  return (entry) => sink(formatLogLine(entry, format));
}
