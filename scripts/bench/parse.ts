/**
 * Nanoseconds per request-head parse (findHeadEnd + parseHead) for the
 * benchmark's minimal request and a browser-like one, and per headerEntries
 * of the latter. Not a test.
 *
 *   deno run scripts/bench/parse.ts        bun scripts/bench/parse.ts
 *
 * @module
 */
import { findHeadEnd, headerEntries, parseHead } from "../../http/_parse_head.ts";

const MINIMAL = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
const BROWSER = [
  "GET /assets/app.js?v=3 HTTP/1.1",
  "Host: localhost:8080",
  "Connection: keep-alive",
  'sec-ch-ua: "Chromium";v="124", "Not-A.Brand";v="99"',
  "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
  "Accept: */*",
  "Sec-Fetch-Site: same-origin",
  "Sec-Fetch-Mode: no-cors",
  "Referer: http://localhost:8080/",
  "Accept-Encoding: gzip, deflate, br",
  "Accept-Language: en-US,en;q=0.9",
  "",
  "",
].join("\r\n");

const ROUNDS = 5;
const ITERATIONS = 200_000;

function measure(name: string, run: () => unknown): void {
  for (let i = 0; i < ITERATIONS; i++) run(); // warm up
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < ITERATIONS; i++) run();
    best = Math.min(best, (performance.now() - started) * 1e6 / ITERATIONS);
  }
  console.log(`${name.padEnd(28)} ${best.toFixed(0).padStart(6)} ns`);
}

/** The request in a buffer as large as a connection's, as the server holds it. */
function buffered(request: string): Uint8Array {
  const bytes = new Uint8Array(16 * 1024);
  new TextEncoder().encodeInto(request, bytes);
  return bytes;
}

const minimal = buffered(MINIMAL);
const browser = buffered(BROWSER);
const browserHead = parseHead(browser, findHeadEnd(browser, 0, BROWSER.length));
measure("parse minimal", () => parseHead(minimal, findHeadEnd(minimal, 0, MINIMAL.length)));
measure("parse browser-like", () => parseHead(browser, findHeadEnd(browser, 0, BROWSER.length)));
measure("headerEntries browser-like", () => headerEntries(browserHead));
