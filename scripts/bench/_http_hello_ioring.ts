/**
 * ioring's `serve` answering every request with the 12 bytes "Hello, world",
 * for the HTTP benchmark's hello-world section. Runs in Deno and in Bun.
 *
 *   deno run -A scripts/bench/_http_hello_ioring.ts [ROOT] PORT      bun scripts/bench/_http_hello_ioring.ts [ROOT] PORT
 *
 * The port is the last argument; a ROOT before it is accepted, so that every
 * benchmark server takes the same arguments, and not used.
 *
 * @module
 */
import process from "node:process";
import { serve } from "../../http/mod.ts";

const port = Number(process.argv.at(-1));
serve(
  { hostname: "127.0.0.1", port, onListen: () => console.log("listening") },
  () => new Response("Hello, world"),
);
