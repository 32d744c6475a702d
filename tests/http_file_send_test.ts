// serve() + serveDir: a file cut short while the server sends it (SPLICE, and through a buffer without
// it) ends that response's connection, and the server goes on answering; nothing is left open.
import assert from "node:assert/strict";
import { truncateSync, writeFileSync } from "node:fs";
import { serveDir } from "../http/mod.ts";
import { test } from "./_harness.ts";
import { RawClient, statuses, withHttp } from "./_http_util.ts";
import { pattern, sleep, tempDir } from "./_util.ts";
import { filesOpenIn } from "./_http_file_util.ts";

for (const splice of [true, false]) {
  test(`a file truncated mid-send closes that connection only (splice: ${splice})`, async () => {
    const dir = tempDir();
    const size = 16 << 20;
    dir.file("big.bin", pattern(size, 5));
    dir.file("small.txt", "still here\n");
    try {
      await withHttp(
        { splice, sendTimeout: 5000 },
        (req) => serveDir(req, { fsRoot: dir.path }),
        async (port) => {
          const client = await RawClient.open(port);
          client.socket.pause(); // the send stalls on a full socket: the cut comes mid-file
          await client.send("GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n");
          await sleep(200);
          truncateSync(`${dir.path}/big.bin`, 1000);
          client.socket.resume();
          await client.untilClosed(15_000);
          assert.ok(client.closed, "the connection of the cut-short response was closed");
          assert.ok(client.bytes.length < size, "the full length was never sent");
          client.close();
          const other = await RawClient.open(port);
          await other.send("GET /small.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
          const text = await other.untilClosed();
          other.close();
          assert.deepEqual(statuses(text), [200]);
          assert.ok(text.endsWith("still here\n"));
        },
      );
      await sleep(1200); // the open-file cache lets go after fileCacheMs
      assert.deepEqual(filesOpenIn(dir.path), []);
    } finally {
      dir.remove();
    }
  }, { timeout: 30_000 });
}

/** The responses in `text` taken apart by their Content-Length: [head, body] pairs, and what is left over. */
function framed(text: string): { responses: [string, string][]; rest: string } {
  const responses: [string, string][] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) return { responses, rest };
    const head = rest.slice(0, end);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? NaN);
    if (!(length >= 0) || rest.length < end + 4 + length) return { responses, rest };
    responses.push([head, rest.slice(end + 4, end + 4 + length)]);
    rest = rest.slice(end + 4 + length);
  }
}

for (const touched of [false, true]) {
  test(
    `a cached small file that grows, then shrinks, is sent fresh and framed exactly${
      touched ? ", with the fields the handler set" : ""
    }`,
    async () => {
      const dir = tempDir();
      dir.file("note.txt", "first\n");
      const contents = ["first\n", "second, and longer\n", "3\n"];
      try {
        await withHttp({}, async (req) => {
          const response = await serveDir(req, { fsRoot: dir.path, fileCacheMs: 60_000 });
          if (touched) response.headers.set("x-handler", "was here");
          return response;
        }, async (port) => {
          const client = await RawClient.open(port);
          try {
            for (const [i, content] of contents.entries()) {
              // Written in place: the descriptor the cache holds sees the new size.
              if (i > 0) writeFileSync(`${dir.path}/note.txt`, content);
              const last = i === contents.length - 1;
              await client.send(
                `GET /note.txt HTTP/1.1\r\nHost: a\r\n${last ? "Connection: close\r\n" : ""}\r\n`,
              );
              await client.until((text) => framed(text).responses.length > i);
            }
            const { responses, rest } = framed(await client.untilClosed());
            assert.deepEqual(responses.map(([, body]) => body), contents);
            assert.equal(rest, "", "nothing beyond the announced lengths");
            for (const [head] of responses) {
              assert.match(head, /^HTTP\/1\.1 200 /);
              assert.equal(/\r\nx-handler: was here(\r\n|$)/.test(head), touched);
            }
          } finally {
            client.close();
          }
        });
      } finally {
        dir.remove();
      }
    },
  );
}
