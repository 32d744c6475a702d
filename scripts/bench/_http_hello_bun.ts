/**
 * The Bun reference for the HTTP benchmark's hello-world section:
 * `Bun.serve` answering every request with the 12 bytes "Hello, world".
 *
 *   bun scripts/bench/_http_hello_bun.ts [ROOT] PORT
 *
 * The port is the last argument (a ROOT before it is not used).
 *
 * @module
 */
import process from "node:process";

/** The part of Bun's API this uses (declared so that `deno check` reads this file too). */
interface BunServe {
  serve(options: { hostname: string; port: number; fetch(request: Request): Response }): unknown;
}

const bun = (globalThis as unknown as { Bun: BunServe }).Bun;
bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.argv.at(-1)),
  fetch: () => new Response("Hello, world"),
});
console.log("listening");
