/**
 * One more thread of `serve.ts --workers N`: its own ring and its own
 * listening socket on the same port (SO_REUSEPORT), so the kernel spreads the
 * connections over the threads. Told what to serve by one message, and to stop
 * by another; answers "listening" and "stopped".
 *
 * @module
 */
import { IoRing } from "./mod.ts";
import { serveDir, type ServeDirOptions } from "./serve.ts";

/** What the main thread posts to start a worker. */
export interface ServeWorkerStart {
  /** The server's options, with `reusePort` set. */
  options: Omit<ServeDirOptions, "log">;
  /** Whether to print an access log. */
  log: boolean;
}

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
let stop: (() => Promise<void>) | null = null;
scope.onmessage = async (event: MessageEvent) => {
  if (event.data === "stop") {
    await stop?.();
    scope.postMessage("stopped");
    return;
  }
  const { options, log } = event.data as ServeWorkerStart;
  const ring = new IoRing({ entries: 256, singleIssuer: true, deferTaskrun: true });
  const server = await serveDir(ring, {
    ...options,
    log: log ? (line: string) => console.log(line) : undefined,
  });
  stop = () => server.shutdown().then(() => ring.close());
  scope.postMessage("listening");
};
// Bun may drop a message posted before this module finished loading: say when it has.
scope.postMessage("hello");
