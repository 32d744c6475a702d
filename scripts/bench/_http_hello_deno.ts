/**
 * The Deno reference for the HTTP benchmark's hello-world section:
 * `Deno.serve` answering every request with the 12 bytes "Hello, world".
 *
 *   deno run -A scripts/bench/_http_hello_deno.ts [ROOT] PORT
 *
 * The port is the last argument (a ROOT before it is not used).
 *
 * @module
 */

/** The part of Deno's API this uses (declared so that tsc, with Bun's types, reads this file too). */
interface DenoServe {
  args: string[];
  serve(
    options: { hostname: string; port: number; onListen(): void },
    handler: (request: Request) => Response,
  ): unknown;
}

const deno = (globalThis as unknown as { Deno: DenoServe }).Deno;
deno.serve({
  hostname: "127.0.0.1",
  port: Number(deno.args.at(-1)),
  onListen: () => console.log("listening"),
}, () => new Response("Hello, world"));
