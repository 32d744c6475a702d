/**
 * HTTP servers under load: wrk on 127.0.0.1 (`-t1 -c64`, the same for every
 * server), in two sections.
 *
 * - Hello world: `GET /` answered with the 12 bytes "Hello, world" by
 *   ioring's `serve` (http/mod.ts) in Deno and in Bun, beside `Deno.serve`
 *   and `Bun.serve`, each runtime's own server being the reference.
 * - Files: a 4 KiB and a 1 MiB file from the `serve.ts` command (`serve` +
 *   `serveDir`, `--quiet`) in Deno and in Bun, as it ships, with statx on every
 *   request (`--file-cache-ms 0`) and on two threads (`--workers 2`), beside
 *   nginx (Debian's package: sendfile on, 2 workers), `Deno.serve` with
 *   `Deno.readFile`, and `Bun.serve` with `Bun.file`.
 *
 * In each section the servers run side by side and take turns, run after run
 * (ABAB), so that drift in the machine spreads over all of them; each server
 * and path first gets WARMUP_SECONDS (1 s) of unmeasured load. A figure keeps
 * every run. main.ts runs this after the other benchmarks; run alone, it
 * prints its own table (min/median/max, ratio to the runtime's server and to
 * nginx):
 *
 *   deno run -A scripts/bench/http.ts        (or: bun scripts/bench/http.ts)
 *
 * BENCH_HTTP_RUNS (3) and BENCH_HTTP_SECONDS (5) size it. Needs wrk, nginx
 * and curl (`bash scripts/setup bench`). BENCH_HTTP_EARLIER=<revision> adds
 * that revision's `serve.ts` command to the file section, in both runtimes,
 * from a git worktree made for the run and removed after it (the server
 * before the handler API was ce93337~1).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { benchDir, outDir } from "./_common.ts";
import {
  checkAnswer,
  nginxConf,
  RUNS,
  SECONDS,
  type Server,
  start,
  stopAll,
  WARMUP_SECONDS,
  wrk,
  WRK_ARGS,
} from "./_http_run.ts";
import { type HttpFigure, printHttpTable } from "./_http_table.ts";

export { type Server, start, wrk } from "./_http_run.ts";

const root = join(benchDir, "..", "..");

/** The runtimes' labels, as the figures name their sections ("Deno 2.x", "Bun 1.x"). */
export interface RuntimeLabels {
  deno: string;
  bun: string;
}

/** What one section requests: a configuration name, a path, and the body's length in bytes. */
interface Target {
  config: string;
  path: string;
  bytes: number;
}

/** Servers measured together, taking turns, on the same targets. */
interface Section {
  bench: string;
  targets: Target[];
  servers: Server[];
  /** Each runtime's own server in this section (the reference of the others). */
  own: Record<string, string>;
}

function helloSection(deno: string, bun: string, labels: RuntimeLabels): Section {
  const script = (name: string) => join(benchDir, name);
  const servers: [string, string, string[]][] = [
    ["ioring serve", labels.deno, [deno, "run", "-A", script("_http_hello_ioring.ts")]],
    ["Deno.serve", labels.deno, [deno, "run", "-A", script("_http_hello_deno.ts")]],
    ["ioring serve", labels.bun, [bun, script("_http_hello_ioring.ts")]],
    ["Bun.serve", labels.bun, [bun, script("_http_hello_bun.ts")]],
  ];
  return {
    bench: `HTTP hello world (wrk ${WRK_ARGS.join(" ")})`,
    targets: [{ config: "12 B body", path: "/", bytes: 12 }],
    servers: servers.map(([subject, runtime, command]) => ({
      subject,
      runtimes: [runtime],
      command: (port: number) => [...command, String(port)],
      ready: "listening",
    })),
    own: { [labels.deno]: "Deno.serve", [labels.bun]: "Bun.serve" },
  };
}

/** The files, written afresh (random bytes), and nginx's configuration beside them. */
function fileTargets(www: string, nginxPort: number): Target[] {
  mkdirSync(join(www, "nginx"), { recursive: true });
  const targets = [
    { config: "4 KiB", path: "/4k.bin", bytes: 4096 },
    { config: "1 MiB", path: "/1m.bin", bytes: 1 << 20 },
  ];
  for (const { path, bytes } of targets) {
    const data = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
    writeFileSync(join(www, path), data);
  }
  writeFileSync(join(www, "nginx", "nginx.conf"), nginxConf(www, nginxPort));
  return targets;
}

/** A worktree of `revision` beside the outputs, sharing this checkout's node_modules. */
function earlierTree(revision: string): string {
  const tree = join(outDir, "earlier");
  removeEarlierTree();
  const added = spawnSync("git", ["-C", root, "worktree", "add", "--detach", "--force", tree, revision], {
    encoding: "utf8",
  });
  if (added.status !== 0) {
    throw new Error(`BENCH_HTTP_EARLIER=${revision}: git worktree add failed: ${added.stderr}`);
  }
  symlinkSync(join(root, "node_modules"), join(tree, "node_modules"));
  return tree;
}

function removeEarlierTree(): void {
  const tree = join(outDir, "earlier");
  if (!existsSync(tree)) return;
  spawnSync("git", ["-C", root, "worktree", "remove", "--force", tree]);
  rmSync(tree, { recursive: true, force: true });
}

/** The earlier revision's command in both runtimes, if BENCH_HTTP_EARLIER names one. */
function earlierServers(deno: string, bun: string, labels: RuntimeLabels): Server[] {
  const revision = process.env.BENCH_HTTP_EARLIER;
  if (revision === undefined || revision === "") return [];
  const serveTs = join(earlierTree(revision), "serve.ts");
  const www = join(outDir, "http");
  return ([[labels.deno, [deno, "run", "-A"]], [labels.bun, [bun]]] as const).map(([runtime, run]) => ({
    subject: `earlier server (${revision})`,
    runtimes: [runtime],
    command: (port: number) => [...run, serveTs, www, "--port", String(port)],
    ready: "serving",
  }));
}

function fileSection(deno: string, bun: string, labels: RuntimeLabels, firstPort: number): Section {
  const www = join(outDir, "http");
  const targets = fileTargets(www, firstPort); // nginx is the first server
  // The serve.ts command three ways in each runtime: as it ships, with statx on every request, on 2 threads.
  const ioring = (runtime: string, run: string[]): Server[] =>
    ([
      ["ioring serve", []],
      ["ioring serve, no open-file cache", ["--file-cache-ms", "0"]],
      ["ioring serve, 2 threads", ["--workers", "2"]],
    ] as const).map(([subject, extra]) => ({
      subject,
      runtimes: [runtime],
      command: (port) => [...run, join(root, "serve.ts"), www, "--port", String(port), "--quiet", ...extra],
      ready: "serving",
    }));
  const reference = (subject: string, runtime: string, run: string[], script: string): Server => ({
    subject,
    runtimes: [runtime],
    command: (port) => [...run, join(benchDir, script), www, String(port)],
    ready: "listening",
  });
  // Debian puts nginx in /usr/sbin, which is not on an ordinary user's PATH.
  const nginx = existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
  const nginxDir = join(www, "nginx");
  return {
    bench: `HTTP file server (wrk ${WRK_ARGS.join(" ")})`,
    targets,
    servers: [
      {
        subject: "nginx",
        runtimes: [labels.deno, labels.bun],
        command: () => [nginx, "-p", nginxDir, "-c", join(nginxDir, "nginx.conf")],
        ready: "",
      },
      ...ioring(labels.deno, [deno, "run", "-A"]),
      reference("Deno.serve + readFile", labels.deno, [deno, "run", "-A"], "_http_deno.ts"),
      ...ioring(labels.bun, [bun]),
      reference("Bun.serve + Bun.file", labels.bun, [bun], "_http_bun.ts"),
      ...earlierServers(deno, bun, labels),
    ],
    own: { [labels.deno]: "Deno.serve + readFile", [labels.bun]: "Bun.serve + Bun.file" },
  };
}

/** Starts a section's servers, checks their answers, warms them up, measures them in turns, stops them. */
async function measure(section: Section, firstPort: number): Promise<HttpFigure[]> {
  const { servers, targets } = section;
  const url = (i: number, target: Target) => `http://127.0.0.1:${firstPort + i}${target.path}`;
  const runs = servers.map(() => targets.map((): number[] => []));
  const children = [];
  try {
    for (const [i, server] of servers.entries()) children.push(await start(server, firstPort + i));
    for (const target of targets) {
      for (const [i, server] of servers.entries()) {
        await checkAnswer(url(i, target), server.subject, target.bytes);
        await wrk(url(i, target), server.subject, WARMUP_SECONDS);
      }
    }
    for (let r = 0; r < RUNS; r++) {
      for (const [t, target] of targets.entries()) {
        for (const [i, server] of servers.entries()) {
          const rate = await wrk(url(i, target), server.subject);
          runs[i][t].push(rate);
          console.error(
            `bench: ${section.bench}, ${target.config}, ${server.subject} (${server.runtimes.join(", ")}): ${
              rate.toFixed(0)
            } req/s`,
          );
        }
      }
    }
  } finally {
    stopAll(children);
  }
  // Grouped as the tables read them: by runtime, then target, then server.
  return Object.keys(section.own).flatMap((runtime) =>
    targets.flatMap((target, t) =>
      servers.flatMap((server, i) =>
        server.runtimes.includes(runtime)
          ? [figure(section, server.subject, runtime, target.config, runs[i][t])]
          : []
      )
    )
  );
}

function figure(
  section: Section,
  subject: string,
  runtime: string,
  config: string,
  runs: number[],
): HttpFigure {
  const own = section.own[runtime];
  const hasNginx = section.servers.some((s) => s.subject === "nginx");
  const reference = subject === "nginx"
    ? []
    : [...(subject === own ? [] : [own]), ...(hasNginx ? ["nginx"] : [])];
  return {
    bench: section.bench,
    config,
    subject,
    unit: "req/s",
    runs,
    runtime,
    own,
    ...(reference.length === 0 ? {} : { reference: reference.length === 1 ? reference[0] : reference }),
  };
}

/** Every HTTP figure, hello world then files, each with its runtime's label; `RUNS` runs each. */
export async function httpServers(deno: string, bun: string, labels: RuntimeLabels): Promise<HttpFigure[]> {
  const hello = await measure(helloSection(deno, bun, labels), 18460);
  try {
    const files = await measure(fileSection(deno, bun, labels, 18480), 18480);
    return [...hello, ...files];
  } finally {
    removeEarlierTree();
  }
}

if (import.meta.main) {
  const deno = "Deno" in globalThis ? process.execPath : join(root, "node_modules/deno/deno");
  const bun = existsSync(join(root, "node_modules/.bin/bun")) ? join(root, "node_modules/.bin/bun") : "bun";
  const version = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" }).stdout.trim();
  const labels = {
    deno: `Deno ${version(deno, ["eval", "console.log(Deno.version.deno)"])}`,
    bun: `Bun ${version(bun, ["--version"])}`,
  };
  const figures = await httpServers(deno, bun, labels);
  printHttpTable(
    figures,
    `wrk ${
      WRK_ARGS.join(" ")
    }, ${RUNS} runs of ${SECONDS} s per figure after ${WARMUP_SECONDS} s of warm-up, ` +
      `servers taking turns; ratios are of medians`,
  );
}
