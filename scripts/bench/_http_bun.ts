/**
 * The Bun reference for the HTTP benchmark: `Bun.serve` answering each
 * request with `Bun.file` of the path under the root (Bun sends it with
 * sendfile).
 *
 *   bun scripts/bench/_http_bun.ts ROOT PORT
 *
 * @module
 */
import process from "node:process";

/** The part of Bun's API this uses (declared so that `deno check` reads this file too). */
interface BunServe {
  serve(options: { hostname: string; port: number; fetch(request: Request): Response }): unknown;
  file(path: string): Blob;
}

const bun = (globalThis as unknown as { Bun: BunServe }).Bun;
const [root, port] = process.argv.slice(2);
bun.serve({
  hostname: "127.0.0.1",
  port: Number(port),
  fetch(request) {
    const path = decodeURIComponent(new URL(request.url).pathname);
    if (path.includes("..")) return new Response("forbidden", { status: 403 });
    return new Response(bun.file(root + path));
  },
});
console.log("listening");
