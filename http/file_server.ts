/**
 * `serveDir` and `serveFile`, shaped like Deno's `@std/http/file-server`:
 * handler functions that take a Request and give a Response, for any server
 * (this library's `serve`, `Deno.serve`, `Bun.serve`). Files are opened and
 * read through io_uring: openat2 with RESOLVE_BENEATH (no path, `..` or
 * symbolic link leaves the root), one statx, an open-file cache so that a
 * file served a moment ago costs a single read; GET and HEAD, validators
 * (ETag, Last-Modified) and conditional requests (304, 412), byte ranges
 * (206, multipart, 416), Content-Type by extension, index.html, listings.
 *
 * Under this library's `serve`, the server sends a file without copying it
 * through JavaScript: the bytes of a small file leave with the response head
 * in one SEND, a large one goes by SPLICE. Elsewhere the body is an ordinary
 * stream that reads the file on demand.
 *
 * @example Beside other routes, on the runtime's own server
 * ```ts ignore
 * import { serveDir } from "@ioring/ioring/http";
 * Deno.serve((req) => {
 *   if (new URL(req.url).pathname === "/health") return new Response("ok");
 *   return serveDir(req, { fsRoot: "public", showDirListing: true });
 * });
 * ```
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";
import { type FileServerSettings, type Profile, profileOf, statusResponse } from "./_file_profile.ts";
import { serveDirRequest, serveFileRequest } from "./_file_serve.ts";
import { settled } from "./_settled.ts";

/** Options of {@link serveDir}. */
export interface ServeDirOptions {
  /** The directory served; default "." (the current directory). */
  fsRoot?: string;
  /** A URL path prefix taken off before the path is looked up (a URL without it is 404); default none. */
  urlRoot?: string;
  /** Serve a directory's index.html for the directory; default true. */
  showIndex?: boolean;
  /** List a directory that has no index.html (else 404); default false. */
  showDirListing?: boolean;
  /** Serve and list names starting with "." (`.env`, `.git/`); default false (404). */
  showDotfiles?: boolean;
  /** Add CORS fields (`Access-Control-Allow-Origin: *`) and answer preflight OPTIONS requests; default false. */
  enableCors?: boolean;
  /** Fields added to every response, each written "Name: value"; default none. */
  headers?: string[];
  /** Do not log unexpected errors (they still become 500); default false. */
  quiet?: boolean;
  /**
   * Milliseconds an opened file stays open, with its statx, for later requests, as nginx's
   * `open_file_cache_valid`; default 1000; 0 opens and describes the file on every request (the root
   * directory stays open a second after its last use either way). The
   * bytes are read on every request, so a file written in place is served fresh at once; a file replaced by
   * a rename, or changed in place to the same size, is served as it was for up to this long.
   */
  fileCacheMs?: number;
  /** The ring to use outside this library's server (whose requests use its ring); default the thread's. */
  ring?: IoRing;
}

/** Options of {@link serveFile}. */
export interface ServeFileOptions {
  /** Milliseconds an opened file stays open for later requests (see {@link ServeDirOptions.fileCacheMs}). */
  fileCacheMs?: number;
  /** The ring to use outside this library's server; default the thread's. */
  ring?: IoRing;
  /** Fields added to every response, each written "Name: value"; default none. */
  headers?: string[];
  /** Do not log unexpected errors; default false. */
  quiet?: boolean;
}

/**
 * Serves the files under `options.fsRoot` for `req`: GET and HEAD (other methods 405, OPTIONS a CORS
 * preflight with `enableCors`). A directory asked for without its final "/" is redirected to it; with it,
 * its index.html is served, or its listing, or 404. Never rejects: a request that cannot be served is
 * answered with its status (400, 403, 404, 405, 412, 414, 416), an unexpected failure with 500 (logged
 * with console.error unless `quiet`).
 *
 * The options object is read once, when first used: make it once, or pass equal values (the file cache
 * is shared by options with the same values).
 *
 * @param req The request (its method, URL and the precondition and Range fields are read).
 * @param options Where the files are and how to serve them.
 * @returns The response.
 * @example Answering a request directly
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * import { serveDir } from "@ioring/ioring/http";
 * await using ring = new IoRing();
 * const response = await serveDir(new Request("http://localhost/deno.json"), { fsRoot: ".", ring, fileCacheMs: 0 });
 * console.log(response.status, response.headers.get("content-type")); // 200 application/json
 * console.log(JSON.parse(await response.text()).name); // @ioring/ioring
 * ```
 */
export function serveDir(req: Request, options: ServeDirOptions = {}): Promise<Response> {
  let profile: Profile | undefined;
  try {
    profile = profileOf(options satisfies FileServerSettings);
    const result = serveDirRequest(req, profile);
    if (result instanceof Response) return settled(result);
    const known = profile;
    return result.catch((error) => failed(error, known, options));
  } catch (error) {
    return Promise.resolve(failed(error, profile, options));
  }
}

/**
 * Serves the file at `path` (relative to the current directory, or absolute) for `req`, as
 * {@link serveDir} serves a file: GET and HEAD, validators, conditional requests and ranges. A directory
 * or anything but a regular file is 404. The path is the caller's choice: it is not confined to a root.
 *
 * @param req The request.
 * @param path The file.
 * @param options The cache time, the ring, extra fields.
 * @returns The response.
 * @example One file for every request
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * import { serveFile } from "@ioring/ioring/http";
 * await using ring = new IoRing();
 * const response = await serveFile(new Request("http://localhost/"), "deno.json", { ring, fileCacheMs: 0 });
 * console.log(response.status, response.headers.get("accept-ranges")); // 200 bytes
 * await response.body?.cancel();
 * ```
 */
export function serveFile(req: Request, path: string, options: ServeFileOptions = {}): Promise<Response> {
  let profile: Profile | undefined;
  try {
    profile = profileOf(options satisfies FileServerSettings);
    const result = serveFileRequest(req, path, profile);
    if (result instanceof Response) return settled(result);
    const known = profile;
    return result.catch((error) => failed(error, known, options));
  } catch (error) {
    return Promise.resolve(failed(error, profile, options));
  }
}

/** The 500 for an error nothing expected, logged unless quiet. */
function failed(error: unknown, profile: Profile | undefined, options: { quiet?: boolean }): Response {
  if (!(profile?.quiet ?? options.quiet)) console.error("serveDir: cannot serve the request:", error);
  try {
    return statusResponse(500, profile ?? profileOf({ quiet: true }));
  } catch {
    return new Response("Internal Server Error\n", { status: 500 });
  }
}
