/**
 * Checks `kernel/constants.ts`, `kernel/layout.ts` and `kernel/errno.ts` against
 * the C headers and glibc installed on this machine: a C program generated
 * here prints what the compiler knows, and every line must match ours. The
 * installed headers are older than ours, so this proves the values they share;
 * newer constants rest on review against the newest header.
 *
 * @module
 */

import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { test } from "./_harness.ts";
import * as constants from "../kernel/constants.ts";
import { errnoMessage, errnoName, errnoNumber } from "../kernel/errno.ts";
import * as errnoModule from "../kernel/errno.ts";
import * as layout from "../kernel/layout.ts";

const LIBURING_HEADER = "/usr/include/liburing/io_uring.h";
const LINUX_HEADER = "/usr/include/linux/io_uring.h";

const gccMissing: string | false = await promisify(execFile)("gcc", ["--version"]).then(
  () => false,
  () => "gcc is not installed",
);

function headerMissing(path: string): string | false {
  if (gccMissing) return gccMissing;
  return existsSync(path) ? false : `${path} is not installed`;
}

/** Compiles `source` with gcc and runs it, returning its stdout. */
function runC(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ioring-constants-"));
  try {
    const src = join(dir, "probe.c");
    const exe = join(dir, "probe");
    writeFileSync(src, source);
    const cc = spawnSync("gcc", ["-std=gnu11", "-O0", "-w", "-o", exe, src], { encoding: "utf8" });
    assert.equal(cc.status, 0, `gcc failed:\n${cc.stderr}`);
    // The C locale pins strerror's wording to the untranslated glibc texts.
    const env = { ...process.env, LANG: "C", LC_ALL: "C" };
    const run = spawnSync(exe, [], { encoding: "utf8", env });
    assert.equal(run.status, 0, `probe failed:\n${run.stderr}`);
    return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses `label value` lines printed by a generated program. */
function parsePairs(output: string): Map<string, number> {
  const pairs = new Map<string, number>();
  for (const line of output.split("\n")) {
    if (line === "") continue;
    const [label, value] = line.split(" ");
    pairs.set(label, Number(value));
  }
  return pairs;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
}

/** Names a header defines as object-like macros or enum members. */
function definedNames(text: string): Set<string> {
  const code = stripComments(text);
  const names = new Set<string>();
  // A name directly followed by "(" is a function-like macro, not a constant.
  for (const m of code.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?!\()/gm)) names.add(m[1]);
  for (const m of code.matchAll(/\benum\b[^{;]*\{([^}]*)\}/g)) {
    for (const member of m[1].split(",")) {
      const name = /^\s*([A-Za-z_]\w*)/.exec(member);
      if (name) names.add(name[1]);
    }
  }
  return names;
}

/** The text between the braces of `struct name { ... }`, nested braces included. */
function structBody(text: string, name: string): string {
  const code = stripComments(text);
  const start = new RegExp(`struct\\s+${name}\\s*\\{`).exec(code);
  assert.ok(start, `struct ${name} not found in header`);
  let depth = 0;
  for (let i = start.index + start[0].length - 1; i < code.length; i++) {
    if (code[i] === "{") depth++;
    if (code[i] === "}" && --depth === 0) return code.slice(start.index, i + 1);
  }
  throw new Error(`struct ${name} is not closed`);
}

const numeric: Record<string, number> = Object.fromEntries(
  Object.entries(constants).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
);

// Names the header families use; a header name with one of these prefixes that
// we do not export is a constant we missed.
const FAMILY = /^(IORING_|IOSQE_|IOU_|IO_URING_|IO_WQ_|SOCKET_URING_OP_|SPLICE_F_|ZCRX_)/;
// IORING_ZCRX_AREA_MASK (bits 48..63) is beyond Number's safe integers and
// useless to bitwise operators, so constants.ts leaves it out.
const NOT_EXPORTED = new Set(["IORING_ZCRX_AREA_MASK"]);

function checkConstants(header: string, include: string, minimum: number): void {
  const text = readFileSync(header, "utf8");
  const names = [...definedNames(text)].filter((name) => FAMILY.test(name) && !NOT_EXPORTED.has(name));
  const missing = names.filter((name) => !(name in numeric));
  assert.deepEqual(missing, [], `${header} defines constants kernel/constants.ts lacks`);
  const lines = names.map((name) => `  printf("%s %lld\\n", "${name}", (long long)(${name}));`);
  // liburing's copy of the header uses struct __kernel_timespec without including its definition.
  const output = runC(
    `#include <stdio.h>\n#include <linux/time_types.h>\n#include <${include}>\n` +
      `int main(void) {\n${lines.join("\n")}\n  return 0;\n}\n`,
  );
  const values = parsePairs(output);
  assert.equal(values.size, names.length, "the probe printed one line per name");
  for (const [name, value] of values) {
    if (name.endsWith("_LAST")) {
      // The end of an enum moves with every header release; ours is the newest.
      assert.ok(numeric[name] >= value, `${name}: ours ${numeric[name]} < header's ${value}`);
    } else {
      assert.equal(
        numeric[name],
        value,
        `${name}: kernel/constants.ts has ${numeric[name]}, ${header} has ${value}`,
      );
    }
  }
  console.log(`compared ${values.size} constants with ${header}`);
  assert.ok(values.size > minimum, `only ${values.size} constants compared with ${header}`);
}

test("constants match liburing's io_uring.h", () => {
  checkConstants(LIBURING_HEADER, "liburing/io_uring.h", 150);
}, { skip: headerMissing(LIBURING_HEADER) });

test("constants match linux/io_uring.h", () => {
  checkConstants(LINUX_HEADER, "linux/io_uring.h", 150);
}, { skip: headerMissing(LINUX_HEADER) });

/**
 * How to measure one layout entry in C: a member name (the first candidate the
 * header has wins, since members get renamed), or `=` and a C expression.
 */
type Probe = string | readonly string[];
/** The C type a layout describes (`struct name` or a typedef) and how to measure each of its fields. */
type Spec<T> = { type: string; fields: Record<Exclude<keyof T, "size">, Probe> };

const SQE: Spec<typeof layout.SQE> = {
  type: "struct io_uring_sqe",
  fields: {
    opcode: "opcode",
    flags: "flags",
    ioprio: "ioprio",
    fd: "fd",
    off: "off",
    addr: "addr",
    len: "len",
    opFlags: "rw_flags",
    userData: "user_data",
    bufIndex: "buf_index",
    personality: "personality",
    fileIndex: ["file_index", "splice_fd_in"],
    addr3: "addr3",
    pad2: "__pad2",
  },
};
const CQE: Spec<typeof layout.CQE> = {
  type: "struct io_uring_cqe",
  fields: { userData: "user_data", res: "res", flags: "flags", bigCqe: "big_cqe" },
};
const PARAMS: Spec<typeof layout.PARAMS> = {
  type: "struct io_uring_params",
  fields: {
    sqEntries: "sq_entries",
    cqEntries: "cq_entries",
    flags: "flags",
    sqThreadCpu: "sq_thread_cpu",
    sqThreadIdle: "sq_thread_idle",
    features: "features",
    wqFd: "wq_fd",
    resv: "resv",
    sqOff: "sq_off",
    cqOff: "cq_off",
  },
};
const SQRING_OFFSETS: Spec<typeof layout.SQRING_OFFSETS> = {
  type: "struct io_sqring_offsets",
  fields: {
    head: "head",
    tail: "tail",
    ringMask: "ring_mask",
    ringEntries: "ring_entries",
    flags: "flags",
    dropped: "dropped",
    array: "array",
    resv1: "resv1",
    userAddr: ["user_addr", "resv2"],
  },
};
const CQRING_OFFSETS: Spec<typeof layout.CQRING_OFFSETS> = {
  type: "struct io_cqring_offsets",
  fields: {
    head: "head",
    tail: "tail",
    ringMask: "ring_mask",
    ringEntries: "ring_entries",
    overflow: "overflow",
    cqes: "cqes",
    flags: "flags",
    resv1: "resv1",
    userAddr: ["user_addr", "resv2"],
  },
};
const PROBE: Spec<typeof layout.PROBE> = {
  type: "struct io_uring_probe",
  fields: {
    lastOp: "last_op",
    opsLen: "ops_len",
    ops: "ops",
    opSize: "=sizeof(struct io_uring_probe_op)",
    opOp: "=offsetof(struct io_uring_probe_op, op)",
    opFlags: "=offsetof(struct io_uring_probe_op, flags)",
  },
};
const KERNEL_TIMESPEC: Spec<typeof layout.KERNEL_TIMESPEC> = {
  type: "struct __kernel_timespec",
  fields: { tvSec: "tv_sec", tvNsec: "tv_nsec" },
};
const IOVEC: Spec<typeof layout.IOVEC> = {
  type: "struct iovec",
  fields: { base: "iov_base", len: "iov_len" },
};
const STATX: Spec<typeof layout.STATX> = {
  type: "struct statx",
  fields: {
    mask: "stx_mask",
    blksize: "stx_blksize",
    attributes: "stx_attributes",
    nlink: "stx_nlink",
    uid: "stx_uid",
    gid: "stx_gid",
    mode: "stx_mode",
    ino: "stx_ino",
    size_: "stx_size",
    blocks: "stx_blocks",
    attributesMask: "stx_attributes_mask",
    atime: "stx_atime",
    btime: "stx_btime",
    ctime: "stx_ctime",
    mtime: "stx_mtime",
    rdevMajor: "stx_rdev_major",
    rdevMinor: "stx_rdev_minor",
    devMajor: "stx_dev_major",
    devMinor: "stx_dev_minor",
  },
};

const RECVMSG_OUT: Spec<typeof layout.RECVMSG_OUT> = {
  type: "struct io_uring_recvmsg_out",
  fields: { namelen: "namelen", controllen: "controllen", payloadlen: "payloadlen", flags: "flags" },
};
const MSGHDR: Spec<typeof layout.MSGHDR> = {
  type: "struct msghdr",
  fields: {
    name: "msg_name",
    namelen: "msg_namelen",
    iov: "msg_iov",
    iovlen: "msg_iovlen",
    control: "msg_control",
    controllen: "msg_controllen",
    flags: "msg_flags",
  },
};
const SOCKADDR_IN: Spec<typeof layout.SOCKADDR_IN> = {
  type: "struct sockaddr_in",
  fields: { family: "sin_family", port: "sin_port", addr: "sin_addr" },
};
const SOCKADDR_IN6: Spec<typeof layout.SOCKADDR_IN6> = {
  type: "struct sockaddr_in6",
  fields: {
    family: "sin6_family",
    port: "sin6_port",
    flowInfo: "sin6_flowinfo",
    addr: "sin6_addr",
    scopeId: "sin6_scope_id",
  },
};
const SOCKADDR_UN: Spec<typeof layout.SOCKADDR_UN> = {
  type: "struct sockaddr_un",
  fields: { family: "sun_family", path: "sun_path" },
};
const SOCKADDR_STORAGE: Spec<typeof layout.SOCKADDR_STORAGE> = {
  type: "struct sockaddr_storage",
  fields: { family: "ss_family" },
};
// Packed on x86_64 only: the C side is this machine's, the TS side the one chosen for process.arch.
const EPOLL_EVENT: Spec<typeof layout.EPOLL_EVENT> = {
  type: "struct epoll_event",
  fields: { events: "events", data: "data" },
};
// glibc's si_pid, si_uid and si_status are macros naming members of the _sifields union.
const SIGINFO: Spec<typeof layout.SIGINFO> = {
  type: "siginfo_t",
  fields: {
    signo: "si_signo",
    errno: "si_errno",
    code: "si_code",
    pid: "si_pid",
    uid: "si_uid",
    status: "si_status",
  },
};
const OPEN_HOW: Spec<typeof layout.OPEN_HOW> = {
  type: "struct open_how",
  fields: { flags: "flags", mode: "mode", resolve: "resolve" },
};
const FUTEX_WAITV: Spec<typeof layout.FUTEX_WAITV> = {
  type: "struct futex_waitv",
  fields: { val: "val", uaddr: "uaddr", flags: "flags", reserved: "__reserved" },
};

const RSRC_REGISTER: Spec<typeof layout.RSRC_REGISTER> = {
  type: "struct io_uring_rsrc_register",
  fields: { nr: "nr", flags: "flags", resv2: "resv2", data: "data", tags: "tags" },
};
const RSRC_UPDATE2: Spec<typeof layout.RSRC_UPDATE2> = {
  type: "struct io_uring_rsrc_update2",
  fields: { offset: "offset", resv: "resv", data: "data", tags: "tags", nr: "nr", resv2: "resv2" },
};
const FILE_INDEX_RANGE: Spec<typeof layout.FILE_INDEX_RANGE> = {
  type: "struct io_uring_file_index_range",
  fields: { off: "off", len: "len", resv: "resv" },
};

const RESTRICTION: Spec<typeof layout.RESTRICTION> = {
  type: "struct io_uring_restriction",
  fields: { opcode: "opcode", arg: "register_op", resv: "resv", resv2: "resv2" },
};

const SYNC_CANCEL_REG: Spec<typeof layout.SYNC_CANCEL_REG> = {
  type: "struct io_uring_sync_cancel_reg",
  fields: { addr: "addr", fd: "fd", flags: "flags", timeout: "timeout", opcode: ["opcode", "pad"] },
};

const BUF: Spec<typeof layout.BUF> = {
  type: "struct io_uring_buf",
  fields: { addr: "addr", len: "len", bid: "bid", resv: "resv" },
};
const BUF_RING: Spec<typeof layout.BUF_RING> = {
  type: "struct io_uring_buf_ring",
  fields: { resv1: "resv1", resv2: "resv2", resv3: "resv3", tail: "tail", bufs: "bufs" },
};
const BUF_REG: Spec<typeof layout.BUF_REG> = {
  type: "struct io_uring_buf_reg",
  fields: {
    ringAddr: "ring_addr",
    ringEntries: "ring_entries",
    bgid: "bgid",
    flags: ["flags", "pad"],
    minLeft: ["min_left", "=offsetof(struct io_uring_buf_reg, resv)"],
  },
};

// Members an older io_uring header may lack; anything else missing fails.
const OPTIONAL = new Set(["SQE.addr3", "SQE.pad2", "CQE.bigCqe"]);

function checkLayout(header: string, include: string): void {
  const text = readFileSync(header, "utf8");
  const specs: [string, Record<string, number>, Spec<Record<string, number>>, boolean][] = [
    ["SQE", layout.SQE, SQE, true],
    ["CQE", layout.CQE, CQE, true],
    ["PARAMS", layout.PARAMS, PARAMS, true],
    ["SQRING_OFFSETS", layout.SQRING_OFFSETS, SQRING_OFFSETS, true],
    ["CQRING_OFFSETS", layout.CQRING_OFFSETS, CQRING_OFFSETS, true],
    ["PROBE", layout.PROBE, PROBE, true],
    ["RSRC_REGISTER", layout.RSRC_REGISTER, RSRC_REGISTER, true],
    ["RSRC_UPDATE2", layout.RSRC_UPDATE2, RSRC_UPDATE2, true],
    ["FILE_INDEX_RANGE", layout.FILE_INDEX_RANGE, FILE_INDEX_RANGE, true],
    ["RESTRICTION", layout.RESTRICTION, RESTRICTION, true],
    ["SYNC_CANCEL_REG", layout.SYNC_CANCEL_REG, SYNC_CANCEL_REG, true],
    ["BUF", layout.BUF, BUF, true],
    ["BUF_RING", layout.BUF_RING, BUF_RING, true],
    ["BUF_REG", layout.BUF_REG, BUF_REG, true],
    ["KERNEL_TIMESPEC", layout.KERNEL_TIMESPEC, KERNEL_TIMESPEC, false],
    ["IOVEC", layout.IOVEC, IOVEC, false],
    ["STATX", layout.STATX, STATX, false],
    ["RECVMSG_OUT", layout.RECVMSG_OUT, RECVMSG_OUT, true],
    ["MSGHDR", layout.MSGHDR, MSGHDR, false],
    ["SOCKADDR_IN", layout.SOCKADDR_IN, SOCKADDR_IN, false],
    ["SOCKADDR_IN6", layout.SOCKADDR_IN6, SOCKADDR_IN6, false],
    ["SOCKADDR_UN", layout.SOCKADDR_UN, SOCKADDR_UN, false],
    ["SOCKADDR_STORAGE", layout.SOCKADDR_STORAGE, SOCKADDR_STORAGE, false],
    ["EPOLL_EVENT", layout.EPOLL_EVENT, EPOLL_EVENT, false],
    ["SIGINFO", layout.SIGINFO, SIGINFO, false],
    ["OPEN_HOW", layout.OPEN_HOW, OPEN_HOW, false],
    ["FUTEX_WAITV", layout.FUTEX_WAITV, FUTEX_WAITV, false],
  ];
  const expected = new Map<string, number>();
  const lines: string[] = [];
  const skipped: string[] = [];
  const emit = (label: string, want: number, expr: string) => {
    expected.set(label, want);
    lines.push(`  printf("%s %lld\\n", "${label}", (long long)(${expr}));`);
  };
  for (const [objName, object, spec, inHeader] of specs) {
    const body = inHeader ? structBody(text, spec.type.replace(/^struct\s+/, "")) : "";
    emit(`${objName}.size`, object.size, `sizeof(${spec.type})`);
    for (const [key, probe] of Object.entries(spec.fields)) {
      const label = `${objName}.${key}`;
      if (typeof probe === "string" && probe.startsWith("=")) {
        emit(label, object[key], probe.slice(1));
        continue;
      }
      const candidates = typeof probe === "string" ? [probe] : probe;
      const member = inHeader
        ? candidates.find((name) => name.startsWith("=") || new RegExp(`\\b${name}\\b`).test(body))
        : candidates[0];
      if (member?.startsWith("=")) {
        // The member has another name (or none) in this header: measure it with the expression given.
        emit(label, object[key], member.slice(1));
        continue;
      }
      // Without addr3 an old SQE ends in __pad2[2] at the offset addr3 has now.
      const pad2WithoutAddr3 = key === "pad2" && skipped.includes("SQE.addr3");
      if (member === undefined || pad2WithoutAddr3) {
        assert.ok(OPTIONAL.has(label), `${header} has none of ${candidates.join(", ")} for ${label}`);
        skipped.push(label);
        continue;
      }
      emit(label, object[key], `offsetof(${spec.type}, ${member})`);
    }
  }
  const source = [
    "#define _GNU_SOURCE",
    "#include <stddef.h>",
    "#include <stdio.h>",
    "#include <signal.h>",
    "#include <netinet/in.h>",
    "#include <sys/epoll.h>",
    "#include <sys/socket.h>",
    "#include <sys/stat.h>",
    "#include <sys/uio.h>",
    "#include <sys/un.h>",
    "#include <linux/futex.h>",
    "#include <linux/openat2.h>",
    "#include <linux/time_types.h>",
    `#include <${include}>`,
    "int main(void) {",
    ...lines,
    "  return 0;",
    "}",
    "",
  ].join("\n");
  const actual = parsePairs(runC(source));
  assert.equal(actual.size, expected.size, "the probe printed one line per field");
  for (const [label, want] of expected) {
    assert.equal(
      actual.get(label),
      want,
      `${label}: kernel/layout.ts has ${want}, C has ${actual.get(label)} on ${process.arch}`,
    );
  }
  if (skipped.length > 0) console.log(`${header} lacks ${skipped.join(", ")}; not compared`);
}

test("layout matches liburing's io_uring.h and the libc and kernel headers", () => {
  checkLayout(LIBURING_HEADER, "liburing/io_uring.h");
}, { skip: headerMissing(LIBURING_HEADER) });

test("layout matches linux/io_uring.h", () => {
  checkLayout(LINUX_HEADER, "linux/io_uring.h");
}, { skip: headerMissing(LINUX_HEADER) });

test("errno names and messages match glibc", () => {
  const output = runC(`#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
int main(void) {
  for (int n = 1; n <= 133; n++) {
    const char *name = strerrorname_np(n);
    printf("%d\\t%s\\t%s\\n", n, name ? name : "", strerror(n));
  }
  return 0;
}
`);
  const rows = output.split("\n").filter((line) => line !== "");
  assert.equal(rows.length, 133);
  for (const row of rows) {
    const [n, name, message] = row.split("\t");
    const errno = Number(n);
    // glibc has no name for numbers Linux leaves unassigned (41 and 58).
    assert.equal(errnoName(errno), name === "" ? `EUNKNOWN_${errno}` : name, `errnoName(${errno})`);
    assert.equal(errnoMessage(errno), message, `errnoMessage(${errno})`);
  }
}, { skip: gccMissing });

test("errno reverse lookup knows names and aliases", () => {
  for (let errno = 1; errno <= 133; errno++) {
    const name = errnoName(errno);
    if (!name.startsWith("EUNKNOWN_")) assert.equal(errnoNumber(name), errno, name);
  }
  assert.equal(errnoNumber("EWOULDBLOCK"), 11);
  assert.equal(errnoNumber("EDEADLOCK"), 35);
  assert.equal(errnoNumber("ENOTSUP"), 95);
  assert.equal(errnoNumber("ENOSUCHTHING"), undefined);
  assert.equal(errnoName(41), "EUNKNOWN_41");
  assert.equal(errnoMessage(200), "Unknown error 200");
});

test("constants are plain integers with the well-known values", () => {
  assert.deepEqual(constants.IO_URING_SYSCALL, {
    x64: { setup: 425, enter: 426, register: 427 },
    arm64: { setup: 425, enter: 426, register: 427 },
  });
  assert.equal(constants.IORING_OP_NOP, 0);
  assert.equal(constants.IOSQE_CQE_SKIP_SUCCESS, 64);
  assert.equal(constants.IORING_OP_URING_CMD128 + 1, constants.IORING_OP_LAST);
  assert.equal(constants.IORING_REGISTER_USE_REGISTERED_RING, 2 ** 31);
  assert.equal(constants.IORING_FILE_INDEX_ALLOC, 2 ** 32 - 1);
  for (const [name, value] of Object.entries(numeric)) {
    assert.ok(Number.isSafeInteger(value), `${name} is an integer`);
    // Only IORING_REGISTER_FILES_SKIP and AT_FDCWD are negative in C; a negative flag would be `1 << 31`.
    if (name !== "IORING_REGISTER_FILES_SKIP" && name !== "AT_FDCWD") {
      assert.ok(value >= 0, `${name} is not negative`);
    }
  }
});

test("the fcntl.h and stat.h flags match this architecture's C headers", () => {
  const names = Object.keys(numeric).filter((name) => /^(O_|AT_|STATX_)/.test(name));
  assert.ok(names.length >= 25, `only ${names.length} names to compare`);
  const lines = names.map((name) => `  printf("%s %lld\\n", "${name}", (long long)(${name}));`);
  const output = runC(
    `#define _GNU_SOURCE\n#include <stdio.h>\n#include <fcntl.h>\n#include <sys/stat.h>\n` +
      `int main(void) {\n${lines.join("\n")}\n  return 0;\n}\n`,
  );
  const values = parsePairs(output);
  assert.equal(values.size, names.length);
  for (const [name, value] of values) {
    assert.equal(numeric[name], value, `${name}: ours ${numeric[name]}, C has ${value}`);
  }
}, { skip: gccMissing });

test("the errno constants the library compares with carry their own numbers", () => {
  const named = Object.entries(errnoModule).filter(([name]) => /^E[A-Z0-9]+$/.test(name));
  assert.ok(named.length >= 17);
  for (const [name, value] of named) assert.equal(errnoName(value as number), name, name);
});
