/**
 * The file server under load: wrk on 127.0.0.1 (`-t1 -c64 -d5s`) against
 * ioring's `serve.ts` in Deno and in Bun (one thread; with statx on every
 * request; two threads), and, in the same run, nginx
 * (Debian's package: sendfile on, 2 workers), `Deno.serve` with
 * `Deno.readFile`, and `Bun.serve` with `Bun.file`, for a 4 KiB and a 1 MiB
 * file. The servers take turns, run after run, so that drift in the machine
 * spreads over all of them. main.ts runs this after the other benchmarks.
 *
 * BENCH_HTTP_RUNS (3) and BENCH_HTTP_SECONDS (5) size it.
 *
 * @module
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { benchDir, type Figure, outDir } from "./_common.ts";

const RUNS = Number(process.env.BENCH_HTTP_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const root = join(benchDir, "..", "..");
const run = promisify(execFile);

/** A server to measure: how to start it, and the runtime section its figures belong to. */
export interface Server {
  subject: string;
  runtimes: string[];
  command: (port: number) => string[];
  /** A line the server prints once it listens. */
  ready: string;
}

/** One figure per server and file: requests per second, `RUNS` runs. */
export async function httpServers(deno: string, bun: string, labels: { deno: string; bun: string }) {
  const www = join(outDir, "http");
  mkdirSync(join(www, "nginx"), { recursive: true });
  const files = [["4 KiB", "4k.bin", 4096], ["1 MiB", "1m.bin", 1 << 20]] as const;
  for (const [, name, size] of files) {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
    writeFileSync(join(www, name), bytes);
  }
  writeFileSync(join(www, "nginx", "nginx.conf"), nginxConf(www, 18480));
  // ioring's server three ways in each runtime: as it ships, with statx on every request, on 2 threads.
  const ioring = (label: string, run: string[]): Server[] =>
    ([
      ["ioring serve", []],
      ["ioring serve, no open-file cache", ["--file-cache-ms", "0"]],
      ["ioring serve, 2 threads", ["--workers", "2"]],
    ] as const).map(([subject, extra]) => ({
      subject,
      runtimes: [label],
      command: (port: number) => [...run, join(root, "serve.ts"), www, "--port", String(port), ...extra],
      ready: "serving",
    }));
  const servers: Server[] = [
    {
      subject: "nginx",
      runtimes: [labels.deno, labels.bun],
      // Debian puts nginx in /usr/sbin, which is not on an ordinary user's PATH.
      command: () => [
        existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx",
        "-p",
        join(www, "nginx"),
        "-c",
        join(www, "nginx", "nginx.conf"),
      ],
      ready: "",
    },
    ...ioring(labels.deno, [deno, "run", "-A"]),
    {
      subject: "Deno.serve + readFile",
      runtimes: [labels.deno],
      command: (port) => [deno, "run", "-A", join(benchDir, "_http_deno.ts"), www, String(port)],
      ready: "listening",
    },
    ...ioring(labels.bun, [bun]),
    {
      subject: "Bun.serve + Bun.file",
      runtimes: [labels.bun],
      command: (port) => [bun, join(benchDir, "_http_bun.ts"), www, String(port)],
      ready: "listening",
    },
  ];
  const results = new Map<string, number[]>();
  const children: ChildProcess[] = [];
  try {
    for (const [i, server] of servers.entries()) children.push(await start(server, 18480 + i));
    // One unmeasured second of load on each server and file first: JIT warm-up is not what is compared.
    for (const [, name] of files) {
      for (const [i, server] of servers.entries()) {
        await wrk(`http://127.0.0.1:${18480 + i}/${name}`, server.subject, 1);
      }
    }
    for (let r = 0; r < RUNS; r++) {
      for (const [config, name] of files) {
        for (const [i, server] of servers.entries()) {
          const rate = await wrk(`http://127.0.0.1:${18480 + i}/${name}`, server.subject);
          const key = `${i}\n${config}`;
          results.set(key, [...(results.get(key) ?? []), rate]);
          console.error(
            `bench: http ${config} ${server.subject} (${server.runtimes.join(", ")}): ${
              rate.toFixed(0)
            } req/s`,
          );
        }
      }
    }
  } finally {
    for (const child of children) child.kill("SIGTERM");
  }
  const figures: (Figure & { runtime: string })[] = [];
  for (const [i, server] of servers.entries()) {
    for (const [config] of files) {
      for (const runtime of server.runtimes) {
        const own = runtime === labels.deno ? "Deno.serve + readFile" : "Bun.serve + Bun.file";
        figures.push({
          bench: "HTTP file server (wrk -t1 -c64)",
          config,
          subject: server.subject,
          unit: "req/s",
          runs: results.get(`${i}\n${config}`)!,
          runtime,
          ...(server.subject.startsWith("ioring serve")
            ? { reference: [own, "nginx"] }
            : server.subject === "nginx"
            ? {}
            : { reference: "nginx" }),
        });
      }
    }
  }
  return figures;
}

function nginxConf(www: string, port: number): string {
  const prefix = join(www, "nginx");
  return `worker_processes 2;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server { listen 127.0.0.1:${port}; root ${www}; }
}
`;
}

/** Starts a server and waits until it listens (its ready line, or a connection for nginx). */
export async function start(server: Server, port: number): Promise<ChildProcess> {
  const [cmd, ...args] = server.command(port);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  let failure: Error | null = null;
  child.on("error", (error) => (failure = error)); // not installed, not executable
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  for (let waited = 0; waited < 100; waited++) {
    if (failure !== null) throw new Error(`${server.subject} did not start (${cmd}): ${failure}`);
    if (child.exitCode !== null) {
      throw new Error(`${server.subject} exited with ${child.exitCode}: ${output}`);
    }
    if (server.ready !== "" ? output.includes(server.ready) : await listening(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`${server.subject} did not start listening on port ${port} within 10 s`);
}

async function listening(port: number): Promise<boolean> {
  try {
    await run("curl", ["-sf", "-o", "/dev/null", `http://127.0.0.1:${port}/4k.bin`]);
    return true;
  } catch {
    return false;
  }
}

/** Requests per second wrk measured; a run with errors or non-2xx answers is refused. */
export async function wrk(url: string, subject: string, seconds = SECONDS): Promise<number> {
  const { stdout } = await run("wrk", ["-t1", "-c64", `-d${seconds}s`, url]);
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  if (/Non-2xx|Socket errors/.test(stdout) || !(rate > 0)) {
    throw new Error(`wrk against ${subject} (${url}) saw errors:\n${stdout}`);
  }
  return rate;
}
