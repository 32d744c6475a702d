// The whole gate, in both runtimes and both native paths: static checks, then
// `deno test` and `bun test` with IORING_NATIVE=liburing and =libc. Prints each
// step's output as it runs and ends with one line, "N passed, N failed",
// summing every runner (a static check counts as one test).
import { spawn } from "node:child_process";
import process from "node:process";

const ANSI = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");
const bin = (name) => (name === "deno" ? "node_modules/deno/deno" : `node_modules/.bin/${name}`);
const only = process.argv[2]; // "deno", "bun" or "static": run one part

const steps = [];
const check = (name, cmd, args) => steps.push({ name, cmd, args, kind: "check", part: "static" });
const suite = (name, cmd, args, native, kind) =>
  steps.push({ name, cmd, args, kind, part: kind, env: { IORING_NATIVE: native } });

check("deno fmt --check", bin("deno"), ["fmt", "--check"]);
check("deno lint", bin("deno"), ["lint"]);
check("deno check", bin("deno"), [
  "check",
  "mod.ts",
  "http/",
  "serve.ts",
  "_serve_worker.ts",
  "tests/",
  "examples/",
  "scripts/",
]);
check("tsc --noEmit (bun-types)", bin("tsc"), ["-p", "tsconfig.json"]);
check("deno publish --dry-run", bin("deno"), ["publish", "--dry-run", "--allow-dirty"]);
check("deno doc --lint (every export documented)", bin("deno"), [
  "doc",
  "--lint",
  "mod.ts",
  "serve.ts",
  "http/mod.ts",
]);
check("JSDoc examples (deno test --doc)", bin("deno"), [
  "test",
  "-A",
  "--doc",
  "mod.ts",
  "kernel/",
  "util/",
  "ffi/",
  "memory/",
  "sqe/",
  "ring/",
  "ops/",
  "facade/",
  "files/",
  "http/",
  "serve.ts",
]);
for (const native of ["liburing", "libc"]) {
  suite(
    `deno test (${native})`,
    bin("deno"),
    ["test", "-A", "--v8-flags=--expose-gc", "tests/"],
    native,
    "deno",
  );
  suite(`bun test (${native})`, bin("bun"), ["test", "tests/"], native, "bun");
}

function run(step) {
  return new Promise((resolve) => {
    const child = spawn(step.cmd, step.args, {
      env: { ...process.env, ...step.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const tee = (stream, sink) =>
      stream.on("data", (chunk) => {
        output += chunk;
        sink.write(chunk);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    // deno colours its summary even with NO_COLOR when piped through some terminals: strip it.
    child.on("close", (code) => resolve({ code: code ?? 1, output: output.replace(ANSI, "") }));
    child.on("error", (error) => resolve({ code: 1, output: String(error) }));
  });
}

function count(kind, output, code) {
  const number = (re) => Number(output.match(re)?.[1] ?? 0);
  if (kind === "deno") {
    const summary = [
      ...output.matchAll(
        /^(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?(?: \| (\d+) ignored)?/gm,
      ),
    ]
      .at(-1);
    if (summary === undefined) return { passed: 0, failed: 1, skipped: 0 };
    return {
      passed: Number(summary[1]),
      failed: Number(summary[3]) || (code === 0 ? 0 : 1),
      skipped: Number(summary[5] ?? 0),
    };
  }
  if (kind === "bun") {
    const passed = number(/^\s*(\d+) pass$/m);
    const failed = number(/^\s*(\d+) fail$/m);
    const skipped = number(/^\s*(\d+) skip$/m);
    if (passed + failed === 0) return { passed: 0, failed: 1, skipped };
    return { passed, failed: failed || (code === 0 ? 0 : 1), skipped };
  }
  return code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const step of steps) {
  if (only !== undefined && step.part !== only) continue;
  process.stdout.write(`\n=== ${step.name}\n`);
  const { code, output } = await run(step);
  const c = count(step.kind, output, code);
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
  lines.push(
    `${
      code === 0 && c.failed === 0 ? "ok  " : "FAIL"
    } ${step.name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`,
  );
}
process.stdout.write(`\n${lines.join("\n")}\n\n`);
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(totals.failed === 0 ? 0 : 1);
