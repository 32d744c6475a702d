// The native layer: both paths, the IORING_NATIVE switch, and one clear error when nothing works.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { IoRing } from "../mod.ts";
import { test } from "./_harness.ts";
import { runtimeCommand, tempDir } from "./_util.ts";

function runWith(env: Record<string, string>, body: string): { status: number | null; out: string } {
  const dir = tempDir();
  try {
    const script = join(dir.path, "probe.ts");
    writeFileSync(script, body.replaceAll("MOD", new URL("../mod.ts", import.meta.url).href));
    const [cmd, args] = runtimeCommand(script);
    const result = spawnSync(cmd, args, {
      encoding: "utf8",
      timeout: 15_000,
      env: { ...process.env, ...env },
    });
    return { status: result.status, out: result.stdout + result.stderr };
  } finally {
    dir.remove();
  }
}

const PROBE = `
  import { IoRing } from "MOD";
  try {
    const ring = new IoRing();
    console.log("path=" + ring.nativePath, "nop=" + await ring.nop());
    await ring.close();
  } catch (error) {
    console.log("error=" + error.name);
    console.log(error.message);
  }
`;

for (const path of ["liburing", "libc"]) {
  test(`IORING_NATIVE=${path} runs the ring through ${path}`, () => {
    const { status, out } = runWith({ IORING_NATIVE: path }, PROBE);
    assert.equal(status, 0, out);
    assert.match(out, new RegExp(`path=${path} nop=0`));
  });
}

// The installed liburing.so.2, which a child in a mount namespace of its own can have hidden.
const installedLiburing = [
  "/usr/lib/x86_64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
  "/usr/lib64",
  "/usr/lib",
]
  .map((dir) => join(dir, "liburing.so.2"))
  .find((file) => existsSync(file));
const canUnshare = spawnSync("unshare", ["-m", "true"]).status === 0;

test("a missing liburing falls back to libc's syscall(2)", () => {
  // IORING_LIBURING naming a missing file is an error (tests/user_errors_test.ts), so liburing.so.2 itself is
  // hidden: an empty file is bind-mounted over it in the child's own mount namespace.
  const dir = tempDir();
  try {
    const script = join(dir.path, "probe.ts");
    writeFileSync(script, PROBE.replaceAll("MOD", new URL("../mod.ts", import.meta.url).href));
    const [cmd, args] = runtimeCommand(script);
    const result = spawnSync("unshare", [
      "-m",
      "sh",
      "-c",
      'mount --bind /dev/null "$0" && exec "$@"',
      realpathSync(installedLiburing!),
      "env",
      "-u",
      "IORING_NATIVE",
      "-u",
      "IORING_LIBURING",
      cmd,
      ...args,
    ], { encoding: "utf8", timeout: 15_000 });
    const out = result.stdout + result.stderr;
    assert.equal(result.status, 0, out);
    assert.match(out, /path=libc nop=0/);
  } finally {
    dir.remove();
  }
}, {
  skip: installedLiburing === undefined
    ? "liburing.so.2 is not installed"
    : canUnshare
    ? false
    : "needs unshare -m (root) to hide liburing.so.2 from a child",
});

test("when no path works, one error lists every path tried and why", () => {
  const { status, out } = runWith({
    IORING_NATIVE: "liburing",
    IORING_LIBURING: "/nonexistent/liburing.so.2",
  }, PROBE);
  assert.equal(status, 0, out);
  assert.match(out, /error=IoUringUnavailableError/);
  assert.match(out, /io_uring is not available:/);
  assert.match(out, /liburing \(\/nonexistent\/liburing\.so\.2\): cannot open/);
});

test("a library without the raw io_uring calls is reported as too old", () => {
  // libm has none of liburing's symbols: it stands in for a liburing older than 2.3.
  const { out } = runWith({ IORING_NATIVE: "liburing", IORING_LIBURING: "libm.so.6" }, PROBE);
  assert.match(out, /liburing \(libm\.so\.6\): too old/);
});

test("an unknown IORING_NATIVE value is a TypeError naming the value", () => {
  const { out } = runWith({ IORING_NATIVE: "windows" }, PROBE);
  assert.match(out, /error=TypeError/);
  assert.match(out, /IORING_NATIVE must be "liburing" or "libc": current value is "windows"/);
});

test("this process uses the path the suite asked for", () => {
  using ring = new IoRing();
  const asked = process.env.IORING_NATIVE;
  if (asked) assert.equal(ring.nativePath, asked);
  else assert.equal(ring.nativePath, "liburing");
});

const dropsIpcLock = process.getuid?.() === 0 &&
  spawnSync("sh", ["-c", "command -v prlimit && command -v setpriv"]).status === 0;

test("when the ring's memory is over RLIMIT_MEMLOCK, the error names the limit and how to raise it", () => {
  const dir = tempDir();
  try {
    const script = join(dir.path, "probe.ts");
    writeFileSync(script, PROBE.replaceAll("MOD", new URL("../mod.ts", import.meta.url).href));
    const [cmd, args] = runtimeCommand(script);
    const child = spawnSync(
      "prlimit",
      ["--memlock=0:0", "setpriv", "--bounding-set", "-ipc_lock", "--inh-caps", "-ipc_lock", cmd, ...args],
      { encoding: "utf8", timeout: 15_000 },
    );
    assert.match(child.stdout + child.stderr, /io_uring_setup failed with ENOMEM: RLIMIT_MEMLOCK is too low/);
  } finally {
    dir.remove();
  }
}, {
  skip: dropsIpcLock ? false : "needs root with prlimit and setpriv to run a child without CAP_IPC_LOCK",
});
