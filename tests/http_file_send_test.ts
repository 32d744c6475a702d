// serve() + serveDir: a file cut short while the server sends it (SPLICE, and through a buffer without
// it) ends that response's connection, and the server goes on answering; nothing is left open.
import assert from "node:assert/strict";
import { truncateSync } from "node:fs";
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
