// Every TypeScript block in the README is a complete program, and runs: each is taken out, its
// `@ioring/ioring` imports pointed at this checkout (as deno.json's exports map them), and run in the
// runtime running the suite (Deno type-checks it first), from the project's root. A block that is only a
// fragment says so with "```ts ignore".
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { test } from "./_harness.ts";
import { tempDir } from "./_util.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const exportsMap: Record<string, string> = JSON.parse(
  readFileSync(new URL("../deno.json", import.meta.url), "utf8"),
).exports;

/** The README's ```ts blocks (not ```ts ignore), with the line each starts at. */
function blocks(): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  const pattern = /^```ts\n([\s\S]*?)^```/gm;
  for (const match of readme.matchAll(pattern)) {
    found.push({ line: readme.slice(0, match.index).split("\n").length, code: match[1] });
  }
  return found;
}

/** `code` with each `@ioring/ioring` specifier replaced by the file it names in this checkout. */
function pointedHere(code: string): string {
  let out = code;
  // Longest first: "@ioring/ioring/http" before "@ioring/ioring".
  for (const [name, target] of Object.entries(exportsMap).sort((a, b) => b[0].length - a[0].length)) {
    const specifier = name === "." ? "@ioring/ioring" : `@ioring/ioring${name.slice(1)}`;
    out = out.replaceAll(`"${specifier}"`, JSON.stringify(new URL(target, `file://${root}`).href));
  }
  return out;
}

test("the README has its TypeScript blocks, each importing the library by its published name", () => {
  const found = blocks();
  assert.ok(found.length >= 8, `${found.length} blocks`);
  for (const { line, code } of found) {
    assert.match(code, /from "@ioring\/ioring/, `the block at line ${line}`);
  }
});

for (const { line, code } of blocks()) {
  const first = code.split("\n").find((text) => /^(?!import)[a-z]/.test(text)) ?? "";
  test(`README block at line ${line} runs: ${first.trim().slice(0, 60)}`, () => {
    const dir = tempDir();
    try {
      const script = dir.file(`readme-${line}.ts`, pointedHere(code));
      const bun = "Bun" in globalThis;
      const args = bun ? [script] : ["run", "-A", "--check", script];
      const result = spawnSync(process.execPath, args, {
        cwd: root,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, NO_COLOR: "1" },
      });
      assert.equal(
        result.status,
        0,
        `exit ${result.status} (${result.signal ?? "no signal"}):\n${result.stderr}`,
      );
      assert.notEqual(result.stdout.trim(), "", "a block shows what it did");
    } finally {
      dir.remove();
    }
  }, { timeout: 90_000 });
}
