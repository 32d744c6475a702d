// serve() against random bytes on live connections (fast-check): whatever arrives, each connection gets
// at most well-formed responses or a close, the handler sees only requests that parsed, and the server
// answers a normal request afterwards.
import assert from "node:assert/strict";
import fc from "fast-check";
import { test } from "./_harness.ts";
import { exchange, statuses, withHttp } from "./_http_util.ts";

const VALID = "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";

/** A valid request with some bytes replaced, inserted or cut, or plain random bytes. */
const hostileBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 300 }),
  fc.tuple(fc.nat(VALID.length), fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.nat(4)).map(
    ([at, bytes, cut]) => {
      const valid = new TextEncoder().encode(VALID);
      const out = new Uint8Array(valid.length + bytes.length);
      out.set(valid.subarray(0, at));
      out.set(bytes, at);
      out.set(valid.subarray(Math.min(valid.length, at + cut)), at + bytes.length);
      return out.subarray(0, valid.length + bytes.length - Math.min(cut, valid.length - at));
    },
  ),
  fc.array(
    fc.constantFrom(
      "GET ",
      "/",
      " HTTP/1.1",
      "\r\n",
      "\n",
      "Host: x",
      ":",
      " ",
      "Transfer-Encoding: chunked",
      "Content-Length: 2",
      "0\r\n\r\n",
      "\r\n\r\n",
      "\0",
      "%",
    ),
    { minLength: 1, maxLength: 20 },
  ).map((parts) => new TextEncoder().encode(parts.join(""))),
);

test(
  "random and mutated request bytes get well-formed answers or a close, and the server lives on",
  async () => {
    let handled = 0;
    await withHttp({ headerTimeout: 300, idleTimeout: 300 }, async (req) => {
      handled++;
      assert.ok(req.method.length > 0);
      new URL(req.url); // a URL the handler can parse
      if (req.body !== null) await req.arrayBuffer();
      return new Response("ok");
    }, async (port) => {
      // Sampled, not shrunk: connections run 30 at a time (each waits out the server's lingering close).
      const seed = Date.now() % 1_000_000;
      const samples = fc.sample(hostileBytes, { numRuns: 150, seed });
      for (let i = 0; i < samples.length; i += 30) {
        await Promise.all(
          samples.slice(i, i + 30).map(async (bytes) => {
            const text = await exchange(port, bytes, 1500);
            const shown = `seed ${seed}: ${JSON.stringify(new TextDecoder().decode(bytes))} got ${
              JSON.stringify(text.slice(0, 80))
            }`;
            for (const status of statuses(text)) assert.ok(status >= 100 && status < 600, shown);
            if (text.length > 0) assert.match(text, /^HTTP\/1\.1 \d{3} /, shown);
          }),
        );
      }
      const text = await exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assert.deepEqual(statuses(text), [200]);
    });
    assert.ok(handled > 0, "some generated requests were valid and reached the handler");
  },
  { timeout: 120_000 },
);
