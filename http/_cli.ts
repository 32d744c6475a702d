/**
 * The file server command's arguments: `serve.ts [DIR] [options]`.
 *
 * @module
 */

/** What the command was asked to do. */
export interface ServeCommand {
  help: boolean;
  root: string;
  port: number;
  hostname: string;
  workers: number;
  fileCacheMs: number;
  splice: boolean;
  log: boolean;
  showDotfiles: boolean;
  showDirListing: boolean;
  cors: boolean;
}

/** The command's help text. */
export const SERVE_USAGE: string = `Serves a directory over HTTP/1.1 on io_uring.

Usage: serve.ts [DIR] [options]        (DIR defaults to the current directory)

Options:
  --port N            port to listen on; the last --port wins (default: $PORT, else 8080; 0 picks one)
  --hostname H        address to listen on (default 127.0.0.1)
  --workers N         threads, each with its own ring and a listener on the port (SO_REUSEPORT) (default 1)
  --file-cache-ms N   how long an opened file is kept for later requests (default 1000; 0: never)
  --no-splice         send large files through a buffer instead of SPLICE
  --dotfiles          serve names starting with "." (.git, .env are hidden by default)
  --no-dir-listing    answer 404 for a directory without index.html instead of listing it
  --cors              add Access-Control-Allow-Origin: * and answer CORS preflights
  --quiet             no access log (default: one combined-format line per response, with its duration)
  -h, --help          this text`;

/** The process object both runtimes provide as a global (no `node:` import, so Deno needs no types for it). */
export interface ProcessLike {
  argv: string[];
  env: Record<string, string | undefined>;
  exit(code?: number): never;
  on(event: string, listener: () => void): unknown;
}

/** The runtime's `process` global. */
export function processOf(): ProcessLike {
  return (globalThis as unknown as { process: ProcessLike }).process;
}

/** Parses the command line; `envPort` is $PORT. */
export function parseServeArgs(argv: string[], envPort?: string): ServeCommand | { error: string } {
  const command: ServeCommand = {
    help: false,
    root: ".",
    port: 8080,
    hostname: "127.0.0.1",
    workers: 1,
    fileCacheMs: 1000,
    splice: true,
    log: true,
    showDotfiles: false,
    showDirListing: true,
    cors: false,
  };
  let port = envPort === undefined || envPort === "" ? undefined : envPort;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith("--") && arg.includes("=")
      ? arg.split(/=(.*)/s, 2)
      : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (name) {
      case "-h":
      case "--help":
        command.help = true;
        break;
      case "--port":
        port = value();
        break;
      case "--hostname":
      case "--host":
        command.hostname = value() ?? "";
        break;
      case "--workers":
        command.workers = Number(value());
        break;
      case "--file-cache-ms":
        command.fileCacheMs = Number(value());
        break;
      case "--no-splice":
        command.splice = false;
        break;
      case "--dotfiles":
        command.showDotfiles = true;
        break;
      case "--no-dir-listing":
        command.showDirListing = false;
        break;
      case "--cors":
        command.cors = true;
        break;
      case "--quiet":
        command.log = false;
        break;
      case "--log":
        command.log = true;
        break;
      default:
        if (arg.startsWith("-") && arg !== "-") return { error: `unknown option ${arg}` };
        positional.push(arg);
    }
  }
  if (positional.length > 1) return { error: `one directory at most: got ${positional.join(" ")}` };
  command.root = positional[0] ?? ".";
  if (port !== undefined) command.port = Number(port);
  if (!Number.isInteger(command.port) || command.port < 0 || command.port > 65535) {
    return { error: `--port must be an integer from 0 to 65535: current value is ${port}` };
  }
  if (!Number.isInteger(command.workers) || command.workers < 1) {
    return { error: `--workers must be an integer >= 1: current value is ${command.workers}` };
  }
  if (!Number.isFinite(command.fileCacheMs) || command.fileCacheMs < 0) {
    return { error: `--file-cache-ms must be a number >= 0: current value is ${command.fileCacheMs}` };
  }
  if (command.hostname === "") return { error: "--hostname needs a value" };
  return command;
}
