// Faults, against the real kernel: a CQ flooded far beyond its size, a full SQ, io_uring refused in a child
// (seccomp, io_uring_disabled), RLIMIT_MEMLOCK without CAP_IPC_LOCK, an opcode this kernel lacks, fork, and
// a privilege drop after the rings were made.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { AsyncCancel, IoRing, IoRingError, type IoRingOptions, Nop, OpBase, Timeout } from "../mod.ts";
import { IORING_FEAT_NODROP } from "../kernel/constants.ts";
import * as constants from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { test } from "./_harness.ts";
import { n, runtimeCommand, tempDir, unavailable } from "./_util.ts";
import { ECANCELED, ETIME } from "../kernel/errno.ts";

function withoutForceColor(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const { FORCE_COLOR: _, ...rest } = env;
  return rest;
}

/** A child's exit code and output; never throws on a non-zero exit. */
async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; stdout: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(cmd, args, {
      encoding: "utf8",
      timeout: 30_000,
      // Plain output: NO_COLOR, and no FORCE_COLOR (which Deno honours whatever its value, even 0).
      env: { ...withoutForceColor(process.env), NO_COLOR: "1", ...env },
    });
    return { code: 0, out: stdout + stderr, stdout };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    const stdout = e.stdout ?? "";
    return { code: typeof e.code === "number" ? e.code : 1, out: stdout + (e.stderr ?? ""), stdout };
  }
}

/** Writes a script that imports the library as MOD, and returns the command that runs it in this runtime. */
function script(dir: ReturnType<typeof tempDir>, name: string, body: string): string[] {
  const file = dir.file(name, body.replaceAll("MOD", new URL("../mod.ts", import.meta.url).href));
  const [cmd, args] = runtimeCommand(file);
  return [cmd, ...args];
}

/** Compiles one of tests/_c/*.c into `dir`; returns the program's path. */
async function buildC(dir: ReturnType<typeof tempDir>, name: string, libs: string[] = []): Promise<string> {
  const source = new URL(`./_c/${name}.c`, import.meta.url).pathname;
  const program = join(dir.path, name);
  const cc = await run("gcc", ["-O1", "-Wall", "-o", program, source, ...libs]);
  assert.equal(cc.code, 0, cc.out);
  return program;
}

const isRoot = process.getuid?.() === 0;
const tools = async (...names: string[]) =>
  (await run("sh", ["-c", names.map((n) => `command -v ${n}`).join(" && ")])).code === 0;
const haveGcc = await tools("gcc");
const haveLiburingDev = existsSync("/usr/include/liburing.h");
const canDropCaps = isRoot && await tools("prlimit", "setpriv");

// ---- the CQ, flooded -------------------------------------------------------------------------------

const FLOOD_RINGS: [string, IoRingOptions][] = [
  ["a plain ring", { entries: 4, cqEntries: 4 }],
  ["a deferTaskrun ring", { entries: 4, cqEntries: 4, singleIssuer: true, deferTaskrun: true }],
  ["an SQPOLL ring", { entries: 4, cqEntries: 4, sqpoll: true }],
];

for (const [name, options] of FLOOD_RINGS) {
  test(
    `${name} with a 4-entry CQ: 2,000 timeouts firing at once and 2,000 NOPs each settle with their own result`,
    async () => {
      await using ring = new IoRing(options);
      assert.equal(ring.cqEntries, 4);
      assert.notEqual(ring.features & IORING_FEAT_NODROP, 0, "the kernel keeps overflowed completions");
      const outcomes: Promise<unknown>[] = [];
      for (let i = 0; i < 4000; i++) {
        const p = i % 2 === 0 ? ring.timeout(1) : ring.nop();
        // Each promise gets its own op's result: a completion routed to another slot would show here.
        outcomes.push(p.then((value) => assert.equal(value, i % 2 === 0 ? true : 0, `op ${i}`)));
      }
      await Promise.all(outcomes);
      assert.equal(ring.inflight, 0);
      assert.equal(await ring.nop(), 0, "the ring is usable afterwards");
    },
    { skip: unavailable(options), timeout: 30_000 },
  );
}

test("completions that pile up while nobody reaps overflow into the kernel and all come out, once", async () => {
  await using ring = new IoRing({ entries: 4, cqEntries: 4 });
  // 64 low-level timeouts and 64 promise timeouts of 1 ms, submitted, then nothing reaps for 50 ms: all
  // 128 fire into a CQ of 4, so 124 wait on the kernel's overflow list.
  for (let i = 0; i < 64; i++) {
    ring.prepare(new Timeout(1), i);
    if (i % 4 === 3) ring.submit();
  }
  const promised = Array.from({ length: 64 }, () => ring.timeout(1));
  ring.submit();
  const start = Date.now();
  while (Date.now() - start < 50) { /* block the event loop: no reaping */ }
  const seen = new Map<number, number>();
  for await (const cqe of ring.completions({ stopWhenIdle: true })) {
    assert.equal(cqe.res, -ETIME);
    seen.set(cqe.userData, (seen.get(cqe.userData) ?? 0) + 1);
  }
  assert.equal(seen.size, 64);
  assert.ok([...seen.values()].every((count) => count === 1));
  assert.deepEqual(await Promise.all(promised), Array(64).fill(true));
  assert.equal(ring.inflight, 0);
});

test("a flood mixing low-level timeouts, their cancels and promise NOPs in a 4-entry CQ loses nothing", async () => {
  await using ring = new IoRing({ entries: 4, cqEntries: 4 });
  const total = 600;
  // Even user data: a 10 s timeout; odd: the ASYNC_CANCEL of the timeout just before it.
  for (let i = 0; i < total; i += 2) {
    ring.prepare(new Timeout(10_000), i);
    ring.prepare(new AsyncCancel({ userData: i }), i + 1);
  }
  const nops = Array.from({ length: total }, () => ring.nop());
  const results = new Map<number, number[]>();
  for await (const cqe of ring.completions({ stopWhenIdle: true })) {
    results.set(cqe.userData, [...(results.get(cqe.userData) ?? []), cqe.res]);
  }
  assert.equal(results.size, total, "one completion per user data");
  for (let i = 0; i < total; i += 2) {
    assert.deepEqual(results.get(i), [-ECANCELED], `timeout ${i} was cancelled`);
    assert.deepEqual(results.get(i + 1), [0], `cancel ${i + 1} found its timeout`);
  }
  assert.deepEqual(await Promise.all(nops), Array(total).fill(0));
  assert.equal(ring.inflight, 0);
});

// ---- the SQ, full ----------------------------------------------------------------------------------

test("prepare() beyond the SQ's size submits what is queued to make room, and nothing is lost", async () => {
  await using ring = new IoRing({ entries: 4 });
  const nop = new Nop();
  let mostQueued = 0;
  for (let i = 0; i < 1000; i++) {
    ring.prepare(nop, i);
    mostQueued = Math.max(mostQueued, ring.queued);
  }
  assert.ok(mostQueued <= 4, `never more queued than the SQ holds (${mostQueued})`);
  const seen = new Set<number>();
  for await (const cqe of ring.completions({ stopWhenIdle: true })) {
    assert.ok(!seen.has(cqe.userData), `user data ${cqe.userData} twice`);
    seen.add(cqe.userData);
  }
  assert.equal(seen.size, 1000);
});

test("a chain longer than the SQ is a RangeError before anything is queued; one that fits goes out whole", async () => {
  await using ring = new IoRing({ entries: 4 });
  const pending = [ring.nop(), ring.nop(), ring.nop()]; // the SQ is 3/4 full
  const refused = ring.link(Array.from({ length: 5 }, () => new Nop()));
  assert.equal(ring.queued, 3, "the refused chain queued nothing");
  await assert.rejects(refused, {
    name: "RangeError",
    message: "Cannot queue 5 linked SQEs: the SQ has 4 entries",
  });
  ring.prepare(new Nop(), 1); // low-level work keeps the SQ three-quarters full again
  ring.prepare(new Nop(), 2);
  ring.prepare(new Nop(), 3);
  assert.equal(ring.queued, 3);
  // Four linked NOPs do not fit beside three queued ones: the queued ones are submitted first.
  const chain = await ring.link(Array.from({ length: 4 }, () => new Nop()));
  assert.deepEqual(chain.map((r) => r.status), Array(4).fill("fulfilled"));
  assert.deepEqual(await Promise.all(pending), [0, 0, 0]);
  const low: number[] = [];
  for await (const cqe of ring.completions({ stopWhenIdle: true })) low.push(cqe.userData);
  assert.deepEqual(low, [1, 2, 3]);
});

test("an op with a timeout needs two SQEs: a 1-entry SQ refuses it clearly, a 2-entry SQ runs it", async () => {
  {
    await using ring = new IoRing({ entries: 1 });
    await assert.rejects(ring.nop({ timeout: 1000 }), /Cannot queue 2 linked SQEs: the SQ has 1 entries/);
    assert.equal(await ring.nop(), 0);
  }
  await using ring = new IoRing({ entries: 2 });
  const ops = Array.from({ length: 20 }, () => ring.nop({ timeout: 1000 }));
  assert.deepEqual(await Promise.all(ops), Array(20).fill(0));
});

// ---- an opcode this kernel lacks ----------------------------------------------------------------------

const supported = (() => {
  using ring = new IoRing();
  return ring.probe().supported;
})();
const missing = Object.entries(constants).find(([key, value]) =>
  key.startsWith("IORING_OP_") && key !== "IORING_OP_LAST" && typeof value === "number" &&
  !supported.has(value)
) as [string, number] | undefined;

/** A NOP-shaped op with an opcode the kernel does not know. */
class Unsupported extends OpBase {
  readonly name = "future_op";
  readonly opcode: number = missing?.[1] ?? 255;
  readonly since = "9.9";
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(this.opcode, -1, 0, 0, 0);
  }
}

test("an op whose opcode the probe does not list is refused, naming the opcode and the Linux it needs", async () => {
  await using ring = new IoRing();
  const label = missing?.[0] ?? "opcode 255";
  const expected = (e: IoRingError) => {
    assert.ok(e instanceof IoRingError);
    assert.equal(e.code, "EOPNOTSUPP");
    assert.equal(e.op, "future_op");
    assert.ok(
      e.message.includes(`${label} needs Linux 9.9 or later; this kernel's io_uring lacks it`),
      e.message,
    );
    return true;
  };
  await assert.rejects(ring.run(new Unsupported()), expected);
  assert.throws(() => ring.prepare(new Unsupported(), 1), expected);
  await assert.rejects(ring.link([new Nop(), new Unsupported()]), expected);
  assert.equal(ring.queued, 0, "nothing of the refused chain was queued");
  assert.equal(ring.inflight, 0);
  assert.equal(await ring.nop(), 0);
});

// ---- io_uring refused -----------------------------------------------------------------------------

const UNCAUGHT = `
  import { IoRing } from "MOD";
  const ring = new IoRing();
  console.log("nop=" + await ring.nop());
`;

for (
  const [errno, name, reason] of [[1, "EPERM", /seccomp filter/], [38, "ENOSYS", /seccomp filter/]] as const
) {
  test(
    `io_uring refused by a seccomp filter with ${name}: new IoRing() throws IoUringUnavailableError saying so`,
    async () => {
      const dir = tempDir();
      try {
        const wrapper = await buildC(dir, "seccomp_exec");
        const child = await run(wrapper, [String(errno), ...script(dir, "uncaught.ts", UNCAUGHT)]);
        assert.match(
          child.out,
          new RegExp(`io_uring_setup now returns -1, errno ${errno}`),
          "the filter is in",
        );
        assert.equal(child.code, 1, child.out);
        assert.match(child.out, /IoUringUnavailableError: io_uring is not available:/);
        assert.match(child.out, new RegExp(`io_uring_setup failed with ${name}`));
        assert.match(child.out, reason);
        assert.match(child.out, /allow io_uring_setup, io_uring_enter and io_uring_register/);
        assert.doesNotMatch(child.out, /nop=/);
        assert.doesNotMatch(child.out, /Segmentation|SIGSEGV|panic/i);
        // The error is an ordinary catchable error too.
        const caught = await run(wrapper, [
          String(errno),
          ...script(
            dir,
            "caught.ts",
            `import { IoRing, IoUringUnavailableError } from "MOD";
           try { new IoRing(); } catch (e) { console.log(String(e instanceof IoUringUnavailableError) + " " + e.attempts.length); }`,
          ),
        ]);
        assert.equal(caught.code, 0, caught.out);
        // Both native paths are tried, unless IORING_NATIVE (inherited by the child) forces one.
        const paths = process.env.IORING_NATIVE ? 1 : 2;
        assert.match(caught.stdout, new RegExp(`^true ${paths}$`, "m"), "every native path was tried");
      } finally {
        dir.remove();
      }
    },
    { skip: haveGcc ? false : "needs gcc to build the seccomp wrapper", timeout: 40_000 },
  );
}

const DISABLED = "/proc/sys/kernel/io_uring_disabled";
const canToggleDisabled = (() => {
  if (!canDropCaps) return "needs root with prlimit and setpriv";
  if (!existsSync(DISABLED)) return "this kernel has no io_uring_disabled sysctl (6.6+)";
  if (readFileSync(DISABLED, "utf8").trim() !== "0") {
    return "io_uring_disabled is already set on this machine";
  }
  return false;
})();

test(
  "io_uring_disabled = 1 refuses a child without CAP_SYS_ADMIN, and the error names the sysctl",
  async () => {
    // Set to 1 (not 2) so that processes with CAP_SYS_ADMIN, this one and anything else running as root,
    // keep io_uring for the instant the sysctl is set; it is put back before the test ends.
    const dir = tempDir();
    writeFileSync(DISABLED, "1");
    try {
      const child = await run("setpriv", [
        "--bounding-set",
        "-sys_admin",
        "--inh-caps",
        "-sys_admin",
        ...script(dir, "uncaught.ts", UNCAUGHT),
      ]);
      assert.equal(child.code, 1, child.out);
      assert.match(child.out, /IoUringUnavailableError/);
      assert.match(
        child.out,
        /io_uring_setup failed with EPERM: io_uring is limited to CAP_SYS_ADMIN and the io_uring_group .*io_uring_disabled = 1/,
      );
      using ring = new IoRing(); // root keeps it meanwhile
      assert.equal(await ring.nop(), 0);
    } finally {
      writeFileSync(DISABLED, "0");
      dir.remove();
    }
    assert.equal(readFileSync(DISABLED, "utf8").trim(), "0");
  },
  { skip: canToggleDisabled, timeout: 30_000 },
);

// ---- RLIMIT_MEMLOCK -------------------------------------------------------------------------------

const MEMLOCK = `
  import { IoRing } from "MOD";
  const ring = new IoRing({ entries: 4 });
  const attempt = (label, size) => {
    try { ring.registerBuffers([new Uint8Array(size)]); console.log(label + "=ok"); ring.unregisterBuffers(); }
    catch (error) { console.log(label + "=" + error.code + " " + error.message); }
  };
  attempt("big", 1 << 20);
  attempt("small", 4096);
  console.log("nop=" + await ring.nop());
  attempt("big_again", 1 << 20);
  await ring.close();
`;

test(
  "over RLIMIT_MEMLOCK without CAP_IPC_LOCK a registration fails naming the limit; the ring stays usable",
  async () => {
    const dir = tempDir();
    try {
      const limited = await run("prlimit", [
        "--memlock=65536:65536",
        "setpriv",
        "--bounding-set",
        "-ipc_lock",
        "--inh-caps",
        "-ipc_lock",
        ...script(dir, "memlock.ts", MEMLOCK),
      ]);
      assert.equal(limited.code, 0, limited.out);
      assert.match(limited.stdout, /^big=ENOMEM .*RLIMIT_MEMLOCK is too low.*ulimit -l/m);
      assert.match(limited.stdout, /^small=ok$/m, "a registration within the limit still works");
      assert.match(limited.stdout, /^nop=0$/m);
      assert.match(limited.stdout, /^big_again=ENOMEM /m, "nothing leaked from the limit, nothing gained");
      // Root keeps CAP_IPC_LOCK by default, and the kernel then charges nothing against the limit.
      const root = await run("prlimit", ["--memlock=65536:65536", ...script(dir, "memlock.ts", MEMLOCK)]);
      assert.match(root.stdout, /^big=ok$/m, root.out);
    } finally {
      dir.remove();
    }
  },
  { skip: canDropCaps ? false : "needs root with prlimit and setpriv to run a child without CAP_IPC_LOCK" },
);

// ---- fork, exec and privilege drops -----------------------------------------------------------------

test("the ring fd is close-on-exec: a child process never inherits a ring", async () => {
  await using ring = new IoRing();
  const F_GETFD = 1, FD_CLOEXEC = 1;
  assert.equal(n.fcntl(ring.fd, F_GETFD, 0) & FD_CLOEXEC, FD_CLOEXEC);
  const child = await run("sh", ["-c", "ls -l /proc/self/fd/"]);
  assert.equal(child.code, 0, child.out);
  assert.doesNotMatch(child.out, /io_uring/);
  assert.match(
    (await run("sh", ["-c", `ls -l /proc/${process.pid}/fd/`])).out,
    /anon_inode:\[io_uring\]/,
    "the check would see a ring",
  );
});

test(
  "a forked child shares its parent's ring: its completions land in the parent's CQ (C, liburing)",
  async () => {
    const dir = tempDir();
    try {
      const program = await buildC(dir, "fork_ring", ["-luring"]);
      const child = await run(program, []);
      assert.equal(child.code, 0, child.out);
      const found = Object.fromEntries(child.stdout.trim().split("\n").map((line) => line.split("=", 2)));
      assert.equal(found.cloexec, "1");
      assert.equal(found.child_nop, "ok", "the child can submit on the inherited ring");
      assert.equal(found.parent_sees_child, "user_data 42 res 0");
      assert.ok(
        found.child_registered !== undefined && found.child_registered !== "ok",
        `a registered ring fd does not survive fork: the child reported ${found.child_registered}`,
      );
      assert.equal(
        found.child_single_issuer,
        "File exists",
        "a SINGLE_ISSUER ring refuses the child (EEXIST)",
      );
    } finally {
      dir.remove();
    }
  },
  { skip: haveGcc && haveLiburingDev ? false : "needs gcc and liburing-dev" },
);

const SETUID = `
  import process from "node:process";
  import { IoRing, IOSQE_ASYNC, Openat } from "MOD";
  const file = process.argv.at(-1);
  const plain = new IoRing();
  const sqpoll = new IoRing({ sqpoll: true, sqThreadIdle: 1000 });
  const rootPersonality = plain.registerPersonality();
  const open = async (label, ring, op) => {
    try { const fd = await ring.run(op); await ring.close(fd); console.log(label + "=ok"); }
    catch (error) { console.log(label + "=" + error.code); }
  };
  await open("before", plain, new Openat(file));
  process.setuid(65534);
  console.log("uid=" + process.getuid());
  await open("plain", plain, new Openat(file));
  await open("plain_async", plain, new Openat(file).flags(IOSQE_ASYNC));
  await open("sqpoll", sqpoll, new Openat(file));
  const mine = sqpoll.registerPersonality();
  await open("sqpoll_personality", sqpoll, new Openat(file).personality(mine));
  await open("root_personality", plain, new Openat(file).personality(rootPersonality));
  await plain.close();
  await sqpoll.close();
`;

test(
  "after setuid, SQPOLL rings and earlier personalities still act as root; plain rings do not",
  async () => {
    const dir = tempDir();
    try {
      chmodSync(dir.path, 0o755);
      const secret = dir.file("secret", "root only");
      chmodSync(secret, 0o600);
      const [cmd, ...args] = script(dir, "setuid.ts", SETUID);
      const child = await run(cmd, [...args, secret]);
      assert.equal(child.code, 0, child.out);
      const found = Object.fromEntries(child.stdout.trim().split("\n").map((line) => line.split("=", 2)));
      assert.equal(found.before, "ok");
      assert.equal(found.uid, "65534");
      assert.equal(found.plain, "EACCES", "inline ops run with the submitter's current credentials");
      assert.equal(found.plain_async, "EACCES", "io-wq ops take the submitter's credentials at submission");
      assert.equal(found.sqpoll, "ok", "the SQ thread keeps the ring creator's credentials (CVE-2024-22017)");
      assert.equal(found.sqpoll_personality, "EACCES", "a personality registered after the drop confines it");
      assert.equal(found.root_personality, "ok", "a personality registered before the drop keeps root");
    } finally {
      dir.remove();
    }
  },
  { skip: isRoot ? (unavailable({ sqpoll: true }) || false) : "needs root to drop privileges with setuid" },
);
