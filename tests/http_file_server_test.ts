/**
 * serveDir and serveFile called directly with Requests, on a temporary tree:
 * methods, how a URL path becomes a file (decoding, `..`, dotfiles, the URL
 * root, duplicate slashes), what is refused (a FIFO, a link out of the root,
 * a name too long), directories (redirect, index, listing), the listing's
 * escaping, the response fields, HEAD, and the default ring.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { defaultRing } from "../facade/default_ring.ts";
import { serveDir, serveFile } from "../http/file_server.ts";
import { openErrorStatus } from "../http/_file_open.ts";
import { errnoNumber } from "../kernel/errno.ts";
import { IoRingError } from "../util/error.ts";
import { test } from "./_harness.ts";
import { bytesOf, ELEVEN, get, isRoot, rawRequest, withTree } from "./_http_file_util.ts";

test("serveDir: GET and HEAD are served; other methods are 405 with Allow, OPTIONS a preflight with CORS", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const ok = await serveDir(get("/eleven.txt"), options);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), ELEVEN);
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
      const refused = await serveDir(get("/eleven.txt", {}, method), options);
      assert.equal(refused.status, 405, method);
      assert.equal(refused.headers.get("allow"), "GET, HEAD");
      await refused.body?.cancel();
    }
    const preflight = await serveDir(get("/eleven.txt", {}, "OPTIONS"), { ...options, enableCors: true });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    assert.match(preflight.headers.get("access-control-allow-methods")!, /GET/);
    assert.match(preflight.headers.get("access-control-allow-headers")!, /Range/);
    assert.equal(preflight.body, null);
  });
});

test("serveDir: HEAD has a GET's fields and no body, and leaves no descriptor open", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    for (const path of ["/eleven.txt", "/1m.bin"]) {
      const getResponse = await serveDir(get(path), options);
      const head = await serveDir(get(path, {}, "HEAD"), options);
      assert.equal(head.status, 200);
      assert.equal(head.body, null);
      for (const name of ["content-type", "content-length", "etag", "last-modified", "accept-ranges"]) {
        assert.equal(head.headers.get(name), getResponse.headers.get(name), name);
      }
      await getResponse.body?.cancel();
    }
  });
});

test("serveDir: percent-escapes are decoded; a malformed one or NUL is 400, never a throw", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    assert.equal(await (await serveDir(get("/dir-without-index/a%23b.txt"), options)).text(), "a#b.txt");
    assert.equal(await (await serveDir(get("/dir-without-index/100%25.txt"), options)).text(), "100%.txt");
    for (const path of ["/%zz", "/eleven.txt%", "/%E0%A4%A", "/a%00b", "/%00"]) {
      const response = await serveDir(rawRequest(path), options);
      assert.equal(response.status, 400, path);
      await response.body?.cancel();
    }
  });
});

test("serveDir: a `..` segment, plain or encoded, is refused and nothing outside the root is served", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: join(root, "docs"), ring, fileCacheMs: 0 };
    for (
      const path of ["/../eleven.txt", "/%2e%2e/eleven.txt", "/%2E%2E%2Feleven.txt", "/x/../../eleven.txt"]
    ) {
      const response = await serveDir(rawRequest(path), options);
      assert.ok(response.status === 403 || response.status === 404, `${path}: ${response.status}`);
      await response.body?.cancel();
    }
    const whole = { fsRoot: root, ring, fileCacheMs: 0 };
    const dotted = await serveDir(rawRequest("/docs/../notes.txt"), whole);
    assert.equal(dotted.status, 403);
    await dotted.body?.cancel();
  });
});

test("serveDir: a segment starting with '.' is 404 unless showDotfiles", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    for (const path of ["/.env", "/.git/config", "/.git/", "/dir-without-index/.hidden", "/%2Eenv"]) {
      const response = await serveDir(get(path), options);
      assert.equal(response.status, 404, path);
      await response.body?.cancel();
    }
    const shown = await serveDir(get("/.env"), { ...options, showDotfiles: true });
    assert.equal(await shown.text(), "SECRET=1\n");
  });
});

test("serveDir: a directory without its '/' is redirected to one path with single slashes, query kept", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const cases: [string, string][] = [
      ["/nested", "/nested/"],
      ["//nested", "/nested/"],
      ["///nested?a=1&b=%20", "/nested/?a=1&b=%20"],
      ["/docs", "/docs/"],
      ["/dir-without-index/sub", "/dir-without-index/sub/"],
    ];
    for (const [path, location] of cases) {
      const response = await serveDir(get(path), options);
      assert.equal(response.status, 301, path);
      assert.equal(response.headers.get("location"), location, path);
      await response.body?.cancel();
    }
    const nested = await serveDir(get("//nested/file.txt"), options);
    assert.equal(await nested.text(), "nested\n");
  });
});

test("serveDir: urlRoot is taken off the path; a path without it is 404", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0, urlRoot: "static" };
    assert.equal(await (await serveDir(get("/static/eleven.txt"), options)).text(), ELEVEN);
    assert.equal(await (await serveDir(get("/static/static/x.txt"), options)).text(), "x\n");
    for (const path of ["/eleven.txt", "/staticx/eleven.txt", "/"]) {
      const response = await serveDir(get(path), options);
      assert.equal(response.status, 404, path);
      await response.body?.cancel();
    }
    const bare = await serveDir(get("/static"), options);
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get("location"), "/static/");
    await bare.body?.cancel();
  });
});

test("serveDir: a FIFO is 404 at once, a link out of the root and a too long name are statuses", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const started = Date.now();
    const fifo = await serveDir(get("/fifo"), options);
    assert.equal(fifo.status, 404);
    assert.ok(Date.now() - started < 2000, "the FIFO was not waited on");
    const cases: [string, number[]][] = [
      ["/out", [403, 404]],
      ["/linked-index/", [403, 404]],
      ["/notes.txt/x", [404]],
      ["/notes.txt/", [404]],
      [`/${"n".repeat(300)}`, [414, 404]],
      ["/missing.txt", [404]],
    ];
    for (const [path, allowed] of cases) {
      const response = await serveDir(get(path), options);
      assert.ok(allowed.includes(response.status), `${path}: ${response.status}`);
      await response.body?.cancel();
    }
  });
});

test("serveDir: a file its owner cannot read is 403", async () => {
  await withTree(async ({ root, ring, path }) => {
    writeFileSync(path("secret.txt"), "s", { mode: 0o000 });
    const response = await serveDir(get("/secret.txt"), { fsRoot: root, ring, fileCacheMs: 0 });
    assert.equal(response.status, 403);
    await response.body?.cancel();
  });
}, { skip: isRoot ? "running as root: permission bits do not refuse it" : false });

test("the errors an open can meet are statuses: 404, 414, 403, 503; anything else is unexpected", () => {
  const cases: [string, number | null][] = [
    ["ENOENT", 404],
    ["ENOTDIR", 404],
    ["ENXIO", 404],
    ["ENAMETOOLONG", 414],
    ["EXDEV", 403],
    ["ELOOP", 403],
    ["EACCES", 403],
    ["EPERM", 403],
    ["EMFILE", 503],
    ["EIO", null],
  ];
  for (const [code, status] of cases) {
    assert.equal(openErrorStatus(new IoRingError(errnoNumber(code)!, "openat2")), status, code);
  }
  assert.equal(openErrorStatus(new TypeError("x")), null);
});

test("serveDir: a directory's index.html is served (showIndex), else 404, or its listing with showDirListing", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const index = await serveDir(get("/docs/"), options);
    assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await index.text(), "<h1>docs</h1>\n");
    assert.equal(await (await serveDir(get("/"), options)).text(), "<h1>root</h1>\n");
    const noIndex = await serveDir(get("/docs/"), { ...options, showIndex: false });
    assert.equal(noIndex.status, 404);
    await noIndex.body?.cancel();
    const unlisted = await serveDir(get("/dir-without-index/"), options);
    assert.equal(unlisted.status, 404);
    await unlisted.body?.cancel();
    const listed = await serveDir(get("/docs/"), { ...options, showIndex: false, showDirListing: true });
    assert.equal(listed.status, 200);
    assert.match(await listed.text(), /href="\.\/index\.html"/);
  });
});

test("serveDir: a listing escapes names for HTML and links each as one encoded relative segment", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0, showDirListing: true };
    const page = await (await serveDir(get("/dir-without-index/"), options)).text();
    assert.match(page, /<a href="\.\/a%23b\.txt">a#b\.txt<\/a>/);
    assert.match(page, /<a href="\.\/q%3Fx\.txt">q\?x\.txt<\/a>/);
    assert.match(page, /<a href="\.\/javascript%3Aalert\(1\)">javascript:alert\(1\)<\/a>/);
    assert.match(page, /<a href="\.\/%3Cb%3E%26\.txt">&lt;b&gt;&amp;\.txt<\/a>/);
    assert.match(page, /<a href="\.\/sub\/">sub\/<\/a>/);
    assert.match(page, /<a href="\.\.\/">/);
    assert.doesNotMatch(page, /hidden/);
    assert.doesNotMatch(page, /href="javascript/);
    const dotted = await (await serveDir(get("/dir-without-index/"), { ...options, showDotfiles: true }))
      .text();
    assert.match(dotted, /href="\.\/\.hidden"/);
    // The old listing decoded the raw path for its title and threw on a lone '%'.
    const odd = await serveDir(rawRequest("/dir-without-index/#%/"), options);
    assert.equal(odd.status, 200);
    assert.match(await odd.text(), /<title>Index of \/dir-without-index\/<\/title>/);
  });
});

test("serveDir: Content-Type by extension, Content-Length, Accept-Ranges, the headers option and CORS", async () => {
  await withTree(async ({ root, ring }) => {
    const options = { fsRoot: root, ring, fileCacheMs: 0 };
    const types: Record<string, string> = {
      mp4: "video/mp4",
      webm: "video/webm",
      woff2: "font/woff2",
      wasm: "application/wasm",
      svg: "image/svg+xml",
      avif: "image/avif",
      css: "text/css; charset=utf-8",
      js: "text/javascript; charset=utf-8",
      json: "application/json",
      png: "image/png",
      unknownext: "application/octet-stream",
    };
    for (const [ext, type] of Object.entries(types)) {
      const response = await serveDir(get(`/media/a.${ext}`), options);
      assert.equal(response.headers.get("content-type"), type, ext);
      assert.equal(response.headers.get("content-length"), "0");
      await response.body?.cancel();
    }
    const decorated = await serveDir(get("/eleven.txt"), {
      ...options,
      headers: ["Cache-Control: max-age=60", "X-Note: a: b"],
      enableCors: true,
    });
    assert.equal(decorated.headers.get("content-length"), "11");
    assert.equal(decorated.headers.get("accept-ranges"), "bytes");
    assert.equal(decorated.headers.get("cache-control"), "max-age=60");
    assert.equal(decorated.headers.get("x-note"), "a: b");
    assert.equal(decorated.headers.get("access-control-allow-origin"), "*");
    assert.equal(decorated.headers.get("date"), null, "Date is the server's to add");
    await decorated.body?.cancel();
    const missing = await serveDir(get("/missing"), { ...options, enableCors: true });
    assert.equal(missing.headers.get("access-control-allow-origin"), "*");
    await missing.body?.cancel();
  });
});

test("serveDir: a root that does not exist is 404, never a throw", async () => {
  await withTree(async ({ root, ring }) => {
    const response = await serveDir(get("/x"), { fsRoot: join(root, "no-such-dir"), ring, fileCacheMs: 0 });
    assert.equal(response.status, 404);
    await response.body?.cancel();
  });
});

test("an unexpected failure is 500, logged with console.error unless quiet, and never a rejection", async () => {
  await withTree(async ({ ring }) => {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const bad = { fsRoot: "bad\0root", ring, fileCacheMs: 0 };
      for (const options of [bad, { ...bad, quiet: true }, { ...bad, headers: ["no colon"] }]) {
        const response = await serveDir(get("/x"), options);
        assert.equal(response.status, 500);
        await response.body?.cancel();
      }
    } finally {
      console.error = original;
    }
    assert.equal(logged.length, 2, "the quiet one is not logged");
  });
});

test("serveFile: a file, with ranges and validators; a directory or a missing file is 404; POST is 405", async () => {
  await withTree(async ({ ring, path }) => {
    const options = { ring, fileCacheMs: 0 };
    const whole = await serveFile(get("/anything"), path("eleven.txt"), options);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await whole.text(), ELEVEN);
    const part = await serveFile(get("/", { range: "bytes=6-" }), path("eleven.txt"), options);
    assert.equal(part.status, 206);
    assert.equal(await part.text(), "world");
    const again = await serveFile(
      get("/", { "if-none-match": whole.headers.get("etag")! }),
      path("eleven.txt"),
      options,
    );
    assert.equal(again.status, 304);
    for (
      const [target, status] of [[path("docs"), 404], [path("missing"), 404], [path("fifo"), 404]] as const
    ) {
      const response = await serveFile(get("/"), target, options);
      assert.equal(response.status, status, target);
      await response.body?.cancel();
    }
    const post = await serveFile(get("/", {}, "POST"), path("eleven.txt"), options);
    assert.equal(post.status, 405);
    await post.body?.cancel();
  });
});

test("serveDir: a 1 MiB file's bytes arrive exact through the body stream", async () => {
  await withTree(async ({ root, ring, path }) => {
    const response = await serveDir(get("/1m.bin"), { fsRoot: root, ring, fileCacheMs: 0 });
    assert.equal(response.headers.get("content-length"), String(1 << 20));
    assert.deepEqual(await bytesOf(response), new Uint8Array(readFileSync(path("1m.bin"))));
  });
});

test("defaultRing: one ring per thread, made again once closed", async () => {
  const ring = defaultRing();
  assert.equal(defaultRing(), ring);
  await ring.close();
  const next = defaultRing();
  assert.notEqual(next, ring);
  assert.equal(next.closed, false);
});

test("serveDir on the default ring and the file cache do not keep the process alive", () => {
  const here = import.meta.dirname ?? ".";
  const code = `import { serveDir } from ${JSON.stringify(join(here, "..", "http", "file_server.ts"))};
const response = await serveDir(new Request("http://localhost/deno.json"), { fsRoot: ${
    JSON.stringify(join(here, ".."))
  } });
console.log(\`\${response.status} \${(await response.text()).length > 0}\`);
`;
  const dir = mkdtempSync(join(tmpdir(), "ioring-probe-"));
  const file = join(dir, "probe.ts");
  writeFileSync(file, code);
  try {
    const args = "Bun" in globalThis ? [file] : ["run", "-A", file];
    const child = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 15_000 });
    assert.equal(child.signal, null, "the process ended by itself");
    assert.equal(child.stdout.trim(), "200 true", child.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 30_000 });
