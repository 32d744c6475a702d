/**
 * A static file server over io_uring: HTTP/1.1 with keep-alive and
 * pipelining, GET and HEAD, byte ranges, ETag and Last-Modified with 304,
 * Content-Type by extension, an index page for directories, and limits on
 * header size, connections and idle time. Every file and socket operation goes
 * through the ring; files are opened with openat2's RESOLVE_BENEATH, so no
 * path, `..` or symlink can leave the root.
 *
 *   deno run -A serve.ts [DIR] [--port 8080] [--hostname 127.0.0.1] [--log]
 *   bun serve.ts [DIR] [--port 8080]
 *
 * @example
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * import { serveDir } from "@ioring/ioring/serve";
 * await using ring = new IoRing();
 * const server = await serveDir(ring, { root: ".", port: 0 });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/deno.json`);
 * console.log(response.status, (await response.text()).length > 0);
 * await server.shutdown();
 * ```
 *
 * @module
 */
import { readdir } from "node:fs/promises";
import process from "node:process";
import {
  AT_EMPTY_PATH,
  IoRing,
  IoRingError,
  listen,
  type NetAddr,
  O_DIRECTORY,
  O_RDONLY,
  RESOLVE_BENEATH,
  RESOLVE_NO_MAGICLINKS,
  type StatxResult,
  type TcpConn,
  type TcpListener,
} from "./mod.ts";

/** Options of {@link serveDir}. */
export interface ServeDirOptions {
  /** The directory to serve. */
  root: string;
  /** The address to listen on; default "127.0.0.1". */
  hostname?: string;
  /** The port; default 8080 (0: the kernel picks one, see `server.addr`). */
  port?: number;
  /** The most bytes of a request head (request line and headers); default 8192 (then 431). */
  maxHeaderBytes?: number;
  /** The most connections open at once; more are closed at once; default 1024. */
  maxConnections?: number;
  /** Milliseconds a connection may stay silent between requests before it is closed; default 30 000. */
  idleTimeout?: number;
  /** Milliseconds a request head may take to arrive once it has started (slowloris); default 10 000 (then 408). */
  headerTimeout?: number;
  /** Called with one line per response (an access log); default none. */
  log?: (line: string) => void;
}

/** A running {@link serveDir} server. */
export interface FileServer {
  /** The address it listens on. */
  readonly addr: NetAddr;
  /** Stops accepting, lets responses in flight finish, closes idle connections; resolves when all is done. */
  shutdown(): Promise<void>;
  /** Resolves once the server has shut down. */
  readonly finished: Promise<void>;
}

const STATUS: Record<number, string> = {
  200: "OK",
  206: "Partial Content",
  301: "Moved Permanently",
  304: "Not Modified",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  416: "Range Not Satisfiable",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json",
  txt: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  wasm: "application/wasm",
  pdf: "application/pdf",
  xml: "application/xml",
  csv: "text/csv; charset=utf-8",
  mp4: "video/mp4",
  woff2: "font/woff2",
};

const CHUNK = 256 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a parsed request head holds. */
interface Request {
  method: string;
  path: string;
  version: string;
  headers: Map<string, string>;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly close = false) {
    super(STATUS[status]);
  }
}

function contentType(path: string): string {
  const dot = path.lastIndexOf(".");
  return TYPES[path.slice(dot + 1).toLowerCase()] ?? "application/octet-stream";
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** Parses a request head (without the final CRLF CRLF). */
function parseHead(head: string): Request {
  const lines = head.split("\r\n");
  const parts = lines[0].split(" ");
  if (parts.length !== 3 || !/^[A-Z]+$/.test(parts[0]) || !/^HTTP\/1\.[01]$/.test(parts[2])) {
    throw new HttpError(400, true);
  }
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) throw new HttpError(400, true);
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { method: parts[0], path: parts[1], version: parts[2], headers };
}

/** The request target as a path relative to the root, or an error: no NUL, no `..`, no escape. */
function relativePath(target: string): string {
  if (!target.startsWith("/")) throw new HttpError(400);
  let path: string;
  try {
    path = decodeURIComponent(target.split("?")[0].split("#")[0]);
  } catch {
    throw new HttpError(400);
  }
  if (path.includes("\0")) throw new HttpError(400);
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw new HttpError(403);
  return segments.length === 0 ? "." : segments.join("/");
}

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** Parses a single `bytes=` range against `size`: [start, end] inclusive, null for none, or 416. */
function parseRange(header: string | undefined, size: number): [number, number] | null {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === "" && m[2] === "")) throw new HttpError(416);
  let start: number, end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) throw new HttpError(416);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) throw new HttpError(416);
  return [start, end];
}

/**
 * Serves `root` over HTTP/1.1 on the ring.
 *
 * @example
 * ```ts ignore
 * const server = await serveDir(ring, { root: "public", port: 8080, log: console.log });
 * ```
 */
export async function serveDir(ring: IoRing, options: ServeDirOptions): Promise<FileServer> {
  const maxHeader = options.maxHeaderBytes ?? 8192;
  const maxConnections = options.maxConnections ?? 1024;
  const idleTimeout = options.idleTimeout ?? 30_000;
  const headerTimeout = options.headerTimeout ?? 10_000;
  const rootFd = await ring.openat(options.root, { flags: O_RDONLY | O_DIRECTORY });
  const listener: TcpListener = await listen(ring, {
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 8080,
  });
  const connections = new Set<Promise<void>>();
  const idle = new Map<TcpConn, AbortController>();
  let stopping = false;

  const openBeneath = (path: string, dirfd = rootFd) =>
    ring.openat2(path, { dirfd, resolve: RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS });

  async function respond(
    conn: TcpConn,
    request: Request,
  ): Promise<{ status: number; bytes: number; close: boolean }> {
    const keepAlive = request.version === "HTTP/1.1"
      ? request.headers.get("connection")?.toLowerCase() !== "close"
      : request.headers.get("connection")?.toLowerCase() === "keep-alive";
    const close = !keepAlive || stopping;
    const base: [string, string][] = [["Server", "ioring"], ["Date", httpDate(Date.now())], [
      "Connection",
      close ? "close" : "keep-alive",
    ]];
    const send = async (status: number, headers: [string, string][], body?: Uint8Array) => {
      const lines = [
        `HTTP/1.1 ${status} ${STATUS[status]}`,
        ...[...base, ...headers].map(([k, v]) => `${k}: ${v}`),
      ];
      const head = encoder.encode(lines.join("\r\n") + "\r\n\r\n");
      if (body !== undefined && request.method !== "HEAD") {
        const both = new Uint8Array(head.length + body.length);
        both.set(head);
        both.set(body, head.length);
        await conn.writeAll(both);
      } else {
        await conn.writeAll(head);
      }
      return { status, bytes: body?.length ?? 0, close };
    };
    const fail = (status: number, extra: [string, string][] = []) => {
      const body = encoder.encode(`${status} ${STATUS[status]}\n`);
      return send(status, [["Content-Type", "text/plain; charset=utf-8"], [
        "Content-Length",
        String(body.length),
      ], ...extra], body);
    };

    if (request.method !== "GET" && request.method !== "HEAD") return fail(405, [["Allow", "GET, HEAD"]]);
    if (request.headers.has("transfer-encoding") || Number(request.headers.get("content-length") ?? 0) > 0) {
      return { ...(await fail(413)), close: true };
    }
    const path = relativePath(request.path);
    let fd: number;
    try {
      fd = await openBeneath(path);
    } catch (error) {
      if (error instanceof IoRingError) {
        if (["ENOENT", "ENOTDIR"].includes(error.code)) return fail(404);
        if (["EXDEV", "ELOOP", "EACCES", "EPERM"].includes(error.code)) return fail(403);
      }
      throw error;
    }
    try {
      let stat: StatxResult = await ring.statx("", { dirfd: fd, flags: AT_EMPTY_PATH });
      let servePath = path;
      if (stat.isDirectory) {
        const urlPath = request.path.split("?")[0];
        if (!urlPath.endsWith("/")) return fail(301, [["Location", urlPath + "/"]]);
        let index: number | undefined;
        try {
          index = await openBeneath(path === "." ? "index.html" : `${path}/index.html`);
        } catch (error) {
          if (!(error instanceof IoRingError) || error.code !== "ENOENT") throw error;
        }
        if (index === undefined) {
          const names = (await readdir(`${options.root}/${path}`, { withFileTypes: true }))
            .map((e) => e.isDirectory() ? `${e.name}/` : e.name)
            .sort();
          const items = names.map((n) => `<li><a href="${encodeURI(n)}">${escapeHtml(n)}</a></li>`).join(
            "\n",
          );
          const title = escapeHtml(decodeURIComponent(urlPath));
          const body = encoder.encode(
            `<!doctype html>\n<title>${title}</title>\n<h1>${title}</h1>\n<ul>\n${items}\n</ul>\n`,
          );
          return send(200, [["Content-Type", "text/html; charset=utf-8"], [
            "Content-Length",
            String(body.length),
          ]], body);
        }
        await ring.close(fd);
        fd = index;
        stat = await ring.statx("", { dirfd: fd, flags: AT_EMPTY_PATH });
        servePath = "index.html";
      }
      if (!stat.isFile) return fail(403);
      const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
      const lastModified = httpDate(Math.floor(stat.mtimeMs / 1000) * 1000);
      const common: [string, string][] = [["ETag", etag], ["Last-Modified", lastModified], [
        "Accept-Ranges",
        "bytes",
      ]];
      const ifNoneMatch = request.headers.get("if-none-match");
      const ifModifiedSince = request.headers.get("if-modified-since");
      if (
        (ifNoneMatch !== undefined &&
          ifNoneMatch.split(",").some((t) => t.trim() === etag || t.trim() === "*")) ||
        (ifNoneMatch === undefined && ifModifiedSince !== undefined &&
          Date.parse(ifModifiedSince) >= Math.floor(stat.mtimeMs / 1000) * 1000)
      ) {
        return send(304, common);
      }
      let range: [number, number] | null;
      try {
        range = parseRange(request.headers.get("range"), stat.size);
      } catch {
        return fail(416, [["Content-Range", `bytes */${stat.size}`]]);
      }
      const [start, end] = range ?? [0, stat.size - 1];
      const length = stat.size === 0 ? 0 : end - start + 1;
      const headers: [string, string][] = [
        ["Content-Type", contentType(servePath)],
        ["Content-Length", String(length)],
        ...common,
        ...(range !== null
          ? [["Content-Range", `bytes ${start}-${end}/${stat.size}`] as [string, string]]
          : []),
      ];
      const result = await send(range !== null ? 206 : 200, headers);
      if (request.method === "GET") {
        // Large files stream through one buffer: never the whole file in memory.
        const buffer = new Uint8Array(Math.min(CHUNK, Math.max(length, 1)));
        for (let at = start, left = length; left > 0;) {
          const n = await ring.read(fd, buffer.subarray(0, Math.min(buffer.length, left)), at);
          if (n === 0) throw new Error("the file shrank while being served");
          await conn.writeAll(buffer.subarray(0, n));
          at += n;
          left -= n;
        }
      }
      return { ...result, bytes: request.method === "GET" ? length : 0 };
    } finally {
      await ring.close(fd).catch(() => {});
    }
  }

  async function handle(conn: TcpConn): Promise<void> {
    let pending = new Uint8Array(0);
    const chunk = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        let end = findHeadEnd(pending);
        let headStarted = pending.length > 0 ? performance.now() : 0;
        while (end < 0) {
          if (pending.length > maxHeader) throw new HttpError(431, true);
          if (stopping) return; // shutting down: no new requests on this connection
          // Between requests the idle limit applies; once a head has started, the whole head must arrive in time.
          const left = headStarted === 0 ? idleTimeout : headerTimeout - (performance.now() - headStarted);
          if (left <= 0) throw new HttpError(408, true);
          const controller = new AbortController();
          idle.set(conn, controller);
          let n: number | null;
          try {
            n = await conn.read(chunk, { signal: controller.signal, timeout: left });
          } catch (error) {
            if (
              headStarted !== 0 && error instanceof IoRingError && error.code === "ETIMEDOUT" && !stopping
            ) {
              throw new HttpError(408, true);
            }
            return; // idle too long, shutting down, or the peer went away
          } finally {
            idle.delete(conn);
          }
          if (headStarted === 0) headStarted = performance.now();
          if (n === null) return;
          const next = new Uint8Array(pending.length + n);
          next.set(pending);
          next.set(chunk.subarray(0, n), pending.length);
          pending = next;
          end = findHeadEnd(pending);
        }
        if (end > maxHeader) throw new HttpError(431, true);
        const head = decoder.decode(pending.subarray(0, end));
        pending = pending.slice(end + 4);
        let outcome: { status: number; bytes: number; close: boolean };
        let request: Request | undefined;
        try {
          request = parseHead(head);
          outcome = await respond(conn, request);
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          const body = encoder.encode(`${error.status} ${STATUS[error.status]}\n`);
          const close = error.close || stopping ||
            request?.headers.get("connection")?.toLowerCase() === "close" ||
            request?.version === "HTTP/1.0";
          await conn.writeAll(encoder.encode(
            `HTTP/1.1 ${error.status} ${
              STATUS[error.status]
            }\r\nServer: ioring\r\nContent-Type: text/plain; charset=utf-8\r\n` +
              `Content-Length: ${body.length}\r\nConnection: ${close ? "close" : "keep-alive"}\r\n\r\n`,
          ));
          await conn.writeAll(body);
          outcome = { status: error.status, bytes: body.length, close };
        }
        options.log?.(
          `${conn.remoteAddr.hostname} "${request?.method ?? "-"} ${
            request?.path ?? "-"
          }" ${outcome.status} ${outcome.bytes}`,
        );
        if (outcome.close) return;
      }
    } catch (error) {
      if (error instanceof HttpError) {
        await conn.writeAll(encoder.encode(
          `HTTP/1.1 ${error.status} ${
            STATUS[error.status]
          }\r\nServer: ioring\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        )).catch(() => {});
      } else if (!(error instanceof IoRingError)) {
        throw error;
      }
    } finally {
      // A lingering close: stop sending, then drain what the client still sends for a moment, so that
      // unread request bytes do not turn the close into a reset that loses the response.
      await conn.closeWrite().catch(() => {});
      for (let i = 0; i < 16; i++) {
        const n = await conn.read(chunk, { timeout: 500 }).catch(() => null);
        if (n === null) break;
      }
      await conn.close().catch(() => {});
    }
  }

  const accepting = (async () => {
    for await (const conn of listener) {
      if (stopping) {
        await conn.close();
        break;
      }
      if (connections.size >= maxConnections) {
        void conn.close();
        continue;
      }
      const task: Promise<void> = handle(conn).finally(() => connections.delete(task));
      connections.add(task);
    }
  })().catch(() => {});

  let finished: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    finished ??= (async () => {
      stopping = true;
      await listener.close();
      await accepting;
      for (const controller of idle.values()) controller.abort();
      await Promise.allSettled([...connections]);
      await ring.close(rootFd).catch(() => {});
    })();
    return finished;
  };
  let done!: () => void;
  const finishedPromise = new Promise<void>((resolve) => (done = resolve));
  return {
    addr: listener.addr,
    shutdown: () => shutdown().then(done),
    finished: finishedPromise,
  };
}

/** The offset of the CRLF CRLF that ends a request head, or -1. */
function findHeadEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args.splice(at, 2)[1] : undefined;
  };
  const port = Number(flag("--port") ?? 8080);
  const hostname = flag("--hostname") ?? "127.0.0.1";
  const logAt = args.indexOf("--log");
  const log = logAt >= 0 ? (args.splice(logAt, 1), (line: string) => console.log(line)) : undefined;
  const root = args[0] ?? ".";
  const ring = new IoRing({ entries: 256 });
  const server = await serveDir(ring, { root, hostname, port, log });
  console.log(
    `serving ${root} on http://${server.addr.hostname}:${server.addr.port}/ (io_uring; Ctrl-C stops)`,
  );
  const stop = () => {
    console.log("shutting down: finishing responses in flight");
    server.shutdown().then(() => ring.close()).then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
