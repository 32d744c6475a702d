/**
 * One more thread of `serve.ts --workers N`: its own ring and its own
 * listening socket on the same port (SO_REUSEPORT), so the kernel spreads the
 * connections over the threads. Told what to serve by one message, and to stop
 * by another; answers "listening" and "stopped".
 *
 * @module
 */
import type { ServeCommand } from "./http/_cli.ts";
import { startFileServer } from "./http/_cli_run.ts";
import type { HttpServer } from "./http/server.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
let server: HttpServer | null = null;
scope.onmessage = async (event: MessageEvent) => {
  if (event.data === "stop") {
    await server?.shutdown();
    scope.postMessage("stopped");
    return;
  }
  const { command, port } = event.data as { command: ServeCommand; port: number };
  server = startFileServer(command, port);
  scope.postMessage("listening");
};
// Bun may drop a message posted before this module finished loading: say when it has.
scope.postMessage("hello");
