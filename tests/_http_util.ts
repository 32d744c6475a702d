/**
 * Helpers for the HTTP server tests: a server on a free port for the length
 * of a test, and a raw client (node:net, not this library) that sends exact
 * bytes and returns exact bytes.
 *
 * @module
 */
import { connect as netConnect, type Socket } from "node:net";
import { type HttpServer, serve, type ServeHandler, type ServeOptions } from "../http/server.ts";
import { concat } from "./_util.ts";

/** Runs `fn` with a server of `handler` on 127.0.0.1, shut down (and awaited) afterwards. */
export async function withHttp(
  options: ServeOptions,
  handler: ServeHandler,
  fn: (port: number, server: HttpServer) => Promise<void>,
): Promise<void> {
  const server = serve({ port: 0, hostname: "127.0.0.1", onListen() {}, ...options }, handler);
  try {
    await fn(server.addr.port, server);
  } finally {
    await server.shutdown();
  }
}

/** A raw client connection: send bytes, read what arrives. */
export class RawClient {
  readonly socket: Socket;
  #received: Uint8Array[] = [];
  #closed = false;
  #wake: (() => void) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.#received.push(new Uint8Array(chunk));
      this.#wake?.();
    });
    // The server's FIN ("end") counts as closed: a runtime may report "close" much later.
    const ended = () => {
      this.#closed = true;
      this.#wake?.();
    };
    socket.on("end", ended);
    socket.on("close", ended);
    socket.on("error", () => {});
  }

  /** Connects to 127.0.0.1:`port`. */
  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: "127.0.0.1", port }, () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  /** Sends `data` (a string is sent as Latin-1 bytes, one byte per character). */
  send(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? latin1Bytes(data) : data;
    return new Promise((resolve, reject) =>
      this.socket.write(bytes, (error) => error ? reject(error) : resolve())
    );
  }

  /** Whether the server closed the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Everything received so far, as Latin-1 text. */
  get text(): string {
    return latin1Text(concat(this.#received));
  }

  /** Everything received so far. */
  get bytes(): Uint8Array {
    return concat(this.#received);
  }

  /** Waits until `done(text)` is true or the connection closes or `ms` pass; returns the text. */
  async until(done: (text: string) => boolean, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!done(this.text) && !this.#closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, Math.max(1, Math.min(50, deadline - Date.now())));
      });
      this.#wake = null;
    }
    return this.text;
  }

  /** Waits for the server to close the connection (or `ms`); returns all text. */
  untilClosed(ms = 5000): Promise<string> {
    return this.until(() => false, ms);
  }

  /** Closes this side. */
  close(): void {
    this.socket.destroy();
  }
}

/** Sends `request` on a new connection and returns all the server sent until it closed (or `ms`). */
export async function exchange(port: number, request: string | Uint8Array, ms = 5000): Promise<string> {
  const client = await RawClient.open(port);
  try {
    await client.send(request);
    return await client.untilClosed(ms);
  } finally {
    client.close();
  }
}

/** The responses in `text`, split at each status line (heads and bodies as sent). */
export function statusLines(text: string): string[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/g)].map((m) => m[0].trim());
}

/** The status codes in `text`, in order. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function latin1Text(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}
