/**
 * Where SEND_ZC beats SEND on this machine: one TCP connection on loopback,
 * 256 MiB sent in writes of 4 KiB to 1 MiB with each op, the other end
 * receiving and discarding on the same ring. Prints MB/s per size and the
 * ratio; `net/connection.ts` takes its SEND_ZC threshold from this.
 *
 *   deno run -A scripts/bench/sendzc.ts   |   bun scripts/bench/sendzc.ts
 *
 * @module
 */
import { connect, IoRing, listen } from "../../mod.ts";
import { median } from "./_common.ts";

import process from "node:process";

const TOTAL = Number(process.env.SENDZC_MIB ?? 256) << 20;

await using ring = new IoRing({ entries: 256 });
await using listener = await listen(ring, { port: 0 });
const draining = (async () => {
  for await (const conn of listener) {
    const sink = new Uint8Array(1 << 20);
    while ((await conn.read(sink)) !== null);
    await conn.close();
  }
})();

async function measure(size: number, zc: boolean): Promise<number> {
  await using conn = await connect(ring, { port: listener.addr.port });
  const buffer = new Uint8Array(size).fill(7);
  const started = performance.now();
  for (let sent = 0; sent < TOTAL;) {
    const n = zc ? await ring.sendZc(conn.fd, buffer) : await ring.send(conn.fd, buffer);
    sent += n;
  }
  const seconds = (performance.now() - started) / 1000;
  await conn.closeWrite();
  return TOTAL / seconds / 1e6;
}

// One unmeasured round of each first: the JIT and the connection warm up for neither side's figures.
await measure(4096, false);
await measure(4096, true);
console.log("size     SEND MB/s  SEND_ZC MB/s  ratio");
for (const size of [4096, 16384, 65536, 262144, 1 << 20]) {
  const plain: number[] = [], zero: number[] = [];
  for (let i = 0; i < 3; i++) {
    plain.push(await measure(size, false));
    zero.push(await measure(size, true));
  }
  console.log(
    `${String(size).padEnd(8)} ${median(plain).toFixed(0).padStart(9)}  ${
      median(zero).toFixed(0).padStart(12)
    }  ${(median(zero) / median(plain)).toFixed(2)}`,
  );
}
await listener.close();
await draining.catch(() => {});
