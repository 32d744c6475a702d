// listenSync: the listening socket exists when the call returns, as Deno.listen's does.
import assert from "node:assert/strict";
import { connect, IoRing, IoRingError, listenSync } from "../mod.ts";
import { test } from "./_harness.ts";
import { openFds } from "./_util.ts";

test("listenSync returns a listener whose port is known, and it accepts through the ring", async () => {
  await using ring = new IoRing();
  await using listener = listenSync(ring, { hostname: "127.0.0.1", port: 0 });
  assert.equal(listener.addr.transport, "tcp");
  assert.ok(listener.addr.port > 0);
  const accepted = listener.accept();
  await using client = await connect(ring, { hostname: "127.0.0.1", port: listener.addr.port });
  await using server = await accepted;
  await client.writeAll(new TextEncoder().encode("ping"));
  const buffer = new Uint8Array(8);
  assert.equal(await server.read(buffer), 4);
  assert.equal(new TextDecoder().decode(buffer.subarray(0, 4)), "ping");
});

test("listenSync on a port in use throws EADDRINUSE at once, naming the address, and leaks no socket", async () => {
  await using ring = new IoRing();
  await using first = listenSync(ring, { hostname: "127.0.0.1", port: 0 });
  const before = openFds();
  assert.throws(
    () => listenSync(ring, { hostname: "127.0.0.1", port: first.addr.port }),
    (error: unknown) =>
      error instanceof IoRingError && error.code === "EADDRINUSE" &&
      error.message.includes(`127.0.0.1:${first.addr.port}`),
  );
  assert.equal(openFds(), before);
});

test("listenSync with reusePort lets two listeners share a port", async () => {
  await using ring = new IoRing();
  await using a = listenSync(ring, { hostname: "127.0.0.1", port: 0, reusePort: true });
  await using b = listenSync(ring, { hostname: "127.0.0.1", port: a.addr.port, reusePort: true });
  assert.equal(b.addr.port, a.addr.port);
});
