/**
 * Runs the file server command: `serve` + `serveDir` on one thread, or on
 * several (`--workers N`), each with its own ring and a listener on the same
 * port (SO_REUSEPORT), so the kernel spreads the connections over them.
 * SIGINT and SIGTERM shut every thread down gracefully.
 *
 * @module
 */
import { type ProcessLike, processOf, type ServeCommand } from "./_cli.ts";
import { serveDir } from "./file_server.ts";
import { type HttpServer, serve } from "./server.ts";

/** Starts one thread's file server for `command` (its port, unless `port` says another). */
export function startFileServer(command: ServeCommand, port = command.port): HttpServer {
  const dirOptions = {
    fsRoot: command.root,
    showDotfiles: command.showDotfiles,
    showDirListing: command.showDirListing,
    enableCors: command.cors,
    fileCacheMs: command.fileCacheMs,
  };
  return serve({
    hostname: command.hostname,
    port,
    reusePort: command.workers > 1,
    splice: command.splice,
    log: command.log,
    onListen() {},
  }, (request) => serveDir(request, dirOptions));
}

/** Waits for `worker` to post `want`. */
function reply(worker: Worker, want: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const listener = (event: MessageEvent) => {
      if (event.data !== want) return;
      worker.removeEventListener("message", listener);
      resolve();
    };
    worker.addEventListener("message", listener);
  });
}

/** Starts the servers, prints where they listen, and stops them on SIGINT/SIGTERM. */
export async function startFileServers(command: ServeCommand, workerUrl: string): Promise<void> {
  const process: ProcessLike = processOf();
  const server = startFileServer(command);
  const threads: Worker[] = [];
  for (let i = 1; i < command.workers; i++) {
    const worker = new Worker(workerUrl, { type: "module" });
    await reply(worker, "hello");
    const listening = reply(worker, "listening");
    worker.postMessage({ command, port: server.addr.port });
    await listening;
    threads.push(worker);
  }
  const { hostname, port } = server.addr;
  const threadWord = command.workers === 1 ? "thread" : "threads";
  console.log(
    `serving ${command.root} on http://${hostname}:${port}/ (io_uring, ${command.workers} ${threadWord}; Ctrl-C stops)`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("shutting down: finishing responses in flight");
    await Promise.all([
      server.shutdown(),
      ...threads.map((worker) => {
        const stopped = reply(worker, "stopped");
        worker.postMessage("stop");
        return stopped.then(() => worker.terminate());
      }),
    ]);
    console.log("stopped");
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
