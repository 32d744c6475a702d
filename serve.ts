/**
 * The file server command, and the first server API kept for its users.
 *
 *   deno task start                      npm start                     bun serve.ts [DIR]
 *   deno run --allow-ffi --allow-read --allow-env --allow-sys serve.ts [DIR] [options]
 *
 * Serves DIR (default ".") with `serve` + `serveDir` from `@ioring/ioring/http`; run with `--help` for the
 * options. New code imports from `@ioring/ioring/http`; `serveDir(ring, options)` here is the earlier API,
 * now a thin layer over it.
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
import type { IoRing } from "./facade/io_ring.ts";
import type { NetAddr } from "./net/address.ts";
import { serveDir as serveDirectory } from "./http/file_server.ts";
import { serve } from "./http/server.ts";
import { parseServeArgs, type ProcessLike, processOf, SERVE_USAGE } from "./http/_cli.ts";

/** Options of {@link serveDir}, the earlier API. */
export interface ServeDirOptions {
  /** The directory to serve. */
  root: string;
  /** The address to listen on; default "127.0.0.1". */
  hostname?: string;
  /** The port; default 8080 (0: the kernel picks one, see `server.addr`). */
  port?: number;
  /** The most bytes of a request head; default 8192. */
  maxHeaderBytes?: number;
  /** The most connections open at once; default 16384. */
  maxConnections?: number;
  /** Milliseconds a connection may stay silent between requests; default 30 000. */
  idleTimeout?: number;
  /** Milliseconds a request head may take once it has started; default 10 000. */
  headerTimeout?: number;
  /** Milliseconds an opened file and its statx are kept for later requests; default 1000. */
  fileCacheMs?: number;
  /** Send large files with SPLICE (default), or false to send them through a buffer. */
  splice?: boolean;
  /** Listen with SO_REUSEPORT. */
  reusePort?: boolean;
  /** Called with one access log line per response. */
  log?: (line: string) => void;
}

/** A running {@link serveDir} server. */
export interface FileServer {
  /** The address it listens on. */
  readonly addr: NetAddr;
  /** Stops accepting, lets responses in flight finish, closes idle connections. */
  shutdown(): Promise<void>;
  /** Resolves once the server has shut down. */
  readonly finished: Promise<void>;
}

/**
 * Serves `options.root` on `ring`: the earlier API, kept working.
 *
 * @deprecated Use `serve(options, (req) => serveDir(req, { fsRoot }))` from `@ioring/ioring/http`: routes,
 * headers and logging are then yours to add.
 * @example
 * ```ts ignore
 * const server = await serveDir(ring, { root: "public", port: 8080, log: console.log });
 * ```
 */
export function serveDir(ring: IoRing, options: ServeDirOptions): Promise<FileServer> {
  const fsRoot = options.root;
  const fileCacheMs = options.fileCacheMs;
  const server = serve({
    ring,
    hostname: options.hostname,
    port: options.port ?? 8080,
    maxHeaderBytes: options.maxHeaderBytes,
    maxConnections: options.maxConnections,
    idleTimeout: options.idleTimeout,
    headerTimeout: options.headerTimeout,
    splice: options.splice,
    reusePort: options.reusePort,
    log: options.log,
    onListen() {},
  }, (request) => serveDirectory(request, { fsRoot, fileCacheMs, showDirListing: true, quiet: true }));
  return Promise.resolve({ addr: server.addr, shutdown: () => server.shutdown(), finished: server.finished });
}

async function main(): Promise<void> {
  const process: ProcessLike = processOf();
  const parsed = parseServeArgs(process.argv.slice(2), process.env.PORT);
  if ("error" in parsed) {
    console.error(`serve: ${parsed.error}\n\n${SERVE_USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    console.log(SERVE_USAGE);
    return;
  }
  const { startFileServers } = await import("./http/_cli_run.ts");
  await startFileServers(parsed, new URL("./_serve_worker.ts", import.meta.url).href);
}

if (import.meta.main) await main();
