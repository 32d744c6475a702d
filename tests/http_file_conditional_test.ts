/**
 * The file server's validators, conditional requests (RFC 9110 13.2.2 order)
 * and ranges (RFC 9110 14), through serveDir, and the parsers beneath them.
 */
import assert from "node:assert/strict";
import { evaluatePreconditions, parseHttpDate, tagListMatches } from "../http/_conditional.ts";
import { parseRange } from "../http/_range.ts";
import { serveDir } from "../http/file_server.ts";
import { serve } from "../http/server.ts";
import { test } from "./_harness.ts";
import { bytesOf, ELEVEN, get, MIB, withTree } from "./_http_file_util.ts";

/** GETs /eleven.txt with each case's fields and checks its status. */
async function expectStatuses(
  options: Parameters<typeof serveDir>[1],
  cases: [Record<string, string>, number][],
) {
  for (const [headers, status] of cases) {
    const response = await serveDir(get("/eleven.txt", headers), options);
    assert.equal(response.status, status, JSON.stringify(headers));
    await response.body?.cancel();
  }
}

test("validators: a strong ETag stable while size and mtime are, and Last-Modified; both change with the file", async () => {
  await withTree(async ({ root, ring, path }) => {
    const { utimesSync } = await import("node:fs");
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const first = await serveDir(get("/eleven.txt"), options);
    const second = await serveDir(get("/eleven.txt"), options);
    const etag = first.headers.get("etag")!;
    assert.match(etag, /^"[^"]+"$/);
    assert.equal(second.headers.get("etag"), etag);
    const lastModified = first.headers.get("last-modified")!;
    assert.ok(!Number.isNaN(Date.parse(lastModified)));
    utimesSync(path("eleven.txt"), new Date(2001, 0, 1), new Date(2001, 0, 1));
    const touched = await serveDir(get("/eleven.txt"), options);
    assert.notEqual(touched.headers.get("etag"), etag);
    assert.equal(touched.headers.get("last-modified"), new Date(2001, 0, 1).toUTCString());
    await Promise.all([first, second, touched].map((response) => response.body?.cancel()));
  });
});

test("If-None-Match: weak comparison against any listed tag, or '*': 304 with the validators and no body", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const plain = await serveDir(get("/eleven.txt"), options);
    const etag = plain.headers.get("etag")!;
    await plain.body?.cancel();
    for (const field of [etag, `W/${etag}`, `"zzz", ${etag}`, `"a",W/${etag} , "b"`, "*"]) {
      const response = await serveDir(get("/eleven.txt", { "if-none-match": field }), options);
      assert.equal(response.status, 304, field);
      assert.equal(response.body, null);
      assert.equal(response.headers.get("etag"), etag);
      assert.ok(response.headers.get("last-modified"));
    }
    const other = await serveDir(get("/eleven.txt", { "if-none-match": '"zzz", W/"yyy"' }), options);
    assert.equal(other.status, 200);
    assert.equal(await other.text(), ELEVEN);
  });
});

test("If-Modified-Since: 304 when not modified since; ignored when not a date or when If-None-Match is there", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const plain = await serveDir(get("/eleven.txt"), options);
    const lastModified = plain.headers.get("last-modified")!;
    await plain.body?.cancel();
    const later = new Date(Date.parse(lastModified) + 60_000).toUTCString();
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    const cases: [Record<string, string>, number][] = [
      [{ "if-modified-since": lastModified }, 304],
      [{ "if-modified-since": later }, 304],
      [{ "if-modified-since": earlier }, 200],
      [{ "if-modified-since": "yesterday" }, 200],
      [{ "if-modified-since": "1" }, 200],
      [{ "if-modified-since": later, "if-none-match": '"other"' }, 200],
    ];
    await expectStatuses(options, cases);
  });
});

test("If-Match (strong, '*') and If-Unmodified-Since: 412 when they fail, checked before If-None-Match", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const plain = await serveDir(get("/eleven.txt"), options);
    const etag = plain.headers.get("etag")!;
    const lastModified = plain.headers.get("last-modified")!;
    await plain.body?.cancel();
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    const cases: [Record<string, string>, number][] = [
      [{ "if-match": etag }, 200],
      [{ "if-match": `"x", ${etag}` }, 200],
      [{ "if-match": "*" }, 200],
      [{ "if-match": '"other"' }, 412],
      [{ "if-match": `W/${etag}` }, 412], // a weak tag never matches strongly
      [{ "if-unmodified-since": lastModified }, 200],
      [{ "if-unmodified-since": earlier }, 412],
      [{ "if-unmodified-since": "not a date" }, 200],
      [{ "if-match": etag, "if-unmodified-since": earlier }, 200], // If-Match present: IUS not evaluated
      [{ "if-match": '"other"', "if-none-match": etag }, 412],
      [{ "if-match": etag, "if-none-match": etag }, 304],
    ];
    await expectStatuses(options, cases);
  });
});

test("Range: one range is 206 with Content-Range, the end clamped to the file (0-20 of 11 bytes is 0-10)", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const cases: [string, string, string][] = [
      ["bytes=0-20", "bytes 0-10/11", ELEVEN],
      ["bytes=0-0", "bytes 0-0/11", "h"],
      ["bytes=6-", "bytes 6-10/11", "world"],
      ["bytes=-3", "bytes 8-10/11", "rld"],
      ["bytes=-50", "bytes 0-10/11", ELEVEN],
      ["bytes=0-5,3-8", "bytes 0-8/11", "hello wor"], // overlapping: merged
      ["bytes=20-30, 2-3", "bytes 2-3/11", "ll"], // one unsatisfiable, one not: 206
      ["BYTES = 1-1", "bytes 1-1/11", "e"],
    ];
    for (const [range, contentRange, body] of cases) {
      const response = await serveDir(get("/eleven.txt", { range }), options);
      assert.equal(response.status, 206, range);
      assert.equal(response.headers.get("content-range"), contentRange, range);
      assert.equal(response.headers.get("content-length"), String(body.length), range);
      assert.equal(await response.text(), body, range);
    }
  });
});

test("Range: a range of the 1 MiB file is exact; none satisfiable is 416 with bytes */size", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const middle = await serveDir(get("/1m.bin", { range: "bytes=300000-999999" }), options);
    assert.equal(middle.status, 206);
    assert.deepEqual(await bytesOf(middle), MIB.subarray(300000, 1000000));
    const tail = await serveDir(get("/1m.bin", { range: "bytes=-70000" }), options);
    assert.deepEqual(await bytesOf(tail), MIB.subarray(MIB.length - 70000));
    for (const range of ["bytes=11-", "bytes=20-30", "bytes=-0", "bytes=11-12,99-"]) {
      const response = await serveDir(get("/eleven.txt", { range }), options);
      assert.equal(response.status, 416, range);
      assert.equal(response.headers.get("content-range"), "bytes */11", range);
      await response.body?.cancel();
    }
  });
});

test("Range: another unit, a malformed field, or too many ranges are ignored (200, the whole file)", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const many = Array.from({ length: 17 }, (_, i) => `${i}-${i}`).join(",");
    for (const range of ["items=0-1", "bytes=a-b", "bytes=5-2", "bytes=1", "bytes=", `bytes=${many}`]) {
      const response = await serveDir(get("/eleven.txt", { range }), options);
      assert.equal(response.status, 200, range);
      assert.equal(await response.text(), ELEVEN, range);
    }
  });
});

test("Range: several ranges are multipart/byteranges, each part with its Content-Type and Content-Range", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const response = await serveDir(get("/1m.bin", { range: "bytes=0-1,-2,100000-170000" }), options);
    assert.equal(response.status, 206);
    const type = response.headers.get("content-type")!;
    const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(type)![1];
    const body = await bytesOf(response);
    assert.equal(response.headers.get("content-length"), String(body.length));
    const text = new TextDecoder("latin1").decode(body);
    const parts = text.split(`--${boundary}`);
    assert.equal(parts.at(-1), "--\r\n");
    const expected: [string, Uint8Array][] = [
      ["bytes 0-1/1048576", MIB.subarray(0, 2)],
      ["bytes 100000-170000/1048576", MIB.subarray(100000, 170001)],
      ["bytes 1048574-1048575/1048576", MIB.subarray(1048574)],
    ];
    assert.equal(parts.length, expected.length + 2);
    expected.forEach(([range, bytes], i) => {
      const part = parts[i + 1];
      const headEnd = part.indexOf("\r\n\r\n");
      assert.match(
        part.slice(0, headEnd),
        new RegExp(`Content-Type: application/octet-stream\r\nContent-Range: ${range}`),
      );
      const data = part.slice(headEnd + 4, part.length - 2);
      assert.equal(data.length, bytes.length);
      assert.ok(data === new TextDecoder("latin1").decode(bytes), range);
    });
  });
});

test("If-Range: a stale ETag or date sends the whole file; the current ETag or Last-Modified the range", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const plain = await serveDir(get("/eleven.txt"), options);
    const etag = plain.headers.get("etag")!;
    const lastModified = plain.headers.get("last-modified")!;
    await plain.body?.cancel();
    const cases: [string, number][] = [
      [etag, 206],
      [lastModified, 206],
      ['"stale"', 200],
      [`W/${etag}`, 200],
      [new Date(Date.parse(lastModified) - 1000).toUTCString(), 200],
      ["not a date", 200],
    ];
    for (const [ifRange, status] of cases) {
      const response = await serveDir(
        get("/eleven.txt", { range: "bytes=0-4", "if-range": ifRange }),
        options,
      );
      assert.equal(response.status, status, ifRange);
      assert.equal(await response.text(), status === 206 ? "hello" : ELEVEN);
    }
  });
});

test("parseRange, tagListMatches, parseHttpDate and the precondition order, unit by unit", () => {
  assert.deepEqual(parseRange("bytes=0-20", 11), [{ start: 0, end: 10 }]);
  assert.deepEqual(parseRange("bytes=5-9,0-1", 11), [{ start: 0, end: 1 }, { start: 5, end: 9 }]);
  assert.deepEqual(parseRange("bytes=0-4,5-6", 11), [{ start: 0, end: 6 }]); // adjacent: merged
  assert.deepEqual(parseRange("bytes=0-", 0), []);
  assert.deepEqual(parseRange("bytes=0-99999999999999999999", 11), [{ start: 0, end: 10 }]);
  assert.equal(parseRange("bytes=-", 11), null);
  assert.equal(parseRange("bytes=+1-2", 11), null);
  assert.equal(tagListMatches('W/"a"', '"a"', true), true);
  assert.equal(tagListMatches('W/"a"', '"a"', false), false);
  assert.equal(tagListMatches('"a,b", "c"', '"a,b"', false), true);
  assert.equal(tagListMatches('"ab"', '"a"', true), false);
  const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
  assert.equal(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  assert.equal(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  assert.equal(parseHttpDate("Sun Nov  6 08:49:37 1994"), expected);
  assert.ok(Number.isNaN(parseHttpDate("2024-01-01")));
  assert.ok(Number.isNaN(parseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT")));
  const none = { ifMatch: null, ifNoneMatch: null, ifModifiedSince: null, ifUnmodifiedSince: null };
  assert.equal(evaluatePreconditions(none, "GET", '"a"', 0), 0);
  assert.equal(evaluatePreconditions({ ...none, ifNoneMatch: '"a"' }, "POST", '"a"', 0), 412);
  assert.equal(
    evaluatePreconditions({ ...none, ifModifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT" }, "POST", '"a"', 0),
    0,
  );
});

test("through this library's server, each precondition and Range field is read from the request's head", async () => {
  await withTree(async ({ root, ring }) => {
    const server = serve(
      { port: 0, hostname: "127.0.0.1", ring, onListen() {} },
      (request) => serveDir(request, { fsRoot: root, fileCacheMs: 60_000 }),
    );
    try {
      const url = `http://127.0.0.1:${server.addr.port}/eleven.txt`;
      const plain = await fetch(url);
      const etag = plain.headers.get("etag")!;
      const lastModified = plain.headers.get("last-modified")!;
      assert.equal(await plain.text(), ELEVEN);
      const later = new Date(Date.parse(lastModified) + 60_000).toUTCString();
      const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
      const cases: [Record<string, string>, number, string][] = [
        [{ "if-none-match": etag }, 304, ""],
        [{ "if-match": '"other"' }, 412, "Precondition Failed\n"],
        [{ "if-modified-since": later }, 304, ""],
        [{ "if-unmodified-since": earlier }, 412, "Precondition Failed\n"],
        [{ range: "bytes=0-4" }, 206, ELEVEN.slice(0, 5)],
        [{ "x-other": "1" }, 200, ELEVEN],
      ];
      for (const [headers, status, body] of cases) {
        const response = await fetch(url, { headers });
        assert.equal(response.status, status, JSON.stringify(headers));
        assert.equal(await response.text(), body, JSON.stringify(headers));
      }
    } finally {
      await server.shutdown();
    }
  });
});
