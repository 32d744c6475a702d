/**
 * Differential test of the SQE encoder: for every builder, randomized
 * arguments are encoded by ioring and by liburing's `io_uring_prep_*` (a C
 * program built here against the installed liburing-dev), and the 64 bytes
 * must be identical. Pointer fields are fed to C as the addresses ioring
 * used, so only the encoding is compared. Ops whose prep helper is newer than
 * the installed liburing are checked in their own test files against the
 * kernel's documented field meaning.
 *
 * @module
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  AT_FDCWD,
  Close,
  FixedFile,
  Fsync,
  IOSQE_ASYNC,
  IOSQE_IO_DRAIN,
  IOSQE_IO_HARDLINK,
  IOSQE_IO_LINK,
  Nop,
  type Op,
  Openat,
  Read,
  Readv,
  Splice,
  Statx,
  Timeout,
  Write,
  Writev,
} from "../mod.ts";
import { SqeWriter } from "../ring/sqe.ts";
import { test } from "./_harness.ts";

const cannotBuild: string | false = existsSync("/usr/include/liburing.h")
  ? await promisify(execFile)("gcc", ["--version"]).then(() => false, () => "gcc is not installed")
  : "liburing-dev is not installed";

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  return {
    int: (max: number) => next() % max,
    u32: () => next(),
    pick: <T>(values: readonly T[]) => values[next() % values.length],
    offset: () => (next() % 4 === 0 ? -1 : (next() % 0x100000) * 4096 + (next() % 4096)),
  };
}

type Rand = ReturnType<typeof random>;

/** One SQE field read back from ioring's encoding, for feeding pointer arguments to C. */
function field64(w: SqeWriter, word: number): string {
  return `0x${(w.u32[word + 1] * 4294967296 + w.u32[word]).toString(16)}ULL`;
}

interface Case {
  op: Op;
  /** The C statement(s) that prepare `sqe` the same way, given ioring's own SQE for pointer fields. */
  c: (w: SqeWriter) => string;
}

const off = (v: number) => (v === -1 ? "(__u64)-1" : `${v}ULL`);

const CASES: Record<string, (r: Rand) => Case> = {
  nop: () => ({ op: new Nop(), c: () => "io_uring_prep_nop(sqe);" }),
  read: (r) => {
    const fd = r.int(1000), len = r.int(65536), o = r.offset();
    return {
      op: new Read(fd, new Uint8Array(65536), o, { length: len }),
      c: (w) => `io_uring_prep_read(sqe, ${fd}, (void *)${field64(w, 4)}, ${len}, ${off(o)});`,
    };
  },
  "read with rw_flags": (r) => {
    const fd = r.int(1000), o = r.offset(), flags = r.int(32);
    return {
      op: new Read(fd, new Uint8Array(512), o, { rwFlags: flags }),
      c: (w) =>
        `io_uring_prep_read(sqe, ${fd}, (void *)${field64(w, 4)}, 512, ${off(o)}); sqe->rw_flags = ${flags};`,
    };
  },
  write: (r) => {
    const fd = r.int(1000), len = r.int(4096), o = r.offset();
    return {
      op: new Write(fd, new Uint8Array(4096), o, { length: len }),
      c: (w) => `io_uring_prep_write(sqe, ${fd}, (void *)${field64(w, 4)}, ${len}, ${off(o)});`,
    };
  },
  readv: (r) => {
    const fd = r.int(1000), count = 1 + r.int(8), o = r.offset();
    return {
      op: new Readv(fd, Array.from({ length: count }, () => new Uint8Array(16)), o),
      c: (w) =>
        `io_uring_prep_readv(sqe, ${fd}, (const struct iovec *)${field64(w, 4)}, ${count}, ${off(o)});`,
    };
  },
  writev: (r) => {
    const fd = r.int(1000), count = 1 + r.int(8), o = r.offset(), flags = r.int(16);
    return {
      op: new Writev(fd, Array.from({ length: count }, () => new Uint8Array(16)), o, { rwFlags: flags }),
      c: (w) =>
        `io_uring_prep_writev2(sqe, ${fd}, (const struct iovec *)${field64(w, 4)}, ${count}, ${
          off(o)
        }, ${flags});`,
    };
  },
  fsync: (r) => {
    const fd = r.int(1000), datasync = r.int(2) === 1;
    return {
      op: new Fsync(fd, { datasync }),
      c: () => `io_uring_prep_fsync(sqe, ${fd}, ${datasync ? 1 : 0});`,
    };
  },
  close: (r) => {
    const fd = r.int(1000);
    return { op: new Close(fd), c: () => `io_uring_prep_close(sqe, ${fd});` };
  },
  "close direct": (r) => {
    const slot = r.int(1000);
    return { op: new Close(new FixedFile(slot)), c: () => `io_uring_prep_close_direct(sqe, ${slot});` };
  },
  openat: (r) => {
    const dirfd = r.pick([AT_FDCWD, r.int(100)]), flags = r.u32() & 0x3fffff, mode = r.int(0o7777);
    return {
      op: new Openat(`/tmp/f${r.int(100)}`, { dirfd, flags, mode }),
      // ioring always adds O_CLOEXEC.
      c: (w) =>
        `io_uring_prep_openat(sqe, ${dirfd}, (const char *)${field64(w, 4)}, ${flags} | O_CLOEXEC, ${mode});`,
    };
  },
  statx: (r) => {
    const dirfd = r.pick([AT_FDCWD, r.int(100)]), flags = r.int(0x2000), mask = r.u32() & 0xfff;
    return {
      op: new Statx("/etc", { dirfd, flags, mask }),
      c: (w) =>
        `io_uring_prep_statx(sqe, ${dirfd}, (const char *)${
          field64(w, 4)
        }, ${flags}, ${mask}, (struct statx *)${field64(w, 2)});`,
    };
  },
  timeout: (r) => {
    const count = r.int(100), flags = r.int(128);
    return {
      op: new Timeout(r.int(10_000), { count, flags }),
      c: (w) =>
        `io_uring_prep_timeout(sqe, (struct __kernel_timespec *)${field64(w, 4)}, ${count}, ${flags});`,
    };
  },
  splice: (r) => {
    const fdIn = r.int(1000),
      fdOut = r.int(1000),
      len = r.u32(),
      offIn = r.offset(),
      offOut = r.offset(),
      flags = r.int(16);
    return {
      op: new Splice(fdIn, fdOut, len, { offIn, offOut, flags }),
      c: () => `io_uring_prep_splice(sqe, ${fdIn}, ${offIn}, ${fdOut}, ${offOut}, ${len}U, ${flags});`,
    };
  },
};

const PER_OP = 40;

test("every builder writes the same 64 bytes as liburing's io_uring_prep_*", () => {
  const dir = mkdtempSync(join(tmpdir(), "ioring-sqe-"));
  try {
    const r = random(20261121);
    const expected: string[] = [];
    const statements: string[] = [];
    const names: string[] = [];
    for (const [name, make] of Object.entries(CASES)) {
      for (let i = 0; i < PER_OP; i++) {
        const { op, c } = make(r);
        // The common fields too: IOSQE flags, ioprio, personality, user_data.
        const sqeFlags = r.pick([
          0,
          IOSQE_IO_LINK,
          IOSQE_IO_DRAIN,
          IOSQE_ASYNC,
          IOSQE_IO_HARDLINK | IOSQE_ASYNC,
        ]);
        const ioprio = r.pick([0, r.int(0x10000)]);
        const personality = r.pick([0, 1 + r.int(0xfffe)]);
        const ud = r.u32() * 2 ** 21 + r.int(2 ** 21);
        const base = op as Op & {
          flags(f: number): unknown;
          ioprio(p: number): unknown;
          personality(p: number): unknown;
        };
        base.flags(sqeFlags);
        base.ioprio(ioprio);
        base.personality(personality);
        const w = new SqeWriter(new ArrayBuffer(64), 64).select(0);
        w.u8.fill(0xa5); // every byte must be written by prep
        op.prep(w);
        w.userData(ud >>> 0, Math.floor(ud / 2 ** 32));
        expected.push(Array.from(w.u8, (b) => b.toString(16).padStart(2, "0")).join(""));
        names.push(`${name} #${i}`);
        statements.push(
          `  memset(sqe, 0, sizeof *sqe); ${c(w)} sqe->flags |= ${sqeFlags}; sqe->ioprio |= ${ioprio}; ` +
            `sqe->personality = ${personality}; io_uring_sqe_set_data64(sqe, ${ud}ULL); dump(sqe);`,
        );
      }
    }
    const source = `#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <liburing.h>
static void dump(const struct io_uring_sqe *sqe) {
  const unsigned char *b = (const unsigned char *)sqe;
  for (int i = 0; i < 64; i++) printf("%02x", b[i]);
  printf("\\n");
}
int main(void) {
  static struct io_uring_sqe storage;
  struct io_uring_sqe *sqe = &storage;
${statements.join("\n")}
  return 0;
}
`;
    writeFileSync(join(dir, "prep.c"), source);
    const cc = spawnSync("gcc", ["-O0", "-w", "-o", join(dir, "prep"), join(dir, "prep.c")], {
      encoding: "utf8",
    });
    assert.equal(cc.status, 0, cc.stderr);
    const run = spawnSync(join(dir, "prep"), [], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const actual = run.stdout.trim().split("\n");
    assert.equal(actual.length, expected.length);
    for (let i = 0; i < expected.length; i++) {
      assert.equal(expected[i], actual[i], `${names[i]}: ioring\n${expected[i]}\nliburing\n${actual[i]}`);
    }
    assert.ok(expected.length >= Object.keys(CASES).length * PER_OP);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { skip: cannotBuild });
