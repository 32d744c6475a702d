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
   * Takes the file for sending; true once, for the first caller, and only if the body stream has not
   * started reading. After a true claim the stream never reads, and the claimer must call `release`.
   */
  claim(): boolean;
  /** Gives the descriptor back (closes it, or returns it to the open-file cache). Idempotent. */
  release(): void;
}

/** The file behind each Response made by serveDir and serveFile. */
export const fileBodies: WeakMap<Response, FileBody> = new WeakMap();
