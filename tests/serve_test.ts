// The file server against real clients: the runtime's fetch and raw sockets, on 127.0.0.1.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import type { Buffer } from "node:buffer";
import { symlinkSync } from "node:fs";
import { connect, IoRing } from "../mod.ts";
import { type FileServer, serveDir } from "../serve.ts";
import { test } from "./_harness.ts";
import { pattern, runtimeCommand, sleep, tempDir } from "./_util.ts";

async function withServer(
  fn: (base: string, server: FileServer, ring: IoRing, root: string) => Promise<void>,
) {
  const dir = tempDir();
  dir.file("index.html", "<h1>home</h1>\n");
  dir.file("data.bin", pattern(1 << 20, 17));
  dir.file("notes.txt", "plain text\n");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(`${dir.path}/docs`);
  dir.file("docs/a.md", "# a\n");
  await using ring = new IoRing({ entries: 256 });
  const server = await serveDir(ring, { root: dir.path, port: 0 });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, server, ring, dir.path);
  } finally {
    await server.shutdown();
    dir.remove();
  }
}

/** Sends raw bytes and reads until the server closes (or `until` is seen). */
async function raw(
  ring: IoRing,
  port: number,
  request: string | Uint8Array,
  until?: RegExp,
): Promise<string> {
  await using conn = await connect(ring, { port });
  await conn.writeAll(typeof request === "string" ? new TextEncoder().encode(request) : request);
  const buffer = new Uint8Array(65536);
  let text = "";
  for (;;) {
    const n = await conn.read(buffer, { timeout: 5_000 });
    if (n === null) return text;
    text += new TextDecoder().decode(buffer.subarray(0, n));
    if (until?.test(text)) return text;
  }
}

test("GET and HEAD serve files byte for byte with type, length, ETag and Last-Modified", async () => {
  await withServer(async (base) => {
    const response = await fetch(`${base}/data.bin`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/octet-stream");
    assert.equal(response.headers.get("content-length"), String(1 << 20));
    assert.match(response.headers.get("etag") ?? "", /^(W\/)?"[^"]+"$/);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), pattern(1 << 20, 17));
    const text = await fetch(`${base}/notes.txt`);
    assert.equal(text.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await text.text(), "plain text\n");
    const head = await fetch(`${base}/notes.txt`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "11");
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });
});

test("directories: index.html, a listing, and a redirect to the slash", async () => {
  await withServer(async (base) => {
    assert.equal(await (await fetch(`${base}/`)).text(), "<h1>home</h1>\n");
    const listing = await fetch(`${base}/docs/`);
    assert.match(await listing.text(), /<a href="\.\/a\.md">a\.md<\/a>/);
    const redirect = await fetch(`${base}/docs`, { redirect: "manual" });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get("location"), "/docs/");
    await redirect.body?.cancel();
  });
});

test("ranges give 206 with the exact bytes, and 416 when unsatisfiable", async () => {
  await withServer(async (base) => {
    const data = pattern(1 << 20, 17);
    const part = await fetch(`${base}/data.bin`, { headers: { range: "bytes=1000-1999" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 1000-1999/${1 << 20}`);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), data.subarray(1000, 2000));
    const suffix = await fetch(`${base}/data.bin`, { headers: { range: "bytes=-10" } });
    assert.deepEqual(new Uint8Array(await suffix.arrayBuffer()), data.subarray(data.length - 10));
    const bad = await fetch(`${base}/data.bin`, { headers: { range: `bytes=${1 << 21}-` } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get("content-range"), `bytes */${1 << 20}`);
    await bad.body?.cancel();
  });
});

test("conditional requests get 304 by ETag and by date", async () => {
  await withServer(async (base) => {
    const first = await fetch(`${base}/notes.txt`);
    await first.text();
    const etag = first.headers.get("etag")!;
    const byTag = await fetch(`${base}/notes.txt`, { headers: { "if-none-match": etag } });
    assert.equal(byTag.status, 304);
    const byDate = await fetch(`${base}/notes.txt`, {
      headers: { "if-modified-since": first.headers.get("last-modified")! },
    });
    assert.equal(byDate.status, 304);
    const stale = await fetch(`${base}/notes.txt`, { headers: { "if-none-match": 'W/"other"' } });
    assert.equal(stale.status, 200);
    await stale.text();
  });
});

test("no path leaves the root: .., encoded .., NUL, and symlinks out", async () => {
  await withServer(async (_base, server, ring, root) => {
    symlinkSync("/etc", `${root}/escape`);
    const port = server.addr.port;
    for (
      const target of [
        "/../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/docs/..%2f..%2fetc%2fpasswd",
        "/escape/passwd",
      ]
    ) {
      const reply = await raw(ring, port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(reply, /^HTTP\/1\.1 (403|404) /, `${target}: ${reply.split("\r\n")[0]}`);
      assert.doesNotMatch(reply, /root:/);
    }
    const nul = await raw(
      ring,
      port,
      "GET /notes.txt%00.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.match(nul, /^HTTP\/1\.1 400 /);
  });
});

test("bad requests get a status, never a crash: 400, 405, 413, 431", async () => {
  await withServer(async (base, server, ring) => {
    const port = server.addr.port;
    assert.match(await raw(ring, port, "NONSENSE\r\n\r\n"), /^HTTP\/1\.1 400 /);
    assert.match(await raw(ring, port, "GET / HTTP/9.9\r\n\r\n"), /^HTTP\/1\.1 505 /); // a major version not 1
    assert.match(
      await raw(ring, port, "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      /^HTTP\/1\.1 405 [^]*Allow: GET, HEAD/i,
    );
    // A GET's body is read and dropped (it was a 413 once): the next request on the connection is answered.
    const withBody = await raw(
      ring,
      port,
      "GET /notes.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /notes.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual([...withBody.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]), ["200", "200"]);
    const huge = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`;
    assert.match(await raw(ring, port, huge), /^HTTP\/1\.1 431 /);
    assert.equal((await fetch(`${base}/notes.txt`)).status, 200, "the server is still up");
  });
});

test("the request head, byte by byte: malformed lines get 400, names in any case, a raw UTF-8 target", async () => {
  await withServer(async (_base, server, ring, root) => {
    const port = server.addr.port;
    for (
      const bad of [
        "get /notes.txt HTTP/1.1", // a method in lower case
        "GET /notes.txt HTTP/1.2",
        "GET /notes.txt HTTP/1.1 extra",
        "GET /notes.txt  HTTP/1.1", // two spaces: the version is not where it belongs
        "GET /notes.txt",
        " GET /notes.txt HTTP/1.1",
        "GET /notes.txt HTTP/1.1\r\nNo colon here",
        "GET /notes.txt HTTP/1.1\r\n: empty name",
        "GET /notes.txt HTTP/1.1\r\nBad Name: x",
        "GET /notes.txt HTTP/1.1\r\nBad\x7fName: x",
      ]
    ) {
      assert.match(await raw(ring, port, `${bad}\r\n\r\n`), /^HTTP\/1\.1 400 /, JSON.stringify(bad));
    }
    // Header names match in any letter case; other fields are skipped; values are trimmed.
    const ranged = await raw(
      ring,
      port,
      "GET /notes.txt HTTP/1.1\r\nhOsT: a\r\nX-Other: 1\r\nRaNgE:   bytes=0-4  \r\ncONNECTION: Close\r\n\r\n",
    );
    assert.match(ranged, /^HTTP\/1\.1 206 [^]*connection: close[^]*\r\n\r\nplain$/i);
    // HTTP/1.0 closes unless asked to keep alive.
    assert.match(
      await raw(ring, port, "GET /notes.txt HTTP/1.0\r\n\r\n"),
      /^HTTP\/1\.1 200 [^]*Connection: close/i,
    );
    // A target sent as raw UTF-8 bytes names the same file as its percent-encoded form.
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${root}/caf\u00e9.txt`, "coffee\n");
    const utf8 = new Uint8Array([
      ...new TextEncoder().encode("GET /caf\u00e9.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    ]);
    assert.match(await raw(ring, port, utf8), /^HTTP\/1\.1 200 [^]*coffee\n$/);
    assert.match(
      await raw(ring, port, "GET /caf%C3%A9.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      /^HTTP\/1\.1 200 [^]*coffee\n$/,
    );
  });
});

test("keep-alive and pipelining: three requests in one write get three responses in order", async () => {
  await withServer(async (_base, server, ring) => {
    const request = "GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2) +
      "GET /docs/a.md HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const reply = await raw(ring, server.addr.port, request);
    const statuses = [...reply.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ["200", "200", "200"]);
    assert.equal(reply.split("plain text\n").length - 1, 2);
    assert.ok(reply.endsWith("# a\n"));
  });
});

test("300 sequential requests on one connection and 50 concurrent connections lose nothing", async () => {
  await withServer(async (base, server, ring) => {
    await using conn = await connect(ring, { port: server.addr.port });
    const buffer = new Uint8Array(4096);
    for (let i = 0; i < 300; i++) {
      await conn.writeAll(new TextEncoder().encode("GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
      let text = "";
      while (!text.endsWith("plain text\n")) {
        const n = await conn.read(buffer, { timeout: 5_000 });
        assert.notEqual(n, null);
        text += new TextDecoder().decode(buffer.subarray(0, n!));
      }
    }
    const bodies = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${base}/notes.txt`).then((r) => r.text())),
    );
    assert.ok(bodies.every((b) => b === "plain text\n"));
  });
});

test("shutdown lets a response in flight finish and closes idle connections", async () => {
  const dir = tempDir();
  dir.file("big.bin", pattern(4 << 20, 3));
  await using ring = new IoRing({ entries: 256 });
  const server = await serveDir(ring, { root: dir.path, port: 0 });
  try {
    await using idleConn = await connect(ring, { port: server.addr.port });
    const response = await fetch(`http://127.0.0.1:${server.addr.port}/big.bin`);
    const body = response.arrayBuffer();
    await server.shutdown();
    assert.deepEqual(new Uint8Array(await body), pattern(4 << 20, 3), "the response in flight completed");
    assert.equal(
      await idleConn.read(new Uint8Array(8), { timeout: 5_000 }),
      null,
      "the idle connection was closed",
    );
    await assert.rejects(fetch(`http://127.0.0.1:${server.addr.port}/big.bin`), "no longer accepting");
  } finally {
    dir.remove();
  }
});

test("a slow request head (slowloris) gets 408 and the connection closes", async () => {
  const dir = tempDir();
  dir.file("x.txt", "x");
  await using ring = new IoRing();
  const server = await serveDir(ring, { root: dir.path, port: 0, headerTimeout: 300 });
  try {
    await using conn = await connect(ring, { port: server.addr.port });
    await conn.writeAll(new TextEncoder().encode("GET /x.txt HTTP/1.1\r\nHo"));
    const buffer = new Uint8Array(1024);
    const n = await conn.read(buffer, { timeout: 5_000 });
    assert.match(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), /^HTTP\/1\.1 408 /);
    assert.equal(await conn.read(buffer, { timeout: 5_000 }), null, "then the server closes");
  } finally {
    await server.shutdown();
    dir.remove();
  }
});

const curl = spawnSync("curl", ["--version"]).status === 0 ? false : "curl is not installed";

test("curl gets the same bytes, headers for HEAD, and a range", async () => {
  // Asynchronously: the server runs on this thread's event loop.
  const run = (args: string[]) =>
    new Promise<Buffer>((resolve, reject) =>
      execFile(
        "curl",
        args,
        { encoding: "buffer", maxBuffer: 1 << 22 },
        (error, stdout) => error ? reject(error) : resolve(stdout),
      )
    );
  await withServer(async (base) => {
    assert.deepEqual(new Uint8Array(await run(["-s", "--fail", `${base}/data.bin`])), pattern(1 << 20, 17));
    const head = (await run(["-s", "-I", `${base}/notes.txt`])).toString();
    assert.match(head, /^HTTP\/1\.1 200 OK/);
    assert.match(head, /Content-Length: 11/i);
    assert.equal((await run(["-s", "-r", "0-4", `${base}/notes.txt`])).toString(), "plain");
  });
}, { skip: curl });

test("a 100 MiB file streams byte for byte", async () => {
  const dir = tempDir();
  const big = new Uint8Array(100 << 20);
  for (let i = 0; i < big.length; i += 4096) big[i] = (i >>> 12) & 0xff;
  dir.file("big.bin", big);
  await using ring = new IoRing({ entries: 256 });
  const server = await serveDir(ring, { root: dir.path, port: 0 });
  try {
    const response = await fetch(`http://127.0.0.1:${server.addr.port}/big.bin`);
    const body = new Uint8Array(await response.arrayBuffer());
    assert.equal(body.length, big.length);
    assert.ok(body.every((b, i) => b === big[i]), "every byte equal");
  } finally {
    await server.shutdown();
    dir.remove();
  }
}, { timeout: 60_000 });

test("1,000 sequential requests and 200 concurrent connections, nothing lost", async () => {
  await withServer(async (base, server, ring) => {
    for (let i = 0; i < 1000; i++) {
      const response = await fetch(`${base}/notes.txt`);
      assert.equal(await response.text(), "plain text\n");
    }
    const replies = await Promise.all(
      Array.from(
        { length: 200 },
        () => raw(ring, server.addr.port, "GET /notes.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      ),
    );
    assert.ok(replies.every((r) => r.startsWith("HTTP/1.1 200 ") && r.endsWith("plain text\n")));
  });
}, { timeout: 60_000 });

test("a file that changes is served fresh: new bytes and length at once, validators within fileCacheMs", async () => {
  const dir = tempDir();
  const { writeFileSync, utimesSync } = await import("node:fs");
  dir.file("page.txt", "version one\n");
  await using ring = new IoRing({ entries: 64 });
  const cached = await serveDir(ring, { root: dir.path, port: 0, fileCacheMs: 60_000 });
  const uncached = await serveDir(ring, { root: dir.path, port: 0, fileCacheMs: 0 });
  try {
    const get = async (server: FileServer) => {
      const response = await fetch(`http://127.0.0.1:${server.addr.port}/page.txt`);
      return {
        body: await response.text(),
        length: response.headers.get("content-length"),
        etag: response.headers.get("etag"),
      };
    };
    const first = await get(cached);
    assert.equal(first.body, "version one\n");
    // A different size: even the cached server notices at once, from the length it read.
    writeFileSync(`${dir.path}/page.txt`, "version two, longer\n");
    const second = await get(cached);
    assert.deepEqual([second.body, second.length], ["version two, longer\n", "20"]);
    assert.notEqual(second.etag, first.etag);
    // The same size and a new mtime: the bytes are fresh everywhere; only the uncached server's ETag moves.
    writeFileSync(`${dir.path}/page.txt`, "version 3!, longer\n\n");
    utimesSync(`${dir.path}/page.txt`, new Date(), new Date(Date.now() + 5_000));
    const third = await get(cached);
    assert.equal(third.body, "version 3!, longer\n\n");
    assert.equal(third.etag, second.etag, "the cached description is reused within fileCacheMs");
    const fresh = await get(uncached);
    assert.equal(fresh.body, "version 3!, longer\n\n");
    assert.notEqual(fresh.etag, second.etag, "fileCacheMs: 0 describes the file on every request");
  } finally {
    await cached.shutdown();
    await uncached.shutdown();
    dir.remove();
  }
});

/** The descriptors this process holds open on files under `dir`. */
async function openUnder(dir: string): Promise<string[]> {
  const { readdirSync, readlinkSync } = await import("node:fs");
  const held: string[] = [];
  for (const entry of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${entry}`);
      if (target.startsWith(`${dir}/`)) held.push(target);
    } catch {
      // closed while listing
    }
  }
  return held;
}

test("the open-file cache: a file replaced by rename or deleted is seen after fileCacheMs; no descriptor is left", async () => {
  const dir = tempDir();
  const { renameSync, unlinkSync, writeFileSync } = await import("node:fs");
  dir.file("page.txt", "old page\n");
  await using ring = new IoRing({ entries: 64 });
  const server = await serveDir(ring, { root: dir.path, port: 0, fileCacheMs: 1000 });
  const get = async () => {
    const response = await fetch(`http://127.0.0.1:${server.addr.port}/page.txt`);
    return `${response.status} ${await response.text()}`;
  };
  try {
    assert.equal(await get(), "200 old page\n");
    assert.deepEqual(await openUnder(dir.path), [`${dir.path}/page.txt`], "the file is kept open");
    // Replaced by a rename, as editors and deploy tools do: the old file until the entry expires.
    writeFileSync(`${dir.path}/page.tmp`, "new page\n");
    renameSync(`${dir.path}/page.tmp`, `${dir.path}/page.txt`);
    assert.equal(await get(), "200 old page\n", "within fileCacheMs the held descriptor serves");
    await sleep(1050);
    assert.equal(await get(), "200 new page\n");
    unlinkSync(`${dir.path}/page.txt`);
    await sleep(1050);
    assert.equal(await get(), "404 Not Found\n");
    // 50 files, more requests than files, requests side by side: each cached once, none leaked.
    for (let i = 0; i < 50; i++) dir.file(`f${i}.txt`, `file ${i}\n`);
    const bodies = await Promise.all(
      Array.from({ length: 150 }, async (_, i) => {
        const response = await fetch(`http://127.0.0.1:${server.addr.port}/f${i % 50}.txt`);
        return await response.text();
      }),
    );
    assert.deepEqual(bodies, Array.from({ length: 150 }, (_, i) => `file ${i % 50}\n`));
    // A descriptor opened beside another closes once its request ends, which may be a moment after the reply.
    let held = await openUnder(dir.path);
    for (let i = 0; i < 100 && held.length !== new Set(held).size; i++) {
      await sleep(10);
      held = await openUnder(dir.path);
    }
    assert.equal(held.length, new Set(held).size, "one descriptor per file, even for requests side by side");
    assert.ok(held.length <= 50);
  } finally {
    await server.shutdown();
  }
  assert.deepEqual(await openUnder(dir.path), [], "shutdown closes every cached descriptor");
  const uncached = await serveDir(ring, { root: dir.path, port: 0, fileCacheMs: 0 });
  try {
    const response = await fetch(`http://127.0.0.1:${uncached.addr.port}/f1.txt`);
    assert.equal(await response.text(), "file 1\n");
    assert.deepEqual(await openUnder(dir.path), [], "fileCacheMs: 0 keeps nothing open");
  } finally {
    await uncached.shutdown();
    dir.remove();
  }
});

test(
  "a range deep inside a 3 MiB file comes from the pipe byte for byte, as does the whole file",
  async () => {
    const dir = tempDir();
    const data = pattern(3 << 20, 23);
    dir.file("big.bin", data);
    await using ring = new IoRing({ entries: 64 });
    const server = await serveDir(ring, { root: dir.path, port: 0 });
    try {
      const base = `http://127.0.0.1:${server.addr.port}/big.bin`;
      const start = 1_500_000, end = 2_900_000;
      const partial = await fetch(base, { headers: { Range: `bytes=${start}-${end}` } });
      assert.equal(partial.status, 206);
      assert.equal(partial.headers.get("content-range"), `bytes ${start}-${end}/${data.length}`);
      assert.deepEqual(new Uint8Array(await partial.arrayBuffer()), data.subarray(start, end + 1));
      // Twice on one connection: the pipe is reused from one response to the next.
      await using conn = await connect(ring, { port: server.addr.port });
      const request = "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n";
      await conn.writeAll(new TextEncoder().encode(request + request));
      const buffer = new Uint8Array(1 << 20);
      let received = new Uint8Array(0);
      const headEnd = (bytes: Uint8Array, from: number) => {
        for (let i = from; i + 3 < bytes.length; i++) {
          if (
            bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10
          ) return i + 4;
        }
        return -1;
      };
      let at = 0;
      for (let response = 0; response < 2; response++) {
        let bodyStart = -1;
        while ((bodyStart = headEnd(received, at)) < 0 || received.length < bodyStart + data.length) {
          const n = await conn.read(buffer, { timeout: 10_000 });
          assert.notEqual(n, null, "the server closed early");
          const next = new Uint8Array(received.length + n!);
          next.set(received);
          next.set(buffer.subarray(0, n!), received.length);
          received = next;
        }
        assert.deepEqual(received.subarray(bodyStart, bodyStart + data.length), data, `response ${response}`);
        at = bodyStart + data.length;
      }
    } finally {
      await server.shutdown();
      dir.remove();
    }
  },
  { timeout: 60_000 },
);

test(
  "serve.ts --workers 2 serves one port from two threads, byte for byte, and stops cleanly on SIGTERM",
  async () => {
    const dir = tempDir();
    const data = pattern(200_000, 31);
    dir.file("blob.bin", data);
    const { spawn } = await import("node:child_process");
    const [cmd, args] = runtimeCommand(new URL("../serve.ts", import.meta.url).pathname);
    const child = spawn(cmd, [...args, dir.path, "--port", "0", "--workers", "2"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      let output = "";
      child.stdout!.on("data", (chunk) => (output += chunk));
      for (let i = 0; i < 200 && !/127\.0\.0\.1:\d+/.test(output); i++) await sleep(50);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
      assert.ok(port > 0, `the server said where it listens: ${output}`);
      assert.match(output, /2 threads/);
      // Many connections at once: the kernel spreads them over both listeners.
      const bodies = await Promise.all(Array.from({ length: 24 }, async () => {
        const response = await fetch(`http://127.0.0.1:${port}/blob.bin`, {
          headers: { Connection: "close" },
        });
        return new Uint8Array(await response.arrayBuffer());
      }));
      for (const body of bodies) assert.deepEqual(body, data);
      const exited = new Promise<[number | null, string | null]>((resolve) =>
        child.on("exit", (code, signal) => resolve([code, signal]))
      );
      child.kill("SIGTERM");
      const [code, signal] = await exited;
      // Deno's child_process reports the signal it sent even when the child handled it and exited 0.
      assert.ok(
        code === 0 || (code === null && signal === "SIGTERM" && !("Bun" in globalThis)),
        `${code} ${signal}`,
      );
      assert.match(output, /shutting down[^]*\nstopped\n$/, "the graceful shutdown ran to its end");
    } finally {
      child.kill("SIGKILL");
      dir.remove();
    }
  },
  { timeout: 30_000 },
);

test("with splice: false large files go through a buffer and SEND, byte for byte, ranges too", async () => {
  const dir = tempDir();
  const data = pattern(3 << 20, 29);
  dir.file("big.bin", data);
  await using ring = new IoRing({ entries: 64 });
  const server = await serveDir(ring, { root: dir.path, port: 0, splice: false });
  try {
    const base = `http://127.0.0.1:${server.addr.port}/big.bin`;
    assert.deepEqual(new Uint8Array(await (await fetch(base)).arrayBuffer()), data);
    const partial = await fetch(base, { headers: { Range: "bytes=100000-2999999" } });
    assert.equal(partial.status, 206);
    assert.deepEqual(new Uint8Array(await partial.arrayBuffer()), data.subarray(100000, 3000000));
  } finally {
    await server.shutdown();
    dir.remove();
  }
});

test("a 405's unread body is not parsed as the next request (it once served a dotfile)", async () => {
  const dir = tempDir();
  dir.file(".env", "SECRET=1\n");
  dir.file("ok.txt", "ok\n");
  await using ring = new IoRing();
  const server = await serveDir(ring, { root: dir.path, port: 0 });
  try {
    const smuggled = "GET /.env HTTP/1.1\r\nHost: x\r\n\r\n";
    const text = await raw(
      ring,
      server.addr.port,
      `POST /ok.txt HTTP/1.1\r\nHost: x\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}` +
        "GET /ok.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.doesNotMatch(text, /SECRET/);
    assert.deepEqual([...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]), ["405", "200"]);
  } finally {
    await server.shutdown();
    dir.remove();
  }
});
