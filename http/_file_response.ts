/**
 * The contract between `serveDir`/`serveFile` and the server: a Response whose
 * body is (part of) an open file. Its body is an ordinary ReadableStream that
 * reads the file through a ring, so the Response works anywhere (`Deno.serve`,
 * `Bun.serve`, `await response.text()`); the server, finding the Response
 * here with its body untouched, claims the file instead and sends it without
 * copying it through JavaScript (one SEND with the head for `preloaded`
 * bytes, SPLICE for the rest).
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";

/** (Part of) an open file that a Response's body stands for. */
export interface FileBody {
  /** The ring the descriptor belongs to. */
  readonly ring: IoRing;
  /** An open descriptor of a regular file. */
  readonly fd: number;
  /** Where the body starts in the file. */
  readonly offset: number;
  /** How many bytes the body has (the Content-Length sent). */
  readonly length: number;
  /** The file's first bytes, when already read (the whole body for a small file); else undefined. */
  readonly preloaded?: Uint8Array;
  /**
   * Set on a small body not read yet: the server reads it into the buffer it sends the head from (one
   * READ, then one SEND). A read of another length means the file changed since it was described: the
   * server then sends `refresh()`'s response instead (made from the file opened and described anew).
   */
  readonly refresh?: () => Promise<Response>;
  /** True when the body is the whole file: a read of one byte more finds a file that grew. */
  readonly whole?: boolean;
  /**
   * Takes the file for sending; true once, for the first caller, and only if the body stream has not
   * started reading. After a true claim the stream never reads, and the claimer must call `release`.
   */
  claim(): boolean;
  /** Gives the descriptor back (closes it, or returns it to the open-file cache). Idempotent. */
  release(): void;
}

/** Where a Response keeps its file body (a symbol: cheaper to set and read than a WeakMap entry). */
const FILE_BODY = Symbol("ioring file body");

/** Registers `body` as the file behind `response` (made by serveDir or serveFile). */
export function setFileBody(response: Response, body: FileBody): void {
  (response as { [FILE_BODY]?: FileBody })[FILE_BODY] = body;
}

/** The file behind `response`, if serveDir or serveFile made it; else undefined. */
export function fileBodyOf(response: Response): FileBody | undefined {
  return (response as { [FILE_BODY]?: FileBody })[FILE_BODY];
}
