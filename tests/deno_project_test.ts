// The library as a Deno project meets it: beside a package.json (which makes Deno look for npm types in
// node_modules), `deno check` passes without @types/node, since the library imports no `node:` module.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { test } from "./_harness.ts";
import { tempDir } from "./_util.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const deno = "Deno" in globalThis ? process.execPath : `${root}node_modules/deno/deno`;

test(
  "a Deno project with a package.json type-checks code that imports the library and its HTTP server",
  () => {
    const dir = tempDir();
    try {
      dir.file("package.json", JSON.stringify({ name: "app", version: "1.0.0", type: "module" }));
      dir.file(
        "deno.json",
        JSON.stringify({
          imports: {
            "@ioring/ioring": new URL("../mod.ts", import.meta.url).href,
            "@ioring/ioring/http": new URL("../http/mod.ts", import.meta.url).href,
          },
        }),
      );
      dir.file(
        "main.ts",
        'import { readTextFile } from "@ioring/ioring";\nimport { serve } from "@ioring/ioring/http";\n' +
          'const text: string = await readTextFile("/etc/hostname");\nconsole.log(`${text.length > 0} ${typeof serve}`);\n',
      );
      const checked = spawnSync(deno, ["check", "main.ts"], {
        cwd: dir.path,
        encoding: "utf8",
        timeout: 120_000,
      });
      assert.equal(checked.status, 0, checked.stderr);
      const ran = spawnSync(deno, [
        "run",
        "--allow-ffi",
        "--allow-env=IORING_NATIVE,IORING_LIBURING",
        "main.ts",
      ], {
        cwd: dir.path,
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(ran.status, 0, ran.stderr);
      assert.equal(ran.stdout.trim(), "true function");
    } finally {
      dir.remove();
    }
  },
  { timeout: 180_000, skip: existsSync(deno) ? false : `no deno binary at ${deno}` },
);
