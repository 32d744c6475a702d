// serve(): HTTP/1.1 framing and connection handling against raw sockets (RFC 9112), with exact bytes.
import assert from "node:assert/strict";
import { test } from "./_harness.ts";
import { exchange, RawClient, statuses, withHttp } from "./_http_util.ts";
import { sleep } from "./_util.ts";

const echo = async (req: Request) => {
  const body = req.body === null ? "" : await req.text();
  return new Response(`${req.method} ${new URL(req.url).pathname} ${body}`);
};

test("a 405 that leaves the body unread never parses that body as the next request", async () => {
  const seen: string[] = [];
  await withHttp({}, (req) => {
    seen.push(new URL(req.url).pathname);
    return new Response("no", { status: req.method === "GET" ? 200 : 405 });
  }, async (port) => {
    const smuggled = "GET /secret HTTP/1.1\r\nHost: a\r\n\r\n";
    const text = await exchange(
      port,
      `POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}` +
        "GET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(statuses(text), [405, 200]);
    assert.deepEqual(seen, ["/form", "/next"]);
  });
});

test("an unread body too long to drain closes the connection after the response", async () => {
  await withHttp({ drainLimit: 100 }, () => new Response("no", { status: 405 }), async (port) => {
    const client = await RawClient.open(port);
    await client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nGET /secret HTTP/1.1\r\n");
    const text = await client.untilClosed();
    client.close();
    assert.deepEqual(statuses(text), [405]);
    assert.match(text, /connection: close/i);
    assert.ok(client.closed);
  });
});

for (
  const [name, fields, status] of [
    ["two differing Content-Length fields", "Content-Length: 5\r\nContent-Length: 6\r\n", 400],
    ["a Content-Length list that differs", "Content-Length: 5, 6\r\n", 400],
    ["Content-Length: abc", "Content-Length: abc\r\n", 400],
    ["Content-Length: -1", "Content-Length: -1\r\n", 400],
    ["Transfer-Encoding with Content-Length", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400],
    ["an unknown transfer coding", "Transfer-Encoding: gzip, chunked\r\n", 501],
    ["chunked that is not the final coding", "Transfer-Encoding: chunked, gzip\r\n", 400],
    ["no Host", "", 400],
    ["two Host fields", "Host: b\r\n", 400],
    ["whitespace before the colon", "Foo : bar\r\n", 400],
    ["an obsolete line folding", "Foo: bar\r\n baz\r\n", 400],
  ] as const
) {
  test(`${name}: ${status}, and the connection closes`, async () => {
    let calls = 0;
    await withHttp({}, () => {
      calls++;
      return new Response("handled");
    }, async (port) => {
      const host = name === "no Host" ? "" : "Host: a\r\n";
      const text = await exchange(
        port,
        `POST / HTTP/1.1\r\n${host}${fields}\r\nhello` + "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
      );
      assert.deepEqual(statuses(text), [status]);
      assert.match(text, /connection: close/i);
      assert.equal(calls, 0);
    });
  });
}

test("identical Content-Length values are one length; the body arrives whole", async () => {
  await withHttp({}, echo, async (port) => {
    const text = await exchange(
      port,
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\nConnection: close\r\n\r\nhello",
    );
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(text.endsWith("POST /x hello"));
  });
});

test("Transfer-Encoding on HTTP/1.0 is a 400", async () => {
  await withHttp({}, echo, async (port) => {
    const text = await exchange(port, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    assert.deepEqual(statuses(text), [400]);
  });
});

test("a chunked request body reaches the handler byte for byte; pipelined requests after it are answered", async () => {
  await withHttp({}, echo, async (port) => {
    const text = await exchange(
      port,
      "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n" +
        "GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(statuses(text), [200, 200]);
    assert.match(text, /POST \/c hello world/);
    assert.match(text, /GET \/after $/);
  });
});

test("three pipelined requests in one write get three responses in order", async () => {
  await withHttp({}, (req) => new Response(new URL(req.url).pathname), async (port) => {
    const text = await exchange(
      port,
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(statuses(text), [200, 200, 200]);
    assert.deepEqual([...text.matchAll(/\r\n\r\n(\/\d)/g)].map((m) => m[1]), ["/1", "/2", "/3"]);
  });
});

test("Connection: TE, close closes; HTTP/1.0 closes unless it asks for keep-alive", async () => {
  await withHttp({}, () => new Response("x"), async (port) => {
    let text = await exchange(
      port,
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: TE, close\r\nTE: trailers\r\n\r\n",
    );
    assert.deepEqual(statuses(text), [200]);
    assert.match(text, /connection: close/i);
    text = await exchange(port, "GET / HTTP/1.0\r\n\r\n");
    assert.deepEqual(statuses(text), [200]);
    const client = await RawClient.open(port);
    await client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    text = await client.until((t) => t.endsWith("x"));
    assert.match(text, /connection: keep-alive/i);
    await client.send("GET / HTTP/1.0\r\n\r\n");
    text = await client.untilClosed();
    assert.deepEqual(statuses(text), [200, 200]);
    client.close();
  });
});

test("an absolute-form target is accepted and is the request's URL", async () => {
  await withHttp({}, (req) => new Response(req.url), async (port) => {
    const text = await exchange(
      port,
      "GET http://example.test/p?q=1 HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n",
    );
    assert.ok(text.endsWith("http://example.test/p?q=1"), text);
  });
});

test("a target longer than the head limit is 414; a long field section is 431", async () => {
  await withHttp({ maxHeaderBytes: 1024 }, () => new Response("x"), async (port) => {
    let text = await exchange(port, `GET /${"a".repeat(2000)} HTTP/1.1\r\nHost: a\r\n\r\n`);
    assert.deepEqual(statuses(text), [414]);
    text = await exchange(port, `GET / HTTP/1.1\r\nHost: a\r\nX: ${"b".repeat(2000)}\r\n\r\n`);
    assert.deepEqual(statuses(text), [431]);
  });
});

test("Expect: 100-continue gets 100 before the body is read, and none when the handler does not read it", async () => {
  await withHttp({}, async (req) => {
    if (new URL(req.url).pathname === "/read") return new Response(await req.text());
    return new Response("skipped", { status: 413 });
  }, async (port) => {
    const client = await RawClient.open(port);
    await client.send("POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    await client.until((t) => t.includes("100 Continue"));
    assert.match(client.text, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    await client.send("hello");
    const text = await client.until((t) => t.endsWith("hello"));
    assert.deepEqual(statuses(text), [100, 200]);
    client.close();
    const skipped = await exchange(
      port,
      "POST /no HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
    );
    assert.deepEqual(statuses(skipped), [413]);
  });
});

test("a streamed response body is sent chunked as it is produced; HEAD gets no body", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await withHttp({}, () => {
    const encoder = new TextEncoder();
    return new Response(
      new ReadableStream({
        async start(controller) {
          controller.enqueue(encoder.encode("first "));
          await gate;
          controller.enqueue(encoder.encode("second"));
          controller.close();
        },
      }),
    );
  }, async (port) => {
    const client = await RawClient.open(port);
    await client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    await client.until((t) => t.includes("first "));
    assert.match(client.text, /transfer-encoding: chunked\r\n/i);
    assert.ok(client.text.endsWith("6\r\nfirst \r\n"), JSON.stringify(client.text));
    release();
    const text = await client.until((t) => t.endsWith("0\r\n\r\n"));
    assert.ok(text.endsWith("6\r\nfirst \r\n6\r\nsecond\r\n0\r\n\r\n"));
    await client.send("HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    const all = await client.untilClosed();
    assert.ok(all.endsWith("\r\n\r\n"), "the HEAD response ends with its head");
    client.close();
  });
});

test("a handler that throws is a 500 for that request; the server answers the next one", async () => {
  const errors: unknown[] = [];
  await withHttp(
    { onError: (error) => (errors.push(error), new Response("oops", { status: 500 })) },
    (req) => {
      if (new URL(req.url).pathname === "/boom") throw new Error("boom");
      return new Response("fine");
    },
    async (port) => {
      const text = await exchange(
        port,
        "GET /boom HTTP/1.1\r\nHost: a\r\n\r\nGET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
      );
      assert.deepEqual(statuses(text), [500, 200]);
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /boom/);
    },
  );
});

test("the request is a Request: method, URL, headers, JSON body; the response has a Date", async () => {
  await withHttp({}, async (req) => {
    assert.ok(req instanceof Request);
    const body = await req.json() as { n: number };
    return Response.json({
      method: req.method,
      url: req.url,
      type: req.headers.get("content-type"),
      n: body.n,
    });
  }, async (port) => {
    const response = await fetch(`http://127.0.0.1:${port}/api?x=1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ n: 7 }),
    });
    assert.deepEqual(await response.json(), {
      method: "POST",
      url: `http://127.0.0.1:${port}/api?x=1`,
      type: "application/json",
      n: 7,
    });
    assert.ok(!Number.isNaN(Date.parse(response.headers.get("date") ?? "")));
  });
});

test("a late request head gets 408; an idle connection is closed", async () => {
  await withHttp({ headerTimeout: 200, idleTimeout: 300 }, () => new Response("x"), async (port) => {
    const slow = await RawClient.open(port);
    await slow.send("GET / HTTP/1.1\r\nHost: a\r\n");
    const text = await slow.untilClosed(3000);
    assert.deepEqual(statuses(text), [408]);
    const idle = await RawClient.open(port);
    await sleep(700);
    assert.ok(idle.closed, "the idle connection was closed");
    slow.close();
    idle.close();
  });
});

test("a client that stops reading is cut off by the send deadline, and shutdown completes", async () => {
  const big = new Uint8Array(1 << 20);
  const server = await (async () => {
    const { serve } = await import("../http/server.ts");
    return serve({ port: 0, onListen() {}, sendTimeout: 300 }, () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(big);
          },
        }),
      ));
  })();
  const client = await RawClient.open(server.addr.port);
  client.socket.pause();
  await client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  await sleep(100);
  const started = Date.now();
  await server.shutdown();
  assert.ok(Date.now() - started < 3000, `shutdown took ${Date.now() - started} ms`);
  client.close();
});

test("at the connection limit, the longest idle connection makes room and a new request is answered at once", async () => {
  await withHttp({ maxConnections: 20 }, () => new Response("ok"), async (port) => {
    const idle: RawClient[] = [];
    for (let i = 0; i < 40; i++) idle.push(await RawClient.open(port));
    await sleep(100);
    const started = Date.now();
    const text = await exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 3000);
    assert.deepEqual(statuses(text), [200]);
    assert.ok(Date.now() - started < 1000);
    for (const client of idle) client.close();
  });
});

test("request.signal aborts when the client leaves while the handler runs", async () => {
  let aborted!: (reason: unknown) => void;
  const abortedWith = new Promise<unknown>((resolve) => (aborted = resolve));
  await withHttp({}, (req) =>
    new Promise<Response>((resolve) => {
      req.signal.addEventListener("abort", () => {
        aborted(req.signal.reason);
        resolve(new Response("late"));
      });
    }), async (port) => {
    const client = await RawClient.open(port);
    await client.send("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n");
    await sleep(100);
    client.close();
    const reason = await Promise.race([abortedWith, sleep(3000).then(() => "no abort")]);
    assert.ok(reason instanceof DOMException && reason.name === "AbortError", String(reason));
  });
});

test("the access log has one combined-format line per response, with its duration; an abandoned one too", async () => {
  const lines: string[] = [];
  const big = new Uint8Array(1 << 20);
  await withHttp({ log: (line) => lines.push(line), sendTimeout: 300 }, (req) => {
    if (new URL(req.url).pathname === "/big") {
      return new Response(new ReadableStream({ pull: (controller) => controller.enqueue(big) }));
    }
    return new Response("hello");
  }, async (port) => {
    await exchange(
      port,
      'GET /a?"q" HTTP/1.1\r\nHost: a\r\nReferer: http://r/\r\nUser-Agent: test "agent"\r\nConnection: close\r\n\r\n',
    );
    const stuck = await RawClient.open(port);
    stuck.socket.pause();
    await stuck.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
    for (let i = 0; i < 100 && lines.length < 2; i++) await sleep(50);
    stuck.close();
  });
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.match(
    lines[0],
    /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/a\?\\x22q\\x22 HTTP\/1\.1" 200 5 "http:\/\/r\/" "test \\x22agent\\x22" \d+\.\d{2}ms$/,
  );
  assert.match(lines[1], /"GET \/big HTTP\/1\.1" 200 \d+ "-" "-" \d+\.\d{2}ms abandoned$/);
});

test("shutdown ends a kept-alive connection whose response was under way when it began", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { serve } = await import("../http/server.ts");
  const server = serve({ port: 0, onListen() {} }, () =>
    new Response(
      new ReadableStream({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode("part "));
          await gate;
          controller.enqueue(new TextEncoder().encode("done"));
          controller.close();
        },
      }),
    ));
  const client = await RawClient.open(server.addr.port);
  await client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  await client.until((t) => t.includes("part "));
  const stopped = server.shutdown();
  await sleep(50);
  release();
  const text = await client.until((t) => t.endsWith("0\r\n\r\n"));
  assert.ok(text.endsWith("5\r\npart \r\n4\r\ndone\r\n0\r\n\r\n"), "the response in flight finished");
  const started = Date.now();
  await stopped;
  assert.ok(Date.now() - started < 2000, `shutdown took ${Date.now() - started} ms`);
  assert.ok((await client.untilClosed(2000)) && client.closed, "the connection was closed");
  client.close();
});

test("HEAD announces the length a GET would have and sends no body", async () => {
  await withHttp({}, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/bytes") return new Response(new Uint8Array(7));
    if (path === "/declared") return new Response(null, { headers: { "content-length": "42" } });
    return new Response("twelve bytes");
  }, async (port) => {
    for (const [path, length] of [["/text", "12"], ["/bytes", "7"], ["/declared", "42"]]) {
      const client = await RawClient.open(port);
      await client.send(
        `HEAD ${path} HTTP/1.1\r\nHost: a\r\n\r\nGET /text HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
      );
      const text = await client.untilClosed();
      client.close();
      const [head] = text.split("\r\n\r\n");
      assert.match(head, new RegExp(`content-length: ${length}(\\r\\n|$)`, "i"), path);
      assert.deepEqual(statuses(text), [200, 200], path);
      assert.ok(text.endsWith("\r\n\r\ntwelve bytes"), `${path}: no body after the HEAD's head`);
    }
  });
});

test("serve() as Deno.serve and Bun.serve take it: onListen gets the address, { fetch } is a handler, signal stops it", async () => {
  const { serve } = await import("../http/server.ts");
  const controller = new AbortController();
  let listened: { hostname: string; port: number } | null = null;
  const server = serve({
    port: 0,
    signal: controller.signal,
    onListen: (addr) => (listened = addr),
    fetch: () => new Response("from fetch"),
  });
  assert.deepEqual(listened, server.addr, "onListen ran before serve() returned, with the address");
  const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  assert.equal(await response.text(), "from fetch");
  controller.abort();
  await server.finished;
  await assert.rejects(fetch(`http://127.0.0.1:${server.addr.port}/`));
  assert.throws(() => serve({ port: 0 }), /a handler function is required/);
  assert.throws(() => serve({ port: -1, onListen() {} }, () => new Response()), RangeError);
});

test("a port in use throws EADDRINUSE from serve() itself, naming the address", async () => {
  const { serve } = await import("../http/server.ts");
  const first = serve({ port: 0, onListen() {} }, () => new Response("a"));
  try {
    assert.throws(
      () => serve({ port: first.addr.port, onListen() {} }, () => new Response("b")),
      (error: unknown) =>
        (error as { code?: string }).code === "EADDRINUSE" &&
        String((error as Error).message).includes(`127.0.0.1:${first.addr.port}`),
    );
  } finally {
    await first.shutdown();
  }
});

test("Response.error() from a handler ends the connection with no response; the server goes on", async () => {
  await withHttp(
    {},
    (req) => new URL(req.url).pathname === "/err" ? Response.error() : new Response("ok"),
    async (port) => {
      const text = await exchange(port, "GET /err HTTP/1.1\r\nHost: a\r\n\r\n");
      assert.equal(text, "");
      const next = await exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
      assert.deepEqual(statuses(next), [200]);
    },
  );
});

test("field values go out as Latin-1 bytes, one byte per character, whatever the body", async () => {
  await withHttp({}, (req) => {
    const headers = { "x-name": "caf\u00e9" };
    const path = new URL(req.url).pathname;
    if (path === "/none") return new Response(null, { headers });
    if (path === "/stream") return new Response(new ReadableStream({ start: (c) => c.close() }), { headers });
    return new Response("text", { headers });
  }, async (port) => {
    for (const path of ["/text", "/none", "/stream"]) {
      const client = await RawClient.open(port);
      await client.send(`GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
      await client.untilClosed();
      client.close();
      const bytes = client.bytes;
      const at = client.text.indexOf("x-name: caf");
      assert.ok(at >= 0, path);
      const after = at + "x-name: caf".length;
      assert.deepEqual([...bytes.subarray(after, after + 3)], [0xe9, 13, 10], `${path}: é is the byte 0xE9`);
    }
  });
});
