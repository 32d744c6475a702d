import { closeSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import type { RuntimeRefs } from "./_refs.ts";

const BS = 4096;

/** Bun's own file APIs: `node:fs` `FileHandle.read(position)`, `readSync`, `Bun.write(Bun.file())`, `Bun.file().bytes()`. */
export const refs: RuntimeRefs = {
  asyncName: "Bun FileHandle.read",
  syncName: "Bun readSync",
  copyName: "Bun.write(Bun.file)",
  readWholeName: "Bun.file().bytes()",
  async readWhole(path) {
    const bun =
      (globalThis as unknown as { Bun: { file(path: string): { bytes(): Promise<Uint8Array> } } }).Bun;
    return (await bun.file(path).bytes()).length;
  },
  async asyncReads(path, concurrency, end, pick) {
    const handle = await open(path, "r");
    let done = 0;
    const worker = async () => {
      const buffer = new Uint8Array(BS);
      while (performance.now() < end) {
        for (let i = 0; i < 64; i++) await handle.read(buffer, 0, BS, pick() * BS);
        done += 64;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await handle.close();
    return done;
  },
  syncReads(path, end, pick) {
    const fd = openSync(path, "r");
    const buffer = new Uint8Array(BS);
    let done = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 1024; i++) readSync(fd, buffer, 0, BS, pick() * BS);
      done += 1024;
    }
    closeSync(fd);
    return done;
  },
  async asyncLatency(path, count, pick) {
    const handle = await open(path, "r");
    const buffer = new Uint8Array(BS);
    const times = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await handle.read(buffer, 0, BS, pick() * BS);
      times[i] = performance.now() - t;
    }
    await handle.close();
    return times;
  },
  async copy(src, dst) {
    const bun = (globalThis as unknown as {
      Bun: { write(dst: unknown, src: unknown): Promise<number>; file(path: string): unknown };
    }).Bun;
    await bun.write(bun.file(dst), bun.file(src));
  },
};
