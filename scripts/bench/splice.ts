/**
 * How the file server should send large files: SPLICE through a pipe (what it
 * does) against reads into a buffer and SENDs (`--no-splice`), under wrk
 * (`-t1 -c64`) for a 1 MiB file, in the runtime that runs this, the two
 * servers taking turns.
 *
 *   deno run -A scripts/bench/splice.ts        bun scripts/bench/splice.ts
 *
 * BENCH_HTTP_RUNS (3) and BENCH_HTTP_SECONDS (5) size it.
 *
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { benchDir, median, outDir, runtimeLabel } from "./_common.ts";
import { type Server, start, wrk } from "./http.ts";

const RUNS = Number(process.env.BENCH_HTTP_RUNS ?? 3);
const www = join(outDir, "http");
const file = join(www, "1m.bin");
if (!existsSync(file)) {
  mkdirSync(www, { recursive: true });
  const bytes = new Uint8Array(1 << 20);
  for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  writeFileSync(file, bytes);
}
const run = "Bun" in globalThis ? [process.execPath] : [process.execPath, "run", "-A"];
const serve = join(benchDir, "..", "..", "serve.ts");
const servers: Server[] = [["SPLICE through a pipe", []], ["read + SEND (--no-splice)", ["--no-splice"]]].map(
  (
    [subject, extra],
  ) => ({
    subject: subject as string,
    runtimes: [runtimeLabel],
    command: (
      port: number,
    ) => [...run, serve, www, "--port", String(port), "--quiet", ...(extra as string[])],
    ready: "serving",
  }),
);
const children = [];
const rates: number[][] = servers.map(() => []);
try {
  for (const [i, server] of servers.entries()) children.push(await start(server, 18490 + i));
  for (const [i, server] of servers.entries()) {
    await wrk(`http://127.0.0.1:${18490 + i}/1m.bin`, server.subject, 1);
  }
  for (let r = 0; r < RUNS; r++) {
    for (const [i, server] of servers.entries()) {
      rates[i].push(await wrk(`http://127.0.0.1:${18490 + i}/1m.bin`, server.subject));
    }
  }
} finally {
  for (const child of children) child.kill("SIGTERM");
}
console.log(`${runtimeLabel}, 1 MiB file, wrk -t1 -c64, median of ${RUNS}:`);
for (const [i, server] of servers.entries()) {
  console.log(
    `  ${server.subject.padEnd(28)} ${median(rates[i]).toFixed(0).padStart(6)} req/s  (${
      rates[i].map((v) => v.toFixed(0)).join(", ")
    })  ${(median(rates[i]) / median(rates[0])).toFixed(2)}×`,
  );
}
