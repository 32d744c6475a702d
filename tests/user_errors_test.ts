// Errors that point at the user: a mistake in what the caller gave (an fd not awaited, a port in use, an
// environment variable that names a missing file or cannot be read) is reported with what was given and what
// to do, and a listener whose ring closes simply stops.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  Accept,
  AsyncCancel,
  Close,
  connect,
  IoRing,
  IoRingError,
  listen,
  Openat,
  Read,
  Recv,
  Splice,
  TcpConn,
  TcpListener,
  Write,
} from "../mod.ts";
import { bindAndListen } from "../net/_listen.ts";
import { AF_INET, SOCK_STREAM } from "../kernel/constants.ts";
import { EBADF, ECONNREFUSED } from "../kernel/errno.ts";
import { test } from "./_harness.ts";
import { n, needsOps, tempDir } from "./_util.ts";
import { IORING_OP_BIND, IORING_OP_LISTEN, IORING_OP_SOCKET } from "../kernel/constants.ts";

const F_GETFD = 1;

const FORGOT_AWAIT = { name: "TypeError", message: /did you forget await\?/ };

// ---------------------------------------------------------------------------------------------------------
// 1. A Promise where a descriptor belongs

test("a Promise given to a builder as its fd is a TypeError asking 'did you forget await?'", () => {
  const fd = Promise.resolve(3) as unknown as number; // what `ring.openat(path)` without await gives
  const buffer = new Uint8Array(8);
  const builds: [string, () => unknown][] = [
    ["Read", () => new Read(fd, buffer)],
    ["Write", () => new Write(fd, buffer)],
    ["Close", () => new Close(fd)],
    ["Recv", () => new Recv(fd, buffer)],
    ["Accept", () => new Accept(fd)],
    ["Splice", () => new Splice(fd, 1, 8)],
    ["Openat (dirfd)", () => new Openat("x", { dirfd: fd })],
    ["AsyncCancel", () => new AsyncCancel({ fd })],
  ];
  for (const [name, build] of builds) assert.throws(build, FORGOT_AWAIT, name);
  assert.throws(() => new Read(fd, buffer), {
    message: "Cannot read fd Promise: fd must be a file descriptor or a FixedFile: current value is a " +
      "Promise: did you forget await?",
  });
});

test("a ring method given an fd that was not awaited rejects with the same TypeError, queueing nothing", async () => {
  await using ring = new IoRing({ entries: 8 });
  const opened = ring.openat("/etc/hostname");
  const fd = opened as unknown as number;
  const buffer = new Uint8Array(8);
  await assert.rejects(ring.read(fd, buffer), FORGOT_AWAIT);
  await assert.rejects(ring.write(fd, buffer), FORGOT_AWAIT);
  await assert.rejects(ring.recv(fd, buffer), FORGOT_AWAIT);
  await assert.rejects(ring.accept(fd), FORGOT_AWAIT);
  await assert.rejects(ring.close(fd), FORGOT_AWAIT);
  await assert.rejects(ring.cancelFd(fd), FORGOT_AWAIT);
  assert.throws(() => ring.cancelSync(fd), FORGOT_AWAIT);
  assert.equal(ring.queued, 0);
  await ring.close(await opened);
});

test("a connection or listener wrapped around an fd that was not awaited is the same TypeError", async () => {
  await using ring = new IoRing({ entries: 8 });
  const fd = Promise.resolve(0) as unknown as number;
  assert.throws(() => new TcpConn(ring, fd), FORGOT_AWAIT);
  assert.throws(() => new TcpListener(ring, fd), FORGOT_AWAIT);
});

// ---------------------------------------------------------------------------------------------------------
// 2. Addresses in bind, listen and connect errors

const netSkip = needsOps(IORING_OP_SOCKET);

test("listen on a TCP address in use names the host and port (EADDRINUSE)", async () => {
  await using ring = new IoRing({ entries: 16 });
  await using first = await listen(ring, { hostname: "127.0.0.1", port: 0 });
  const port = first.addr.port;
  await assert.rejects(listen(ring, { hostname: "127.0.0.1", port }), (error: unknown) => {
    assert.ok(error instanceof IoRingError, String(error));
    assert.equal(error.code, "EADDRINUSE");
    assert.equal(error.op, "bind");
    assert.match(error.message, new RegExp(`: cannot listen on 127\\.0\\.0\\.1:${port}$`));
    return true;
  });
}, { skip: netSkip });

for (const viaRing of [true, false]) {
  test(`bind through ${viaRing ? "the ring" : "bind(2)"} names the address it could not take`, async () => {
    await using ring = new IoRing({ entries: 16 });
    await using first = await listen(ring, { hostname: "127.0.0.1", port: 0 });
    const port = first.addr.port;
    const fd = await ring.socket(AF_INET, SOCK_STREAM);
    try {
      await assert.rejects(
        bindAndListen(ring, fd, { family: "ipv4", address: "127.0.0.1", port }, 16, viaRing),
        (error: unknown) => {
          assert.ok(error instanceof IoRingError, String(error));
          assert.equal(error.code, "EADDRINUSE");
          assert.equal(error.fd, fd);
          assert.equal(
            error.message,
            `bind (fd ${fd}) failed: EADDRINUSE (Address already in use): cannot listen on 127.0.0.1:${port}`,
          );
          return true;
        },
      );
    } finally {
      await ring.close(fd);
    }
  }, {
    skip: netSkip || (viaRing ? needsOps(IORING_OP_BIND, IORING_OP_LISTEN) : false),
  });
}

test("listen on a Unix socket path that exists names the path (EADDRINUSE)", async () => {
  const dir = tempDir();
  try {
    await using ring = new IoRing({ entries: 16 });
    const path = dir.file("taken.sock", "");
    await assert.rejects(listen(ring, { path }), (error: unknown) => {
      assert.ok(error instanceof IoRingError, String(error));
      assert.equal(error.code, "EADDRINUSE");
      assert.equal(error.path, path);
      assert.match(error.message, new RegExp(`^bind '${path}' failed: EADDRINUSE`));
      return true;
    });
  } finally {
    dir.remove();
  }
}, { skip: netSkip });

test("connect to a port nobody listens on names the host and port (ECONNREFUSED)", async () => {
  await using ring = new IoRing({ entries: 16 });
  // A port that was just free: listen on port 0, read the port, close.
  const probe = await listen(ring, { hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  await probe.close();
  await assert.rejects(connect(ring, { hostname: "127.0.0.1", port }), (error: unknown) => {
    assert.ok(error instanceof IoRingError, String(error));
    assert.equal(error.errno, ECONNREFUSED);
    assert.match(error.message, new RegExp(`: cannot connect to 127\\.0\\.0\\.1:${port}$`));
    return true;
  });
}, { skip: netSkip });

test(
  "a connection or listener used after close() is refused as closed, not sent to a reused fd number",
  async () => {
    await using ring = new IoRing({ entries: 16 });
    const listener = await listen(ring, { hostname: "127.0.0.1", port: 0 });
    const conn = await connect(ring, { hostname: "127.0.0.1", port: listener.addr.port });
    await conn.close();
    await listener.close();
    const closed = (op: string, fd: number) => ({
      name: "IoRingError",
      message: `${op} (fd ${fd}) failed: EBADF (Bad file descriptor): the connection is closed`,
    });
    await assert.rejects(conn.read(new Uint8Array(8)), closed("recv", conn.fd));
    await assert.rejects(conn.write(new Uint8Array(8)), closed("send", conn.fd));
    await assert.rejects(conn.closeWrite(), closed("shutdown", conn.fd));
    await assert.rejects(listener.accept(), {
      name: "IoRingError",
      message: `accept (fd ${listener.fd}) failed: EBADF (Bad file descriptor): the listener is closed`,
    });
  },
  { skip: netSkip },
);

test("listen and connect options of the wrong shape are TypeErrors naming the option", async () => {
  await using ring = new IoRing({ entries: 16 });
  await assert.rejects(listen(ring, null as never), {
    name: "TypeError",
    message: "Cannot listen: options must be an object: current value is null",
  });
  await assert.rejects(listen(ring, { hostname: 127 as never, port: 0 }), {
    name: "TypeError",
    message:
      'Cannot listen: hostname must be an IP address or "localhost" (no DNS here): current value is 127',
  });
  await assert.rejects(connect(ring, { hostname: "127.0.0.1", port: "8080" as never }), {
    name: "RangeError",
    message: 'Cannot connect: port must be an integer from 0 to 65535: current value is "8080"',
  });
  await assert.rejects(connect(ring, { hostname: "127.0.0.1" }), {
    name: "RangeError",
    message: "Cannot connect: port must be an integer from 0 to 65535: current value is undefined",
  });
});

// ---------------------------------------------------------------------------------------------------------
// 5. A listener whose ring closes

test("a listener's for-await loop ends quietly when its ring closes first", async () => {
  const ring = new IoRing({ entries: 16 });
  const listener = await listen(ring, { hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const loop = (async () => {
    for await (const conn of listener) {
      accepted++;
      await conn.close();
    }
    return "ended";
  })();
  const client = await connect(ring, { hostname: "127.0.0.1", port: listener.addr.port });
  for (let i = 0; i < 100 && accepted === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(accepted, 1);
  await ring.close(); // as `await using ring` does at the end of its scope, before the loop is done
  assert.equal(await loop, "ended");
  // A loop started after the ring closed ends at once, too.
  for await (const _ of listener) assert.fail("accepted on a closed ring");
  // Closing a listener or connection after its ring still lets go of the socket (close(2), as no CLOSE can
  // be queued any more).
  for (const socket of [listener, client]) {
    assert.ok(n.fcntl(socket.fd, F_GETFD, 0) >= 0);
    await socket.close();
    assert.equal(n.fcntl(socket.fd, F_GETFD, 0), -EBADF);
  }
}, { skip: netSkip });

// ---------------------------------------------------------------------------------------------------------
// 3 and 4. The native layer's environment variables, and Deno's permissions

const ROOT = new URL("..", import.meta.url).pathname;
const DENO = join(ROOT, "node_modules/deno/deno");
const BUN = join(ROOT, "node_modules/.bin/bun");
const MOD = join(ROOT, "mod.ts");

const PROBE = `
  import { IoRing } from "${MOD}";
  try {
    const ring = new IoRing();
    console.log("path=" + ring.nativePath, "nop=" + await ring.nop());
    await ring.close();
  } catch (error) {
    console.log("error=" + error.name);
    console.log(error.message);
    process.exitCode = 3;
  }
`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * env(1)'s arguments that change the environment as `env` says (undefined unsets): a child's `env` option
 * adds to the parent's environment in Deno rather than replacing it, so a variable is unset this way.
 */
function envArgs(env: Record<string, string | undefined>): string[] {
  const entries = Object.entries(env);
  return [
    ...entries.flatMap(([key, value]) => value === undefined ? ["-u", key] : []),
    ...entries.flatMap(([key, value]) => value === undefined ? [] : [`${key}=${value}`]),
  ];
}

/** Runs PROBE in a child: `deno run <flags>` or `bun`, with the environment changed by `env`. */
function probe(runtime: "deno" | "bun", flags: string[], env: Record<string, string | undefined>): Run {
  const dir = tempDir();
  try {
    const script = dir.file("probe.ts", `import process from "node:process";\n${PROBE}`);
    const command = runtime === "deno" ? [DENO, "run", ...flags, script] : [BUN, script];
    const result = spawnSync("env", [...envArgs(env), ...command], { encoding: "utf8", timeout: 15_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    dir.remove();
  }
}

const show = (run: Run) => `status ${run.status}\n${run.stdout}\n${run.stderr}`;

const RUNTIMES: ["deno" | "bun", string[]][] = [["deno", ["--allow-ffi", "--allow-env", "--no-prompt"]], [
  "bun",
  [],
]];

for (const [runtime, flags] of RUNTIMES) {
  test(`${runtime}: IORING_LIBURING naming a missing file is an error naming it, not a fall back to libc`, () => {
    const run = probe(runtime, flags, {
      IORING_NATIVE: undefined,
      IORING_LIBURING: "/nonexistent/liburing.so.2",
    });
    assert.equal(run.status, 3, show(run));
    assert.match(run.stdout, /error=IoUringUnavailableError/);
    assert.match(
      run.stdout,
      /liburing \(\/nonexistent\/liburing\.so\.2\): cannot open: .*; IORING_LIBURING names this file/,
    );
    assert.doesNotMatch(run.stdout, /path=libc/);
  });

  test(`${runtime}: IORING_LIBURING naming a library without liburing's calls is an error naming it`, () => {
    // libm has none of liburing's symbols: it stands in for a liburing older than 2.3.
    const run = probe(runtime, flags, { IORING_NATIVE: undefined, IORING_LIBURING: "libm.so.6" });
    assert.equal(run.status, 3, show(run));
    assert.match(run.stdout, /liburing \(libm\.so\.6\): too old/);
    assert.match(run.stdout, /IORING_LIBURING names this file/);
  });

  test(`${runtime}: IORING_NATIVE=libc still ignores IORING_LIBURING`, () => {
    const run = probe(runtime, flags, {
      IORING_NATIVE: "libc",
      IORING_LIBURING: "/nonexistent/liburing.so.2",
    });
    assert.equal(run.status, 0, show(run));
    assert.match(run.stdout, /path=libc nop=0/);
  });
}

const nativePath = process.env.IORING_NATIVE || undefined;

test("deno: --allow-ffi alone runs a ring from a local import (no --allow-read, --allow-env or prompt)", () => {
  const run = probe("deno", ["--allow-ffi", "--no-prompt"], {
    IORING_NATIVE: undefined,
    IORING_LIBURING: undefined,
  });
  assert.equal(run.status, 0, show(run));
  assert.match(run.stdout, /path=liburing nop=0/);
  assert.equal(run.stderr, "");
});

test("deno: --allow-ffi and --allow-env for the two variables pick the native path, with no --allow-read", () => {
  for (const path of ["liburing", "libc"]) {
    const run = probe("deno", ["--allow-ffi", "--allow-env=IORING_NATIVE,IORING_LIBURING", "--no-prompt"], {
      IORING_NATIVE: path,
      IORING_LIBURING: undefined,
    });
    assert.equal(run.status, 0, show(run));
    assert.match(run.stdout, new RegExp(`path=${path} nop=0`));
  }
});

test("deno: IORING_NATIVE set but not readable (no --allow-env) is an error saying which flag to add", () => {
  const run = probe("deno", ["--allow-ffi", "--no-prompt"], {
    IORING_NATIVE: nativePath ?? "libc",
    IORING_LIBURING: undefined,
  });
  assert.equal(run.status, 3, show(run));
  assert.match(run.stdout, /error=Error/);
  assert.match(
    run.stdout,
    /Cannot load io_uring: IORING_NATIVE is set, but Deno may not read it: run with --allow-env=IORING_NATIVE,IORING_LIBURING/,
  );
});

test("deno: IORING_LIBURING set but not readable is the same error, naming it", () => {
  const run = probe("deno", ["--allow-ffi", "--allow-env=IORING_NATIVE", "--no-prompt"], {
    IORING_NATIVE: undefined,
    IORING_LIBURING: "liburing.so.2",
  });
  assert.equal(run.status, 3, show(run));
  assert.match(run.stdout, /IORING_LIBURING is set, but Deno may not read it/);
});

const hasScript = existsSync("/usr/bin/script");

test("deno: in a terminal, --allow-ffi alone asks for no permission (no prompt for IORING_NATIVE)", () => {
  const dir = tempDir();
  try {
    const script = dir.file("probe.ts", `import process from "node:process";\n${PROBE}`);
    // script(1) gives the child a terminal, where Deno would prompt (and wait) for a permission it lacks.
    const unset = envArgs({ IORING_NATIVE: undefined, IORING_LIBURING: undefined }).join(" ");
    const result = spawnSync("script", [
      "-qec",
      `env ${unset} ${DENO} run --allow-ffi ${script}`,
      "/dev/null",
    ], {
      encoding: "utf8",
      timeout: 15_000,
      input: "",
    });
    const out = result.stdout + result.stderr;
    assert.doesNotMatch(out, /requests|Allow\?/, out);
    assert.match(out, /path=liburing nop=0/, out);
  } finally {
    dir.remove();
  }
}, { skip: hasScript ? false : "needs script(1) to give the child a terminal" });
