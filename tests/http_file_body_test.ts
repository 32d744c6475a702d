/**
 * File bodies: a file cut short while its body is read errors the stream, a
 * body dropped unread gives its descriptor back once collected, the open-file
 * cache keeps a descriptor for its time and no longer, small files are read
 * fresh on every request, responses are registered for this library's server
 * to claim, and whole files and ranges arrive exact through this library's
 * server (raw targets too) and through the runtime's own.
 */
import assert from "node:assert/strict";
import { truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { setRequestContext } from "../http/_context.ts";
import { closeFileCache } from "../http/_file_cache.ts";
import { fileBodyOf } from "../http/_file_response.ts";
import { serveDir } from "../http/file_server.ts";
import { serve } from "../http/server.ts";
import { test } from "./_harness.ts";
import { exchange } from "./_http_util.ts";
import {
  bytesOf,
  collectGarbage,
  descriptorsInto,
  ELEVEN,
  filesOpenIn,
  FOUR_KIB,
  get,
  MIB,
  waitFor,
  withTree,
} from "./_http_file_util.ts";

const canCollect = collectGarbage()
  ? false
  : "garbage collection cannot be forced: run deno test with --v8-flags=--expose-gc";

test("a file cut short while its body is read errors the stream; nothing throws, the descriptor is closed", async () => {
  await withTree(async ({ root, ring, path }) => {
    const response = await serveDir(get("/1m.bin"), { fsRoot: root, ring, fileCacheMs: 0 });
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.ok(first.value!.length > 0);
    truncateSync(path("1m.bin"), 1000);
    await assert.rejects(async () => {
      for (;;) if ((await reader.read()).done) break;
    }, /shrank/);
    await waitFor(() => filesOpenIn(root).length === 0, 1000);
    assert.deepEqual(filesOpenIn(root), []);
  });
});

test("a body cancelled part way gives its descriptor back", async () => {
  await withTree(async ({ root, ring }) => {
    const response = await serveDir(get("/1m.bin"), { fsRoot: root, ring, fileCacheMs: 0 });
    const reader = response.body!.getReader();
    await reader.read();
    assert.equal(filesOpenIn(root).length, 1);
    await reader.cancel();
    await waitFor(() => filesOpenIn(root).length === 0, 1000);
    assert.deepEqual(filesOpenIn(root), []);
  });
});

test(
  "a response dropped unread gives its descriptor back once collected",
  async () => {
    await withTree(async ({ root, ring }) => {
      const drop = async () => {
        const response = await serveDir(get("/1m.bin"), { fsRoot: root, ring, fileCacheMs: 0 });
        assert.equal(response.status, 200);
      };
      await drop();
      assert.equal(filesOpenIn(root).length, 1, "the unread body holds the file");
      for (let i = 0; i < 50 && filesOpenIn(root).length > 0; i++) {
        collectGarbage();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(filesOpenIn(root), []);
    });
  },
  { skip: canCollect },
);

test("under this library's server, file responses a handler dropped give their files back once it answered", async () => {
  await withTree(async ({ root, ring }) => {
    let held = -1;
    const server = serve({ port: 0, hostname: "127.0.0.1", ring, onListen() {} }, async (request) => {
      const options = { fsRoot: root, fileCacheMs: 0 };
      const dropped = [await serveDir(request, options), await serveDir(request, options)];
      assert.deepEqual(dropped.map((response) => response.status), [200, 200]);
      held = filesOpenIn(root).length;
      return new Response("something else");
    });
    try {
      const response = await fetch(`http://127.0.0.1:${server.addr.port}/1m.bin`);
      assert.equal(await response.text(), "something else");
      assert.equal(held, 2, "each unread body held its file while the handler ran");
      await waitFor(() => filesOpenIn(root).length === 0, 1000);
      assert.deepEqual(filesOpenIn(root), [], "given back when the response was sent, without a collection");
    } finally {
      await server.shutdown();
    }
  });
});

test("a server's (lazy) response reads like any other: text, a body wrapped in a new Response, clone", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const served = async (path: string) => {
      const request = get(path);
      setRequestContext(request, { ring });
      return await serveDir(request, options);
    };
    const small = await served("/eleven.txt");
    assert.equal(small.bodyUsed, false);
    assert.equal(await small.text(), ELEVEN);
    assert.equal(small.bodyUsed, true);
    const wrapped = new Response((await served("/1m.bin")).body, { status: 200 });
    assert.deepEqual(await bytesOf(wrapped), MIB);
    const original = await served("/4k.bin");
    const copy = original.clone();
    assert.deepEqual(await bytesOf(copy), FOUR_KIB);
    assert.deepEqual(await bytesOf(original), FOUR_KIB);
  });
});

test("a response is registered as a file body: claimed once, before any read; small files come preloaded", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const request = get("/4k.bin");
    setRequestContext(request, { ring });
    const small = await serveDir(request, options);
    const smallBody = fileBodyOf(small)!;
    assert.equal(smallBody.length, 4096);
    assert.deepEqual(smallBody.preloaded, FOUR_KIB);
    assert.equal(smallBody.claim(), true);
    assert.equal(smallBody.claim(), false);
    smallBody.release();
    smallBody.release();
    const large = await serveDir(get("/1m.bin", { range: "bytes=100-" }), options);
    const largeBody = fileBodyOf(large)!;
    assert.equal(largeBody.offset, 100);
    assert.equal(largeBody.length, MIB.length - 100);
    assert.equal(largeBody.preloaded, undefined);
    assert.equal(largeBody.ring, ring);
    assert.equal(largeBody.claim(), true);
    await assert.rejects(large.body!.getReader().read(), /claimed/);
    largeBody.release();
    const read = await serveDir(get("/1m.bin"), options);
    const reader = read.body!.getReader();
    await reader.read();
    assert.equal(fileBodyOf(read)!.claim(), false, "a body being read cannot be claimed");
    await reader.cancel();
  });
});

test("the open-file cache serves a file opened within fileCacheMs without opening it, and lets go after", async () => {
  await withTree(async ({ root, ring, path }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 200 };
    assert.equal(await (await serveDir(get("/notes.txt"), options)).text(), "notes\n");
    unlinkSync(path("notes.txt"));
    // Still open: served from the descriptor the cache holds.
    assert.equal(await (await serveDir(get("/notes.txt"), options)).text(), "notes\n");
    await waitFor(() => descriptorsInto(root).length === 0, 2000);
    assert.deepEqual(descriptorsInto(root), [], "expired entries and the root are closed");
    const gone = await serveDir(get("/notes.txt"), options);
    assert.equal(gone.status, 404);
    await gone.body?.cancel();
    const uncached = { fsRoot: root, ring, fileCacheMs: 0 };
    await (await serveDir(get("/eleven.txt"), uncached)).text();
    await waitFor(() => filesOpenIn(root).length === 0, 500);
    assert.deepEqual(filesOpenIn(root), [], "fileCacheMs 0 keeps no file open");
  });
});

test("a small file written in place is served fresh from a cached descriptor", async () => {
  await withTree(async ({ root, ring, path }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 60_000 };
    assert.equal(await (await serveDir(get("/eleven.txt"), options)).text(), ELEVEN);
    writeFileSync(path("eleven.txt"), "changed, and longer");
    const grown = await serveDir(get("/eleven.txt"), options);
    assert.equal(grown.headers.get("content-length"), "19");
    assert.equal(await grown.text(), "changed, and longer");
    writeFileSync(path("eleven.txt"), "short");
    assert.equal(await (await serveDir(get("/eleven.txt"), options)).text(), "short");
    closeFileCache(ring);
  });
});

test("through this library's server: whole files, a range, HEAD, and raw targets, exact", async () => {
  await withTree(async ({ root, ring }) => {
    const server = serve(
      { port: 0, hostname: "127.0.0.1", ring, onListen() {} },
      (request) => serveDir(request, { fsRoot: root, fileCacheMs: 0, showDirListing: true }),
    );
    try {
      const base = `http://127.0.0.1:${server.addr.port}`;
      const mib = await fetch(`${base}/1m.bin`);
      assert.equal(mib.headers.get("content-length"), String(MIB.length));
      assert.deepEqual(await bytesOf(mib), MIB);
      assert.deepEqual(await bytesOf(await fetch(`${base}/4k.bin`)), FOUR_KIB);
      const range = await fetch(`${base}/1m.bin`, { headers: { range: "bytes=1000-200000" } });
      assert.equal(range.status, 206);
      assert.equal(range.headers.get("content-range"), `bytes 1000-200000/${MIB.length}`);
      assert.deepEqual(await bytesOf(range), MIB.subarray(1000, 200001));
      const head = await fetch(`${base}/1m.bin`, { method: "HEAD" });
      assert.equal(head.headers.get("content-length"), String(MIB.length));
      await head.body?.cancel();
      const port = server.addr.port;
      const dotted = await exchange(
        port,
        "GET /docs/../notes.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      );
      assert.match(dotted, /^HTTP\/1\.1 403 /);
      const slashes = await exchange(port, "GET //nested HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assert.match(slashes, /^HTTP\/1\.1 301 /);
      assert.match(slashes, /\r\nlocation: \/nested\/\r\n/i);
      const odd = await exchange(
        port,
        "GET /dir-without-index/#%/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      );
      assert.match(odd, /^HTTP\/1\.1 200 /);
      const after = await fetch(`${base}/eleven.txt`);
      assert.equal(await after.text(), ELEVEN, "the server still serves");
    } finally {
      await server.shutdown();
    }
  });
});

test("through the runtime's own server: a 1 MiB file and a range arrive exact", async () => {
  await withTree(async ({ root, ring }) => {
    const handler = (request: Request) => serveDir(request, { fsRoot: root, ring, fileCacheMs: 0 });
    const own = startOwnServer(handler);
    try {
      const base = `http://127.0.0.1:${own.port}`;
      assert.deepEqual(await bytesOf(await fetch(`${base}/1m.bin`)), MIB);
      const range = await fetch(`${base}/1m.bin`, { headers: { range: "bytes=-5000" } });
      assert.equal(range.status, 206);
      assert.deepEqual(await bytesOf(range), MIB.subarray(MIB.length - 5000));
      assert.equal(await (await fetch(`${base}/eleven.txt`)).text(), ELEVEN);
    } finally {
      await own.stop();
    }
  });
});

/** Deno.serve or Bun.serve on 127.0.0.1, a free port. */
function startOwnServer(
  handler: (request: Request) => Promise<Response>,
): { port: number; stop(): Promise<void> } {
  const runtime = globalThis as {
    Bun?: { serve(o: object): { port: number; stop(force?: boolean): Promise<void> } };
    Deno?: { serve(o: object, h: typeof handler): { addr: { port: number }; shutdown(): Promise<void> } };
  };
  if (runtime.Bun !== undefined) {
    const server = runtime.Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: handler });
    return { port: server.port, stop: () => server.stop(true) };
  }
  const server = runtime.Deno!.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handler);
  return { port: server.addr.port, stop: () => server.shutdown() };
}
