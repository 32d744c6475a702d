// serve() under many connections: 10,000 idle ones are held, and a new client is answered at once, at the
// limit too (the longest idle connection makes room). The idle clients live in a child process: both ends in
// one process would need twice the descriptors.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
import { test } from "./_harness.ts";
import { exchange, statuses, withHttp } from "./_http_util.ts";
import { runtimeCommand } from "./_util.ts";

function sockets(): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:")) n++;
    } catch {
      // closed while listed
    }
  }
  return n;
}

/** Starts the idle-client child; resolves with it once its connections are open, and what it reported. */
async function idleClients(port: number, count: number) {
  const [cmd, args] = runtimeCommand(new URL("./_idle_clients.ts", import.meta.url).pathname);
  const child = spawn(cmd, [...args, String(port), String(count)], { stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + 60_000;
  while (!/ready \d+/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`idle clients failed: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ask = async () => {
    const before = output.length;
    child.stdin!.write("?\n");
    while (!/alive \d+/.test(output.slice(before))) await new Promise((resolve) => setTimeout(resolve, 20));
    return Number(/alive (\d+)/.exec(output.slice(before))![1]);
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.stdin!.end();
    });
  return { ready: Number(/ready (\d+)/.exec(output)![1]), ask, stop };
}

test("10,000 idle connections are held, and a new request is answered at once", async () => {
  await withHttp({}, () => new Response("ok"), async (port) => {
    const clients = await idleClients(port, 10_000);
    try {
      assert.equal(clients.ready, 10_000);
      const started = performance.now();
      const text = await exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 5000);
      const took = performance.now() - started;
      assert.deepEqual(statuses(text), [200]);
      assert.ok(took < 1000, `answered in ${took.toFixed(0)} ms`);
      assert.ok(sockets() >= 10_000, `the server holds ${sockets()} sockets`);
      assert.equal(await clients.ask(), 10_000, "no idle connection was dropped");
    } finally {
      await clients.stop();
    }
  });
}, { timeout: 120_000 });

test(
  "at maxConnections the longest idle connections make room: new clients are answered at once",
  async () => {
    await withHttp({ maxConnections: 500 }, () => new Response("ok"), async (port) => {
      const clients = await idleClients(port, 800);
      try {
        for (let i = 0; i < 5; i++) {
          const started = performance.now();
          const text = await exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 5000);
          assert.deepEqual(statuses(text), [200]);
          assert.ok(performance.now() - started < 1000);
        }
        const alive = await clients.ask();
        assert.ok(alive <= 500, `${alive} idle connections left open`);
        assert.ok(alive >= 400, `${alive}: only the needed idle connections are closed`);
      } finally {
        await clients.stop();
      }
    });
  },
  { timeout: 60_000 },
);
