/**
 * An HTTP/1.1 server over io_uring with the Web-standard handler that
 * `Deno.serve` and `Bun.serve` take, and a static file server shaped like
 * Deno's `@std/http/file-server` whose responses this server sends without
 * copying the files through JavaScript.
 *
 * @example A route beside a directory
 * ```ts
 * import { serve, serveDir } from "@ioring/ioring/http";
 * const server = serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
 *   if (new URL(req.url).pathname === "/health") return Response.json({ ok: true });
 *   return serveDir(req, { fsRoot: "." });
 * });
 * const health = await fetch(`http://127.0.0.1:${server.addr.port}/health`);
 * console.log(await health.json()); // { ok: true }
 * await server.shutdown();
 * ```
 *
 * @module
 */
export {
  type HttpServer,
  serve,
  type ServeHandler,
  type ServeHandlerInfo,
  type ServeOptions,
} from "./server.ts";
export { serveDir, type ServeDirOptions, serveFile, type ServeFileOptions } from "./file_server.ts";
export type { LogFormat } from "./_access_log.ts";
