/**
 * cp over io_uring: a window of linked read-then-write pairs in flight, all
 * submitted in batches.
 *
 *   deno task copy SRC DST        bun examples/copy.ts SRC DST
 *
 * With no arguments it copies a 256 MiB file it makes in the temp directory,
 * checks the copy byte for byte, and removes both.
 *
 * @module
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  IoRing,
  type IoRingError,
  IOSQE_ASYNC,
  IOSQE_IO_LINK,
  O_CREAT,
  O_TRUNC,
  O_WRONLY,
  Read,
  Write,
} from "../mod.ts";

const BLOCK = 4 * 1024 * 1024;
const WINDOW = 3;

/**
 * Copies `src` to `dst` through `ring`; resolves with the number of bytes copied.
 *
 * Each block is a read linked to a write of the same buffer (IOSQE_IO_LINK),
 * so the kernel starts the write as soon as the read is done, with no trip
 * through JavaScript in between. A short read breaks the link (the write is
 * cancelled), and then what was read is written on its own. Writes go straight
 * to the kernel's workers (IOSQE_ASYNC): a buffered write to most file systems
 * cannot finish without blocking, so trying it inline first is wasted work.
 * Three 4 MiB blocks in flight measured best here (scripts/bench/copy.ts):
 * writes to one file are serialised by the kernel, so more only add contention.
 */
export async function copyFile(ring: IoRing, src: string, dst: string): Promise<number> {
  const { size, mode } = await ring.statx(src);
  const input = await ring.openat(src);
  const output = await ring.openat(dst, { flags: O_WRONLY | O_CREAT | O_TRUNC, mode: mode & 0o7777 });
  let next = 0;
  const worker = async () => {
    const buffer = new Uint8Array(BLOCK);
    while (next < size) {
      const offset = next;
      next += BLOCK;
      const want = Math.min(BLOCK, size - offset);
      for (let done = 0; done < want;) {
        const view = buffer.subarray(0, want - done);
        const at = offset + done;
        const [read, wrote] = await Promise.allSettled([
          ring.run(new Read(input, view, at).flags(IOSQE_IO_LINK)),
          ring.run(new Write(output, view, at).flags(IOSQE_ASYNC)),
        ]);
        if (read.status === "rejected") throw read.reason;
        if (read.value === 0) throw new Error(`${src} shrank while being copied`);
        if (wrote.status === "fulfilled") {
          done += wrote.value; // a short write re-reads the rest
          continue;
        }
        if ((wrote.reason as IoRingError).code !== "ECANCELED") throw wrote.reason;
        for (let put = 0; put < read.value;) {
          put += await ring.write(output, view.subarray(put, read.value), at + put);
        }
        done += read.value;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(WINDOW, Math.ceil(size / BLOCK)) }, worker));
  } finally {
    await Promise.all([ring.closeFd(input), ring.closeFd(output)]);
  }
  return size;
}

/**
 * Writes `bytes` (whole MiB) of random data to `path`, no two MiB alike: a sample to copy or read.
 *
 * @example
 * ```ts ignore
 * makeSample("/tmp/sample.bin", 256 << 20);
 * ```
 */
export function makeSample(path: string, bytes: number): void {
  const fd = openSync(path, "w");
  const chunk = new Uint8Array(1 << 20);
  for (let i = 0; i < chunk.length; i += 65536) crypto.getRandomValues(chunk.subarray(i, i + 65536));
  for (let written = 0; written < bytes; written += chunk.length) {
    chunk[0] = written >>> 20; // no two MiB alike
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

function sameContents(a: string, b: string): boolean {
  const fa = openSync(a, "r"), fb = openSync(b, "r");
  const ba = new Uint8Array(1 << 20), bb = new Uint8Array(1 << 20);
  try {
    for (;;) {
      const na = readSync(fa, ba), nb = readSync(fb, bb);
      if (na !== nb) return false;
      if (na === 0) return true;
      for (let i = 0; i < na; i++) if (ba[i] !== bb[i]) return false;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

if (import.meta.main) {
  const runtime = "Bun" in globalThis ? `Bun ${process.versions.bun}` : `Deno ${process.versions.deno}`;
  let [src, dst] = process.argv.slice(2);
  const demo = src === undefined;
  const dir = demo ? mkdtempSync(join(tmpdir(), "ioring-copy-")) : "";
  if (demo) {
    src = join(dir, "sample.bin");
    dst = join(dir, "copy.bin");
    makeSample(src, 256 << 20);
    console.log(`copy: no SRC DST given, so copying a 256 MiB sample file in ${dir}`);
  } else if (dst === undefined) {
    console.error("usage: copy.ts SRC DST");
    process.exit(2);
  }
  try {
    await using ring = new IoRing({ entries: 64 });
    const started = performance.now();
    const bytes = await copyFile(ring, src, dst);
    const seconds = (performance.now() - started) / 1000;
    const mib = bytes / (1 << 20);
    console.log(
      `copied ${mib.toFixed(1)} MiB in ${seconds.toFixed(3)} s: ${(mib / seconds).toFixed(0)} MiB/s ` +
        `(${WINDOW} × ${BLOCK >> 10} KiB in flight; ${runtime}, ${ring.nativePath})`,
    );
    if (demo) {
      if (!sameContents(src, dst)) throw new Error("the copy differs from the source");
      console.log("the copy matches the source byte for byte");
    }
  } finally {
    if (demo) rmSync(dir, { recursive: true, force: true });
  }
}
