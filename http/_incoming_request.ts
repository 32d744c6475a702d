/**
 * The Request a handler receives. Building a real `Request` costs about 4 µs
 * in Deno (the URL is parsed, the headers copied) before the handler reads a
 * thing, so the server hands over this stand-in instead: it is a `Request` to
 * `instanceof`, and its method and URL cost nothing; the `Headers`, the body
 * stream and the AbortSignal are made when first read, and anything else
 * (`clone()`, `formData()`, `cache`, ...) turns it into a real `Request` once,
 * which then answers for it.
 *
 * @module
 */
import type { RequestHead } from "./_request_head.ts";
import { hasAnyField, headerEntries, headerValue } from "./_parse_head.ts";

/** Where the stand-in gets its body from: made by the connection, on first use. */
export type BodySource = () => ReadableStream<Uint8Array>;

/** The connection, told when a handler first asks for the request's `signal`. */
export interface SignalWatcher {
  /** Starts noticing the client's departure (which aborts `request`) while the request is answered. */
  watchFor(request: IncomingRequest): void;
}

const NO_BODY_METHODS = new Set(["GET", "HEAD"]);

/** A lazily built `Request` (see the module doc). */
export class IncomingRequest {
  readonly #head: RequestHead;
  readonly #url: string;
  readonly #openBody: BodySource | null;
  readonly #watcher: SignalWatcher | null;
  #headers: Headers | undefined;
  #body: ReadableStream<Uint8Array> | null | undefined;
  #abort: AbortController | undefined;
  #abortReason: unknown;
  #real: Request | undefined;

  /**
   * @param head The parsed head.
   * @param url The request's absolute URL.
   * @param openBody Makes the body stream; null when the request has no body.
   * @param watcher Told when the signal is first asked for (a client that leaves is noticed only then:
   *   watching costs a read in flight per request).
   */
  constructor(
    head: RequestHead,
    url: string,
    openBody: BodySource | null,
    watcher: SignalWatcher | null = null,
  ) {
    this.#head = head;
    this.#url = url;
    this.#openBody = openBody;
    this.#watcher = watcher;
  }

  /** The method, as sent. */
  get method(): string {
    return this.#head.method;
  }

  /** The absolute URL. */
  get url(): string {
    return this.#url;
  }

  /** The header fields, made on first use. */
  get headers(): Headers {
    if (this.#real !== undefined) return this.#real.headers;
    return (this.#headers ??= new Headers(headerEntries(this.#head)));
  }

  /** A field by lowercase name, as `headers.get(name)`, read from the head while no Headers was made. */
  field(name: string): string | null {
    if (this.#real !== undefined) return this.#real.headers.get(name);
    if (this.#headers !== undefined) return this.#headers.get(name);
    return headerValue(this.#head, name);
  }

  /** Whether any of the fields `names` (lowercase) is present, read from the head while no Headers was made. */
  hasAnyField(names: readonly string[]): boolean {
    if (this.#real === undefined && this.#headers === undefined) return hasAnyField(this.#head, names);
    const headers = this.headers;
    return names.some((name) => headers.has(name));
  }

  /** The body as a stream, or null for none. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#real !== undefined) return this.#real.body;
    if (this.#body === undefined) this.#body = this.#openBody === null ? null : this.#openBody();
    return this.#body;
  }

  /** Whether the body has been read. */
  get bodyUsed(): boolean {
    if (this.#real !== undefined) return this.#real.bodyUsed;
    return this.#body !== undefined && this.#body !== null && this.#body.locked;
  }

  /** Aborted when the client goes away or the server stops before the response is sent. */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#abortReason !== undefined) this.#abort.abort(this.#abortReason);
      else this.#watcher?.watchFor(this);
    }
    return this.#abort.signal;
  }

  /** Called by the connection when the request can no longer be answered. */
  abort(reason: unknown): void {
    this.#abortReason ??= reason;
    this.#abort?.abort(reason);
  }

  /** Whether a body stream was made and not read to its end: the connection must drain or close. */
  get bodyOpened(): boolean {
    return this.#body !== undefined && this.#body !== null;
  }

  /** The body as text. */
  text(): Promise<string> {
    return this.#toReal().text();
  }

  /** The body parsed as JSON. */
  json(): Promise<unknown> {
    return this.#toReal().json();
  }

  /** The body's bytes. */
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#toReal().arrayBuffer();
  }

  /** The body's bytes. */
  bytes(): Promise<Uint8Array> {
    const real = this.#toReal() as Request & { bytes?: () => Promise<Uint8Array> };
    return real.bytes?.() ?? real.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  }

  /** The body as a Blob. */
  blob(): Promise<Blob> {
    return this.#toReal().blob();
  }

  /** The body as form data. */
  formData(): ReturnType<Request["formData"]> {
    return this.#toReal().formData();
  }

  /** A copy (a real Request; this one then reads its body through it too). */
  clone(): ReturnType<Request["clone"]> {
    return this.#toReal().clone();
  }

  /** This request as a real `Request`, made once; it then answers for this one. */
  toRequest(): Request {
    return this.#toReal();
  }

  #toReal(): Request {
    if (this.#real !== undefined) return this.#real;
    const method = this.#head.method;
    const body = NO_BODY_METHODS.has(method) ? null : this.body;
    const init: RequestInit & { duplex?: string } = {
      method,
      headers: this.headers,
      body,
      signal: this.signal,
    };
    if (body !== null) init.duplex = "half";
    this.#real = new Request(this.#url, init);
    return this.#real;
  }

  /** What `console.log(request)` shows. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.#describe();
  }

  /** What `console.log(request)` shows in Bun and Node. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.#describe();
  }

  #describe(): string {
    return `Request { method: ${JSON.stringify(this.method)}, url: ${JSON.stringify(this.url)} }`;
  }
}

// The rarely read properties come from the real Request, made on demand.
for (
  const name of [
    "cache",
    "credentials",
    "destination",
    "integrity",
    "keepalive",
    "mode",
    "redirect",
    "referrer",
    "referrerPolicy",
    "duplex",
    "targetAddressSpace",
  ]
) {
  Object.defineProperty(IncomingRequest.prototype, name, {
    get(this: IncomingRequest) {
      return this.toRequest()[name as keyof Request];
    },
    configurable: true,
  });
}

Object.setPrototypeOf(IncomingRequest.prototype, Request.prototype);
