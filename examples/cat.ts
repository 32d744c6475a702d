/**
 * cat over io_uring: reads each file in 64 KiB blocks and writes them to
 * standard output, both through the ring.
 *
 *   deno task cat FILE...        bun examples/cat.ts FILE...
 *
 * @module
 */
import process from "node:process";
import { IoRing } from "../mod.ts";

const STDOUT = 1;

const USAGE = "usage: deno task cat FILE...    (or: bun examples/cat.ts FILE...)\n" +
  "Prints each FILE to standard output, read and written through io_uring.";

if (import.meta.main && process.argv.length <= 2) {
  console.error(USAGE);
  process.exit(2);
} else if (import.meta.main) {
  await using ring = new IoRing({ entries: 8 });
  const buffer = new Uint8Array(64 * 1024);
  for (const path of process.argv.slice(2)) {
    const fd = await ring.openat(path);
    try {
      for (let offset = 0;;) {
        const n = await ring.read(fd, buffer, offset);
        if (n === 0) break;
        offset += n;
        for (let put = 0; put < n;) put += await ring.write(STDOUT, buffer.subarray(put, n));
      }
    } finally {
      await ring.closeFd(fd);
    }
  }
}
