/**
 * A static file server over io_uring: HTTP/1.1 with keep-alive and
 * pipelining, GET and HEAD, byte ranges, ETag and Last-Modified with 304,
 * Content-Type by extension, an index page for directories, and limits on
 * header size, connections and idle time. Every file and socket operation goes
 * through the ring; files are opened with openat2's RESOLVE_BENEATH, so no
 * path, `..` or symlink can leave the root.
 *
 *   deno run -A serve.ts [DIR] [--port 8080] [--hostname 127.0.0.1] [--workers 1] [--file-cache-ms 1000]
 *     [--no-splice] [--log]
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
import { native } from "./ffi/native.ts";
import {
  AT_EMPTY_PATH,
  type Conn,
  IoRing,
  IoRingError,
  listen,
  type Listener,
  type NetAddr,
  O_CLOEXEC,
  O_DIRECTORY,
  O_RDONLY,
  Read,
  Send,
  type StatxResult,
} from "./mod.ts";
import {
  F_SETPIPE_SZ,
  IORING_OP_PIPE,
  IORING_OP_SPLICE,
  RESOLVE_BENEATH,
  RESOLVE_NO_MAGICLINKS,
} from "./kernel/constants.ts";

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
  /**
   * Milliseconds an opened file and its statx (size, mtime: Content-Length, ETag, Last-Modified) are kept
   * for later requests of the same path, as nginx's `open_file_cache` with `open_file_cache_valid`; default
   * 1000, 0 opens and describes the file on every request. The bytes are read on every request, so a file
   * written in place is served fresh at once (and a read whose length disagrees with the cached size
   * describes the file again); a file replaced by a rename or deleted is still served from the descriptor
   * held, and a change that keeps the size shows in the validators, for up to this long.
   */
  fileCacheMs?: number;
  /**
   * Send large files with SPLICE through a pipe (default, where the kernel has it), or false to read them
   * into a buffer and SEND it (`scripts/bench/splice.ts` compares the two).
   */
  splice?: boolean;
  /** Listen with SO_REUSEPORT, so that servers in other threads can share the port (see `--workers`). */
  reusePort?: boolean;
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

/** Room reserved before a small file's bytes for the response head, so both leave in one SEND. */
const HEAD_ROOM = 1024;
/** Files up to this size are read whole beside their statx and sent with their head. */
const SMALL_FILE = 64 * 1024;
/** Files the server keeps open at most (see `fileCacheMs`). */
const FILE_CACHE_ENTRIES = 256;
/** Larger files are sent in chunks of this size where the kernel cannot SPLICE. */
const STREAM_CHUNK = 256 * 1024;
/** The pipe capacity asked for SPLICE: 1 MiB, the default /proc/sys/fs/pipe-max-size. */
const PIPE_CAPACITY = 1 << 20;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a response came to, for the access log and the keep-alive decision. */
interface Outcome {
  status: number;
  bytes: number;
  close: boolean;
}

/** A file kept open for `fileCacheMs`, with its description; the requests in flight share it. */
interface CachedFile {
  fd: number;
  described: Described;
  /** When it was opened and described (performance.now()): it leaves the cache `fileCacheMs` later. */
  openedAt: number;
  /** Requests using the descriptor now. */
  users: number;
  /** Out of the cache: the descriptor closes when its last user is done. */
  retired: boolean;
}

/** A connection's state, as the deadline sweep and the request loop share it. */
class Connection {
  /** Aborted by the sweep ("idle", "header") or by shutdown: ends the read in progress. */
  readonly stop = new AbortController();
  /** When the last request finished or bytes last arrived (performance.now()). */
  lastActive = performance.now();
  /** When the first byte of the current request head arrived, 0 between requests. */
  headStarted = 0;
  /** Set when the connection must close after this response (a bad request). */
  mustClose = false;
  /** The pipe large files are spliced through: [read end, write end, capacity]; made on first use. */
  pipe: [number, number, number] | null = null;
  constructor(readonly conn: Conn) {}
}

let dateSecond = -1;
let dateText = "";
/** The Date header's value, formatted once a second. */
function httpNow(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** A response head: status line, Server, Date, Connection, then `headers` (CRLF-ended lines). */
function responseHead(status: number, close: boolean, headers: string, date = httpNow()): string {
  return `HTTP/1.1 ${status} ${STATUS[status]}\r\nServer: ioring\r\nDate: ${date}\r\nConnection: ${
    close ? "close" : "keep-alive"
  }\r\n${headers}\r\n`;
}

/** Keeps a timer from holding the process open, in either runtime. */
function unrefTimer(timer: ReturnType<typeof setInterval>): void {
  const deno = (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno;
  if (typeof timer === "number" && deno !== undefined) deno.unrefTimer(timer);
  else (timer as { unref?: () => void }).unref?.();
}

/** What a parsed request head holds. */
interface Request {
  method: string;
  path: string;
  version: string;
  /** The header fields the server acts on (HEADERS_USED), by lowercase name. */
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

/** bytes[from, to) as Latin-1 text: HTTP's header bytes, one character each. */
function latin1(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(from, to) as unknown as number[]);
}

/** The offset of the next CRLF in `bytes[from, to)`, or `to`. */
function lineEnd(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 1 < to; i++) if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  return to;
}

const HTTP_1_ = [72, 84, 84, 80, 47, 49, 46]; // "HTTP/1."

/** The header fields the server acts on; the others are checked for form and skipped. */
const HEADERS_USED = [
  "connection",
  "content-length",
  "if-modified-since",
  "if-none-match",
  "range",
  "transfer-encoding",
]
  .map((name) => [name, encoder.encode(name)] as const);

/** Whether `bytes[at, at + name.length)` is `name`, in any letter case (names are letters and `-`). */
function nameIs(bytes: Uint8Array, at: number, name: Uint8Array): boolean {
  for (let k = 0; k < name.length; k++) if ((bytes[at + k] | 0x20) !== name[k]) return false;
  return true;
}

/** Parses a request head, `bytes[0, end)` (without the final CRLF CRLF), straight from the bytes. */
function parseHead(bytes: Uint8Array, end: number): Request {
  const first = lineEnd(bytes, 0, end);
  let i = 0;
  while (i < first && bytes[i] >= 65 && bytes[i] <= 90) i++; // the method: A-Z
  if (i === 0 || i === first || bytes[i] !== 32) throw new HttpError(400, true);
  const method = i === 3 && bytes[0] === 71 && bytes[1] === 69 && bytes[2] === 84
    ? "GET"
    : latin1(bytes, 0, i);
  const targetStart = i + 1;
  let targetEnd = targetStart;
  let ascii = true;
  for (; targetEnd < first && bytes[targetEnd] !== 32; targetEnd++) {
    if (bytes[targetEnd] >= 128) ascii = false;
  }
  // " HTTP/1.0" or " HTTP/1.1", and nothing after it.
  if (first - targetEnd !== 9) throw new HttpError(400, true);
  for (let k = 0; k < 7; k++) if (bytes[targetEnd + 1 + k] !== HTTP_1_[k]) throw new HttpError(400, true);
  const minor = bytes[first - 1];
  if (minor !== 48 && minor !== 49) throw new HttpError(400, true);
  // A target in raw UTF-8 is read as UTF-8; the rest of the head is Latin-1, as HTTP defines it.
  const path = ascii
    ? latin1(bytes, targetStart, targetEnd)
    : decoder.decode(bytes.subarray(targetStart, targetEnd));
  const headers = new Map<string, string>();
  for (let at = first + 2; at < end;) {
    const stop = lineEnd(bytes, at, end);
    let colon = at;
    for (; colon < stop && bytes[colon] !== 58; colon++) {
      const code = bytes[colon];
      if (code <= 32 || code === 127) throw new HttpError(400, true); // no whitespace or controls in a name
    }
    if (colon === at || colon === stop) throw new HttpError(400, true);
    for (const [name, nameBytes] of HEADERS_USED) {
      if (colon - at === nameBytes.length && nameIs(bytes, at, nameBytes)) {
        headers.set(name, latin1(bytes, colon + 1, stop).trim());
        break;
      }
    }
    at = stop + 2;
  }
  return { method, path, version: minor === 49 ? "HTTP/1.1" : "HTTP/1.0", headers };
}

/**
 * The path of a target that is already clean (it starts with "/"; no escape, query, NUL, empty or dot
 * segment, no trailing slash) without a split, or null for the general parse.
 */
function plainPath(target: string): string | null {
  const last = target.length - 1;
  if (target.charCodeAt(0) !== 47) return null;
  if (last === 0) return ".";
  if (target.charCodeAt(last) === 47) return null;
  for (let i = 1, previous = 47; i <= last; i++) {
    const c = target.charCodeAt(i);
    if (c === 37 || c === 63 || c === 35 || c === 0 || (previous === 47 && (c === 47 || c === 46))) {
      return null;
    }
    previous = c;
  }
  return target.slice(1);
}

/** The request target as a path relative to the root, or an error: no NUL, no `..`, no escape. */
function relativePath(target: string): string {
  const plain = plainPath(target);
  if (plain !== null) return plain;
  if (!target.startsWith("/")) throw new HttpError(400);
  let path: string;
  try {
    const end = target.search(/[?#]/);
    const raw = end < 0 ? target : target.slice(0, end);
    path = raw.includes("%") ? decodeURIComponent(raw) : raw;
  } catch {
    throw new HttpError(400);
  }
  if (path.includes("\0")) throw new HttpError(400);
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw new HttpError(403);
  return segments.length === 0 ? "." : segments.join("/");
}

/** What a file's statx says in response headers, worked out once per description. */
interface Described {
  stat: StatxResult;
  /** When the statx was taken (performance.now()). */
  at: number;
  etag: string;
  /** Last-Modified, in whole seconds. */
  mtime: number;
  type: string;
  /** ETag, Last-Modified and Accept-Ranges header lines. */
  common: string;
  /** The header lines of a 200 with the whole file. */
  whole: string;
  /** That 200's whole head, encoded, for keep-alive, and the Date it carries. */
  head200?: Uint8Array;
  headDate?: string;
}

function describeFile(stat: StatxResult, servePath: string): Described {
  const mtime = Math.floor(stat.mtimeMs / 1000) * 1000;
  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const common = `ETag: ${etag}\r\nLast-Modified: ${httpDate(mtime)}\r\nAccept-Ranges: bytes\r\n`;
  const type = contentType(servePath);
  const whole = `Content-Type: ${type}\r\nContent-Length: ${stat.size}\r\n${common}`;
  return { stat, at: performance.now(), etag, mtime, type, common, whole };
}

/** The head of a keep-alive 200 with the whole file, encoded once a second per file. */
function keepAliveHead(described: Described): Uint8Array {
  const date = httpNow();
  if (described.headDate !== date) {
    described.head200 = encoder.encode(responseHead(200, false, described.whole, date));
    described.headDate = date;
  }
  return described.head200!;
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
  const listener: Listener = await listen(ring, {
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 8080,
    reusePort: options.reusePort,
  });
  const connections = new Set<Connection>();
  const tasks = new Set<Promise<void>>();
  const buffers: Uint8Array[] = []; // response buffers: HEAD_ROOM for the head, then a small file's bytes
  let stopping = false;
  const supported = ring.probe().supported;
  const canSplice = options.splice !== false && supported.has(IORING_OP_SPLICE);
  const hasPipeOp = supported.has(IORING_OP_PIPE);
  const loaded = await native();
  const fileCacheMs = options.fileCacheMs ?? 1000;
  const fileCache = new Map<string, CachedFile>();

  /** Keeps `fd` open for later requests of `path`, if there is room: the entry, with this request its user. */
  const cache = (path: string, fd: number, described: Described): CachedFile | undefined => {
    if (fileCache.size >= FILE_CACHE_ENTRIES) sweepCache(performance.now());
    if (fileCache.size >= FILE_CACHE_ENTRIES || stopping) return undefined;
    const older = fileCache.get(path); // opened by a request that ran beside this one
    if (older !== undefined) uncache(path, older);
    const entry: CachedFile = { fd, described, openedAt: described.at, users: 1, retired: false };
    fileCache.set(path, entry);
    return entry;
  };
  /** Takes an entry out of the cache; its descriptor closes once no request uses it. */
  const uncache = (path: string, entry: CachedFile): void => {
    if (fileCache.get(path) === entry) fileCache.delete(path);
    entry.retired = true;
    if (entry.users === 0) void ring.closeFd(entry.fd).catch(() => {});
  };
  const release = (entry: CachedFile): void => {
    if (--entry.users === 0 && entry.retired) void ring.closeFd(entry.fd).catch(() => {});
  };
  /** The cache entry of `path` if it is still within fileCacheMs; an expired one leaves the cache. */
  const cachedFile = (path: string): CachedFile | undefined => {
    const entry = fileCache.get(path);
    if (entry === undefined || performance.now() - entry.openedAt < fileCacheMs) return entry;
    uncache(path, entry);
    return undefined;
  };
  /** Takes what has expired out of the cache. */
  const sweepCache = (now: number): void => {
    for (const [path, entry] of fileCache) if (now - entry.openedAt >= fileCacheMs) uncache(path, entry);
  };

  /** Whether the connection closes after the response to `request`. */
  const closeAfter = (c: Connection, request: Request | undefined): boolean => {
    if (c.mustClose || stopping || request === undefined) return true;
    const connection = request.headers.get("connection")?.toLowerCase();
    return request.version === "HTTP/1.1" ? connection === "close" : connection !== "keep-alive";
  };

  /** The statx of an open descriptor. */
  const statFd = (fd: number) => ring.statx("", { dirfd: fd, flags: AT_EMPTY_PATH });

  const openBeneath = (path: string, dirfd = rootFd) =>
    ring.openat2(path, { dirfd, resolve: RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS });

  // One sweep a second enforces the idle and header deadlines: no timer per read.
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const c of connections) {
      if (c.headStarted !== 0 ? now - c.headStarted >= headerTimeout : now - c.lastActive >= idleTimeout) {
        c.stop.abort(c.headStarted !== 0 ? "header" : "idle");
      }
    }
    sweepCache(now);
  }, Math.max(10, Math.min(1000, idleTimeout / 2, headerTimeout / 2)));
  unrefTimer(sweeper);

  /** Sends a response head, and `body` in the same SEND. */
  async function sendHead(
    c: Connection,
    request: Request | undefined,
    status: number,
    headers: string,
    body?: Uint8Array,
  ): Promise<Outcome> {
    const close = closeAfter(c, request);
    const withBody = body !== undefined && request?.method !== "HEAD";
    const bytes = encoder.encode(responseHead(status, close, headers));
    if (withBody) {
      const both = new Uint8Array(bytes.length + body.length);
      both.set(bytes);
      both.set(body, bytes.length);
      await c.conn.writeAll(both);
    } else {
      await c.conn.writeAll(bytes);
    }
    return { status, bytes: withBody ? body.length : 0, close };
  }

  const fail = (c: Connection, request: Request | undefined, status: number, extra = "") => {
    const body = encoder.encode(`${status} ${STATUS[status]}\n`);
    return sendHead(
      c,
      request,
      status,
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n${extra}`,
      body,
    );
  };

  async function respond(c: Connection, request: Request): Promise<Outcome> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return fail(c, request, 405, "Allow: GET, HEAD\r\n");
    }
    if (request.headers.has("transfer-encoding") || Number(request.headers.get("content-length") ?? 0) > 0) {
      c.mustClose = true;
      return fail(c, request, 413);
    }
    const path = relativePath(request.path);
    // A file opened for an earlier request within fileCacheMs is used again: no openat2, statx or close.
    let cached = cachedFile(path);
    let fd: number;
    if (cached !== undefined) {
      cached.users++;
      fd = cached.fd;
    } else {
      try {
        fd = await openBeneath(path);
      } catch (error) {
        if (error instanceof IoRingError) {
          if (error.code === "ENOENT" || error.code === "ENOTDIR") return fail(c, request, 404);
          if (["EXDEV", "ELOOP", "EACCES", "EPERM"].includes(error.code)) return fail(c, request, 403);
        }
        throw error;
      }
    }
    // The descriptor is this request's to close, unless a cache entry holds it.
    let closing: Promise<unknown> | null = null;
    const closeFile = (): Promise<unknown> => {
      if (cached === undefined) return (closing ??= ring.closeFd(fd).catch(() => {}));
      release(cached);
      cached = undefined;
      return (closing ??= Promise.resolve());
    };
    try {
      const rangeHeader = request.headers.get("range");
      const ifNoneMatch = request.headers.get("if-none-match");
      const ifModifiedSince = request.headers.get("if-modified-since");
      // A plain GET reads the file's first bytes beside the statx: a small file is then served with no
      // further read, its head and body in one SEND.
      const speculate = request.method === "GET" && rangeHeader === undefined && ifNoneMatch === undefined &&
        ifModifiedSince === undefined;
      const buffer = speculate ? (buffers.pop() ?? new Uint8Array(HEAD_ROOM + SMALL_FILE)) : null;
      try {
        let described = cached?.described;
        const reading = buffer === null ? -1 : ring.read(fd, buffer.subarray(HEAD_ROOM), 0).catch(() => -1);
        let [stat, read] = await Promise.all([described?.stat ?? statFd(fd), reading]);
        if (described !== undefined && read >= 0 && read < SMALL_FILE && read !== stat.size) {
          // The file changed since it was described: describe it again.
          stat = await statFd(fd);
          described = cached!.described = describeFile(stat, path);
        }
        let servePath = path;
        if (stat.isDirectory) {
          const urlPath = request.path.split("?")[0];
          if (!urlPath.endsWith("/")) return fail(c, request, 301, `Location: ${urlPath}/\r\n`);
          let index: number | undefined;
          try {
            index = await openBeneath(path === "." ? "index.html" : `${path}/index.html`);
          } catch (error) {
            if (!(error instanceof IoRingError) || error.code !== "ENOENT") throw error;
          }
          if (index === undefined) return listing(c, request, path, urlPath);
          await closeFile();
          fd = index;
          closing = null;
          stat = await statFd(fd);
          servePath = "index.html";
        }
        if (!stat.isFile) return fail(c, request, 403); // a device, a socket, or an index.html that is not a file
        if (described === undefined) {
          described = describeFile(stat, servePath);
          if (fileCacheMs > 0 && servePath === path) cached = cache(path, fd, described);
        }
        const { etag, mtime, common } = described;
        if (
          (ifNoneMatch !== undefined &&
            ifNoneMatch.split(",").some((t) => t.trim() === etag || t.trim() === "*")) ||
          (ifNoneMatch === undefined && ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= mtime)
        ) {
          return sendHead(c, request, 304, common);
        }
        let range: [number, number] | null;
        try {
          range = parseRange(rangeHeader, stat.size);
        } catch {
          return fail(c, request, 416, `Content-Range: bytes */${stat.size}\r\n`);
        }
        const [start, end] = range ?? [0, stat.size - 1];
        const length = stat.size === 0 ? 0 : end - start + 1;
        const headers = range === null
          ? described.whole
          : `Content-Type: ${described.type}\r\nContent-Length: ${length}\r\n${common}Content-Range: bytes ${start}-${end}/${stat.size}\r\n`;
        const status = range !== null ? 206 : 200;
        if (request.method === "HEAD") return sendHead(c, request, status, headers);
        // The file's first bytes are already in the buffer, after the room for the head: they leave with
        // the head in one SEND, and a larger file's rest follows through the pipe.
        const head = buffer !== null && servePath === path && range === null &&
            (read === stat.size || (read === SMALL_FILE && stat.size > SMALL_FILE))
          ? read
          : 0;
        if (head === length) void closeFile();
        const close = closeAfter(c, request);
        const headBytes = status === 200 && !close
          ? keepAliveHead(described)
          : encoder.encode(responseHead(status, close, headers));
        if (buffer !== null && (head > 0 || length === 0) && headBytes.length <= HEAD_ROOM) {
          buffer.set(headBytes, HEAD_ROOM - headBytes.length);
          await c.conn.writeAll(buffer.subarray(HEAD_ROOM - headBytes.length, HEAD_ROOM + head));
        } else {
          await c.conn.writeAll(headBytes);
          if (head > 0) await c.conn.writeAll(buffer!.subarray(HEAD_ROOM, HEAD_ROOM + head));
        }
        if (head < length) await streamFile(c, fd, start + head, length - head);
        return { status, bytes: length, close };
      } finally {
        if (buffer !== null && buffers.length < 64) buffers.push(buffer);
      }
    } finally {
      await closeFile();
    }
  }

  /**
   * The common request, a keep-alive GET of a small cached file with no range or condition, without the
   * general path's awaits: one promise for the read and the send, whose callbacks chain them. Null when
   * `request` is not that; else the promise of the body's length, or of -1, with nothing sent, when the
   * read found another size than the cached one (the general path then describes the file again).
   */
  function quickResponse(c: Connection, request: Request): Promise<number> | null {
    if (request.method !== "GET" || closeAfter(c, request)) return null;
    for (const name of request.headers.keys()) if (name !== "connection") return null;
    const path = plainPath(request.path);
    const entry = path === null ? undefined : cachedFile(path);
    if (entry === undefined) return null;
    const { described } = entry;
    const size = described.stat.size;
    if (size > SMALL_FILE) return null;
    const buffer = buffers.pop() ?? new Uint8Array(HEAD_ROOM + SMALL_FILE);
    const socket = c.conn.fd;
    entry.users++;
    return new Promise<number>((resolve, reject) => {
      const finish = (sent: number, error?: unknown) => {
        release(entry);
        if (buffers.length < 64) buffers.push(buffer);
        if (error === undefined) resolve(sent);
        else reject(error);
      };
      let at = 0;
      const end = HEAD_ROOM + size;
      const onSent = (n: number) => {
        try {
          if (n < 0) return finish(-1, new IoRingError(-n, "send", { fd: socket }));
          at += n;
          if (at < end) ring.start(new Send(socket, buffer.subarray(at, end)), onSent);
          else finish(size);
        } catch (error) {
          finish(-1, error);
        }
      };
      try {
        ring.start(new Read(entry.fd, buffer.subarray(HEAD_ROOM, HEAD_ROOM + SMALL_FILE), 0), (read) => {
          try {
            const head = keepAliveHead(described);
            if (read !== size || head.length > HEAD_ROOM) return finish(-1);
            at = HEAD_ROOM - head.length;
            buffer.set(head, at);
            ring.start(new Send(socket, buffer.subarray(at, end)), onSent);
          } catch (error) {
            finish(-1, error);
          }
        });
      } catch (error) {
        finish(-1, error);
      }
    });
  }

  /**
   * Sends `length` bytes of `fd` from `start` without copying them through JavaScript: SPLICE from the
   * file into the connection's pipe, then from the pipe into the socket, a pipe's capacity at a time.
   * Measured faster than reads into a buffer and SENDs (scripts/bench/http.ts). Where the kernel
   * lacks SPLICE, the file goes through one buffer: never the whole file in memory.
   */
  async function streamFile(c: Connection, fd: number, start: number, length: number) {
    if (!canSplice) {
      const buffer = new Uint8Array(Math.min(STREAM_CHUNK, length));
      for (let at = start, left = length; left > 0;) {
        const n = await ring.read(fd, buffer.subarray(0, Math.min(buffer.length, left)), at);
        if (n === 0) throw new Error("the file shrank while being served");
        await c.conn.writeAll(buffer.subarray(0, n));
        at += n;
        left -= n;
      }
      return;
    }
    c.pipe ??= await openPipe();
    const [readEnd, writeEnd, capacity] = c.pipe;
    try {
      for (let at = start, left = length; left > 0;) {
        const n = await ring.splice(fd, writeEnd, Math.min(left, capacity), { offIn: at });
        if (n === 0) throw new Error("the file shrank while being served");
        for (let sent = 0; sent < n;) sent += await ring.splice(readEnd, c.conn.fd, n - sent);
        at += n;
        left -= n;
      }
    } catch (error) {
      // The pipe may still hold bytes that never reached the socket: it cannot serve another response.
      c.pipe = null;
      void ring.closeFd(readEnd).catch(() => {});
      void ring.closeFd(writeEnd).catch(() => {});
      throw error;
    }
  }

  /** A pipe for SPLICE, as large as the system allows up to 1 MiB: [read end, write end, capacity]. */
  async function openPipe(): Promise<[number, number, number]> {
    const [readEnd, writeEnd] = hasPipeOp ? await ring.pipe() : systemPipe();
    const capacity = loaded.fcntl(writeEnd, F_SETPIPE_SZ, PIPE_CAPACITY);
    return [readEnd, writeEnd, capacity > 0 ? capacity : 65536];
  }

  function systemPipe(): [number, number] {
    const fds = new Int32Array(2);
    const ret = loaded.pipe2(fds, O_CLOEXEC);
    if (ret < 0) throw new IoRingError(-ret, "pipe2");
    return [fds[0], fds[1]];
  }

  async function listing(c: Connection, request: Request, path: string, urlPath: string): Promise<Outcome> {
    const names = (await readdir(`${options.root}/${path}`, { withFileTypes: true }))
      .map((e) => e.isDirectory() ? `${e.name}/` : e.name)
      .sort();
    const items = names.map((n) => `<li><a href="${encodeURI(n)}">${escapeHtml(n)}</a></li>`).join("\n");
    const title = escapeHtml(decodeURIComponent(urlPath));
    const body = encoder.encode(
      `<!doctype html>\n<title>${title}</title>\n<h1>${title}</h1>\n<ul>\n${items}\n</ul>\n`,
    );
    return sendHead(
      c,
      request,
      200,
      `Content-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\n`,
      body,
    );
  }

  async function handle(c: Connection): Promise<void> {
    const { conn } = c;
    // The request head accumulates here; what follows it (pipelined requests) moves to the front.
    const input = new Uint8Array(maxHeader + 4);
    let filled = 0;
    try {
      for (;;) {
        let end = findHeadEnd(input, 0, filled);
        while (end < 0) {
          if (filled >= input.length) throw new HttpError(431, true);
          if (stopping) return; // shutting down: no new requests on this connection
          c.headStarted = filled > 0 ? (c.headStarted || performance.now()) : 0;
          let n: number | null;
          try {
            n = await conn.read(input.subarray(filled), { signal: c.stop.signal });
          } catch (error) {
            if (c.stop.signal.aborted && c.stop.signal.reason === "header" && !stopping) {
              throw new HttpError(408, true);
            }
            if (error instanceof IoRingError || c.stop.signal.aborted) return; // idle, shutting down, or gone
            throw error;
          }
          if (n === null) return;
          c.lastActive = performance.now();
          if (c.headStarted === 0) c.headStarted = c.lastActive;
          const from = Math.max(0, filled - 3);
          filled += n;
          end = findHeadEnd(input, from, filled);
        }
        c.headStarted = 0;
        if (end > maxHeader) throw new HttpError(431, true);
        let request: Request | undefined;
        let malformed: unknown = null;
        try {
          request = parseHead(input, end);
        } catch (error) {
          malformed = error;
        }
        input.copyWithin(0, end + 4, filled);
        filled -= end + 4;
        if (filled > 0) c.headStarted = performance.now();
        let outcome: Outcome;
        try {
          if (malformed !== null) throw malformed;
          const quick = quickResponse(c, request!);
          const sent = quick === null ? -1 : await quick;
          outcome = sent >= 0 ? { status: 200, bytes: sent, close: false } : await respond(c, request!);
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          if (error.close) c.mustClose = true;
          outcome = await fail(c, request, error.status);
        }
        c.lastActive = performance.now();
        options.log?.(
          `${conn.remoteAddr.hostname} "${request?.method ?? "-"} ${
            request?.path ?? "-"
          }" ${outcome.status} ${outcome.bytes}`,
        );
        if (outcome.close) return;
      }
    } catch (error) {
      if (error instanceof HttpError) {
        await conn.writeAll(encoder.encode(responseHead(error.status, true, "Content-Length: 0\r\n")))
          .catch(() => {});
      } else if (!(error instanceof IoRingError)) {
        throw error;
      }
    } finally {
      // A lingering close: stop sending, then drain what the client still sends for a moment, so that
      // unread request bytes do not turn the close into a reset that loses the response.
      await conn.closeWrite().catch(() => {});
      const drain = new Uint8Array(4096);
      for (let i = 0; i < 16; i++) {
        const n = await conn.read(drain, { timeout: 500 }).catch(() => null);
        if (n === null) break;
      }
      await conn.close().catch(() => {});
      if (c.pipe !== null) await Promise.allSettled([ring.closeFd(c.pipe[0]), ring.closeFd(c.pipe[1])]);
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
      const c = new Connection(conn);
      connections.add(c);
      const task: Promise<void> = handle(c).finally(() => {
        connections.delete(c);
        tasks.delete(task);
      });
      tasks.add(task);
    }
  })().catch(() => {});

  let finished: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    finished ??= (async () => {
      stopping = true;
      await listener.close();
      await accepting;
      for (const c of connections) if (c.headStarted === 0) c.stop.abort("shutdown");
      await Promise.allSettled([...tasks]);
      clearInterval(sweeper);
      const open = [...fileCache.values()];
      fileCache.clear();
      await Promise.all(
        [rootFd, ...open.map((entry) => entry.fd)].map((fd) => ring.closeFd(fd).catch(() => {})),
      );
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

/** The offset of the CRLF CRLF that ends a request head in `bytes[from, to)`, or -1. */
function findHeadEnd(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 3 < to; i++) {
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
  const fileCacheMs = Number(flag("--file-cache-ms") ?? 1000);
  const workers = Number(flag("--workers") ?? 1);
  const noSpliceAt = args.indexOf("--no-splice");
  const splice = noSpliceAt < 0 || (args.splice(noSpliceAt, 1), false);
  const hostname = flag("--hostname") ?? "127.0.0.1";
  const logAt = args.indexOf("--log");
  const log = logAt >= 0 ? (args.splice(logAt, 1), (line: string) => console.log(line)) : undefined;
  const root = args[0] ?? ".";
  if (!Number.isInteger(workers) || workers < 1) {
    console.error(`serve: --workers must be an integer >= 1: current value is ${workers}`);
    process.exit(2);
  }
  const ring = new IoRing({ entries: 256, singleIssuer: true, deferTaskrun: true });
  const reusePort = workers > 1;
  const server = await serveDir(ring, { root, hostname, port, log, fileCacheMs, reusePort, splice });
  // More threads, each with its own ring and listener on the same port (port 0: the one just picked).
  const threads: Worker[] = [];
  const reply = (worker: Worker, want: string) =>
    new Promise<void>((resolve) => {
      const listener = (event: MessageEvent) => {
        if (event.data !== want) return;
        worker.removeEventListener("message", listener);
        resolve();
      };
      worker.addEventListener("message", listener);
    });
  for (let i = 1; i < workers; i++) {
    const worker = new Worker(new URL("./_serve_worker.ts", import.meta.url).href, { type: "module" });
    await reply(worker, "hello");
    const listening = reply(worker, "listening");
    worker.postMessage({
      options: { root, hostname, port: server.addr.port, fileCacheMs, reusePort, splice },
      log: log !== undefined,
    });
    await listening;
    threads.push(worker);
  }
  console.log(
    `serving ${root} on http://${server.addr.hostname}:${server.addr.port}/ (io_uring, ${workers} ${
      workers === 1 ? "thread" : "threads"
    }; Ctrl-C stops)`,
  );
  const stop = async () => {
    console.log("shutting down: finishing responses in flight");
    await Promise.all([
      server.shutdown().then(() => ring.close()),
      ...threads.map((worker) => {
        const stopped = reply(worker, "stopped");
        worker.postMessage("stop");
        return stopped.then(() => worker.terminate());
      }),
    ]);
    console.log("stopped");
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
