import type { RuntimeRefs } from "./_refs.ts";

const BS = 4096;

/** Deno's own file APIs: `Deno.FsFile` seek + read, `readSync`, `Deno.copyFile`, `Deno.readFile`. */
export const refs: RuntimeRefs = {
  asyncName: "Deno FsFile seek+read",
  syncName: "Deno readSync",
  copyName: "Deno.copyFile",
  readWholeName: "Deno.readFile",
  async readWhole(path) {
    return (await Deno.readFile(path)).length;
  },
  async asyncReads(path, concurrency, end, pick) {
    let done = 0;
    const worker = async () => {
      // One handle per worker: seek and read share the handle's position.
      using file = await Deno.open(path);
      const buffer = new Uint8Array(BS);
      while (performance.now() < end) {
        for (let i = 0; i < 64; i++) {
          await file.seek(pick() * BS, Deno.SeekMode.Start);
          await file.read(buffer);
        }
        done += 64;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return done;
  },
  syncReads(path, end, pick) {
    using file = Deno.openSync(path);
    const buffer = new Uint8Array(BS);
    let done = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 1024; i++) {
        file.seekSync(pick() * BS, Deno.SeekMode.Start);
        file.readSync(buffer);
      }
      done += 1024;
    }
    return done;
  },
  async asyncLatency(path, count, pick) {
    using file = await Deno.open(path);
    const buffer = new Uint8Array(BS);
    const times = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await file.seek(pick() * BS, Deno.SeekMode.Start);
      await file.read(buffer);
      times[i] = performance.now() - t;
    }
    return times;
  },
  copy: (src, dst) => Deno.copyFile(src, dst),
};
