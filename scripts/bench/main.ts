/**
 * `npm run bench` / `deno task bench`: every benchmark in Deno and in Bun,
 * each beside its references in the same run, on a 1 GiB file made here and
 * held in the page cache for the whole run. Prints one table, writes the raw
 * figures to scripts/bench/out/results.json, and the chart and tables the
 * README shows to scripts/bench/results.svg and scripts/bench/results.md.
 *
 * BENCH_SECONDS (0.5) and BENCH_RUNS (5) size each measurement; see http.ts
 * for the HTTP servers' own settings. `main.ts http` runs the HTTP
 * benchmark alone, `main.ts io` all but it.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { benchDir, buildC, dataFile, type Figure, outDir } from "./_common.ts";
import { markdownTable, printTable, svgChart } from "./_report.ts";
import { httpServers } from "./http.ts";
import { makeSample } from "../../examples/copy.ts";

const GiB = 1 << 30;
const root = join(benchDir, "..", "..");

function makeData(): void {
  if (existsSync(dataFile) && statSync(dataFile).size === GiB) return;
  console.error(`bench: writing the 1 GiB data file ${dataFile}`);
  makeSample(dataFile, GiB);
}

/** Holds the data file in the page cache until the returned function is called. */
async function pin(): Promise<() => void> {
  const child = spawn(buildC("pin"), [dataFile], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk) => String(chunk).includes("ready") && resolve());
    child.on("exit", (code) => reject(new Error(`pin exited with ${code}`)));
  });
  const fincore = spawnSync("fincore", [dataFile], { encoding: "utf8" });
  if (fincore.status === 0) console.error(`bench: page cache residency:\n${fincore.stdout.trim()}`);
  return () => child.stdin.end();
}

function runSuite(
  label: string,
  command: string[],
  out: string,
  only = "",
  env: Record<string, string> = {},
): Figure[] {
  console.error(`bench: ${label}`);
  const [cmd, ...args] = command;
  const result = spawnSync(cmd, [...args, out, ...(only ? [only] : [])], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) throw new Error(`${label} failed with status ${result.status}`);
  return JSON.parse(readFileSync(out, "utf8"));
}

if (import.meta.main) {
  const part = process.argv[2] ?? "all";
  const deno = "Deno" in globalThis ? process.execPath : join(root, "node_modules/deno/deno");
  const bun = existsSync(join(root, "node_modules/.bin/bun")) ? join(root, "node_modules/.bin/bun") : "bun";
  const figures: Figure[] = [];
  if (part !== "http") {
    buildC("nop");
    buildC("randread");
    makeData();
    const unpin = await pin();
    try {
      const suite = join(benchDir, "suite.ts");
      const runtimes: [string, string[]][] = [["deno", [deno, "run", "-A", suite]], ["bun", [bun, suite]]];
      for (const [name, command] of runtimes) {
        figures.push(...runSuite(`${name}: all benchmarks`, command, join(outDir, `${name}.json`)));
      }
      for (const [name, command] of runtimes) {
        figures.push(
          ...runSuite(
            `${name}: latency pinned to CPU 0`,
            ["taskset", "-c", "0", ...command],
            join(outDir, `${name}-pinned.json`),
            "latency",
            {
              BENCH_PINNED: "1",
            },
          ),
        );
      }
    } finally {
      unpin();
    }
  }
  if (part !== "io") {
    console.error("bench: HTTP file servers under wrk");
    const version = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" }).stdout.trim();
    const labels = {
      deno: `Deno ${version(deno, ["eval", "console.log(Deno.version.deno)"])}`,
      bun: `Bun ${version(bun, ["--version"])}`,
    };
    const http = await httpServers(deno, bun, labels);
    // Each runtime's section: its I/O figures, then its HTTP figures.
    for (const label of [labels.deno, labels.bun]) {
      const at = figures.findLastIndex((f) => (f as { runtime?: string }).runtime === label);
      figures.splice(at + 1, 0, ...http.filter((f) => f.runtime === label));
    }
  }
  printTable(figures);
  writeFileSync(
    join(outDir, part === "all" ? "results.json" : `results-${part}.json`),
    JSON.stringify(figures, null, 1),
  );
  if (part !== "all") {
    console.error(
      `bench: raw figures in ${join(outDir, `results-${part}.json`)} (the chart needs the whole run)`,
    );
    process.exit(0);
  }
  const when = new Date().toISOString().slice(0, 10);
  writeFileSync(
    join(benchDir, "results.svg"),
    svgChart(figures, `ioring vs references (ratio, higher is better), ${when}`),
  );
  writeFileSync(
    join(benchDir, "results.md"),
    `Measured ${when} with \`npm run bench\`.\n\n${markdownTable(figures)}`,
  );
  console.error(
    `bench: raw figures in ${join(outDir, "results.json")}; chart in ${join(benchDir, "results.svg")}`,
  );
}
