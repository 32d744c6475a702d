// The file server command: its arguments, and a real run serving a directory with its access log.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import process from "node:process";
import { parseServeArgs } from "../http/_cli.ts";
import { test } from "./_harness.ts";
import { runtimeCommand, tempDir } from "./_util.ts";

const script = new URL("../serve.ts", import.meta.url).pathname;

test("arguments: the last --port wins, --port=N works, PORT is the default, bad values are errors", () => {
  assert.equal((parseServeArgs(["--port", "1", "--port", "2"]) as { port: number }).port, 2);
  assert.equal((parseServeArgs(["--port=3"]) as { port: number }).port, 3);
  assert.equal((parseServeArgs([], "4") as { port: number }).port, 4);
  assert.equal((parseServeArgs(["--port", "5"], "4") as { port: number }).port, 5);
  assert.equal((parseServeArgs([]) as { port: number }).port, 8080);
  assert.match((parseServeArgs(["--port", "x"]) as { error: string }).error, /--port must be an integer/);
  assert.match((parseServeArgs(["--bogus"]) as { error: string }).error, /unknown option --bogus/);
  assert.match((parseServeArgs(["a", "b"]) as { error: string }).error, /one directory/);
  assert.match((parseServeArgs(["--workers", "0"]) as { error: string }).error, /--workers/);
  const parsed = parseServeArgs(["public", "--dotfiles", "--cors", "--quiet", "--no-dir-listing"]);
  assert.deepEqual(
    [
      (parsed as { root: string }).root,
      (parsed as { showDotfiles: boolean }).showDotfiles,
      (parsed as { cors: boolean }).cors,
      (parsed as { log: boolean }).log,
      (parsed as { showDirListing: boolean }).showDirListing,
    ],
    ["public", true, true, false, false],
  );
});

test("--help prints the usage and exits 0; an unknown option exits 2 with the usage", () => {
  const [cmd, args] = runtimeCommand(script);
  const help = spawnSync(cmd, [...args, "--help"], { encoding: "utf8", timeout: 20_000 });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: serve\.ts \[DIR\] \[options\]/m);
  assert.match(help.stdout, /--port N/);
  const bad = spawnSync(cmd, [...args, "--bogus"], { encoding: "utf8", timeout: 20_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option --bogus/);
});

/** Starts the command; resolves with the child, its port, and its output so far (a live view). */
async function startCommand(extra: string[], env: Record<string, string> = {}) {
  const [cmd, args] = runtimeCommand(script);
  const child: ChildProcess = spawn(cmd, [...args, ...extra], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { text: "" };
  child.stdout!.on("data", (chunk) => (out.text += chunk));
  child.stderr!.on("data", (chunk) => (out.text += chunk));
  const deadline = Date.now() + 20_000;
  while (!/on http:\/\/127\.0\.0\.1:(\d+)\//.test(out.text)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`serve.ts did not start: ${out.text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const port = Number(/on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out.text)![1]);
  // Deno's child_process reports the signal it sent even when the child handled it and exited 0: the
  // graceful end shows in the output ("stopped").
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.once("exit", (code, signal) => resolve(code === null && signal === "SIGTERM" ? 0 : code));
      child.kill("SIGTERM");
    });
  return { port, out, stop };
}

test("the command hides dotfiles, logs each response in the combined format, and stops on SIGTERM", async () => {
  const dir = tempDir();
  dir.file("index.html", "<h1>hi</h1>\n");
  dir.file(".env", "SECRET=1\n");
  mkdirSync(`${dir.path}/.git`);
  dir.file(".git/config", "[core]\n");
  const server = await startCommand([dir.path, "--port", "1", "--port", "0"], { PORT: "9" });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    assert.equal((await fetch(`${base}/index.html`)).status, 200);
    for (const path of ["/.env", "/.git/config", "/.git/", "/%2eenv"]) {
      const response = await fetch(`${base}${path}`);
      await response.body?.cancel();
      assert.equal(response.status, 404, path);
    }
    const deadline = Date.now() + 5000;
    while ((server.out.text.match(/HTTP\/1\.1" /g) ?? []).length < 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(
      server.out.text,
      /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/index\.html HTTP\/1\.1" 200 12 "-" "[^"]*" \d+\.\d{2}ms$/m,
    );
    assert.match(server.out.text, /"GET \/\.env HTTP\/1\.1" 404 /);
  } finally {
    assert.equal(await server.stop(), 0);
    dir.remove();
  }
  assert.match(server.out.text, /shutting down[^]*\nstopped\n$/);
});

test("the command with --dotfiles serves them; with --quiet it logs nothing per response", async () => {
  const dir = tempDir();
  dir.file(".env", "SECRET=1\n");
  const server = await startCommand([dir.path, "--port", "0", "--dotfiles", "--quiet"]);
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/.env`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "SECRET=1\n");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.doesNotMatch(server.out.text, /HTTP\/1\.1" /);
  } finally {
    assert.equal(await server.stop(), 0);
    dir.remove();
  }
});
