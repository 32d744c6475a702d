/**
 * The Deno reference for the HTTP benchmark: `Deno.serve` answering each
 * request with `Deno.readFile` of the path under the root.
 *
 *   deno run -A scripts/bench/_http_deno.ts ROOT PORT
 *
 * @module
 */
const [root, port] = Deno.args;
Deno.serve({
  hostname: "127.0.0.1",
  port: Number(port),
  onListen: () => console.log("listening"),
}, async (request) => {
  const path = decodeURIComponent(new URL(request.url).pathname);
  if (path.includes("..")) return new Response("forbidden", { status: 403 });
  try {
    return new Response(await Deno.readFile(root + path));
  } catch {
    return new Response("not found", { status: 404 });
  }
});
