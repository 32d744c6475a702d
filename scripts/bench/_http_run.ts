/**
 * Running the servers of the HTTP benchmarks: starting one and waiting until
 * it listens, checking what it answers, measuring it with wrk, and nginx's
 * configuration.
 *
 * @module
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";

/** Measured runs per server and path (BENCH_HTTP_RUNS). */
export const RUNS: number = Number(process.env.BENCH_HTTP_RUNS ?? 3);
/** Seconds of each measured run (BENCH_HTTP_SECONDS). */
export const SECONDS: number = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
/** Seconds of unmeasured load on each server and path before the first run: JIT warm-up is not what is compared. */
export const WARMUP_SECONDS = 1;
/** The load generator's settings, the same for every server. */
export const WRK_ARGS: readonly string[] = ["-t1", "-c64"];

const run = promisify(execFile);

/** A server to measure: how to start it, and the runtime sections its figures belong to. */
export interface Server {
  subject: string;
  runtimes: string[];
  command: (port: number) => string[];
  /** A line the server prints once it listens; "" to wait for a connection instead (nginx). */
  ready: string;
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
    await run("curl", ["-sf", "-o", "/dev/null", `http://127.0.0.1:${port}/`]);
    return true;
  } catch (error) {
    // curl's 22: an HTTP error status, so something answers on the port.
    return (error as { code?: number }).code === 22;
  }
}

/**
 * Refuses a server whose answer to one GET is not 200 with `bytes` bytes of body: wrk counts any 2xx, so a
 * server answering something else quickly would otherwise win.
 */
export async function checkAnswer(url: string, subject: string, bytes: number): Promise<void> {
  const response = await fetch(url);
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200 || body.length !== bytes) {
    throw new Error(
      `${subject} answered ${url} with ${response.status} and ${body.length} bytes, not 200 and ${bytes}`,
    );
  }
}

/** Requests per second wrk measured; a run with errors or non-2xx answers is refused. */
export async function wrk(url: string, subject: string, seconds = SECONDS): Promise<number> {
  const { stdout } = await run("wrk", [...WRK_ARGS, `-d${seconds}s`, url], {
    timeout: (seconds + 30) * 1000,
  });
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  if (/Non-2xx|Socket errors/.test(stdout) || !(rate > 0)) {
    throw new Error(`wrk against ${subject} (${url}) saw errors:\n${stdout}`);
  }
  return rate;
}

/** Stops the servers a section started. */
export function stopAll(children: ChildProcess[]): void {
  for (const child of children) child.kill("SIGTERM");
}

/** nginx as Debian ships it, serving `www` on `port`: sendfile on, 2 workers, no access log. */
export function nginxConf(www: string, port: number): string {
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
