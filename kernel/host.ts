/**
 * What the library asks of the host process (the architecture, environment
 * variables, a file read to explain a failure), through the `process` global
 * that Deno and Bun both provide. Not through a `node:` import: in a Deno
 * project with a package.json beside its deno.json, `node:` imports need
 * `@types/node` installed to type-check, and the library must type-check
 * there as it is.
 *
 * @module
 */

/** The part of the `process` global the library uses. */
export interface HostProcess {
  /** The CPU architecture, as Node names it ("x64", "arm64"). */
  readonly arch: string;
  /** The environment (reading it needs `--allow-env` in Deno). */
  readonly env: Record<string, string | undefined>;
  /** A built-in module by name (`fs` here). */
  getBuiltinModule(id: "fs"): { readFileSync(path: string, encoding: "utf8"): string };
}

/**
 * The host's `process` global.
 *
 * @example
 * ```ts
 * import { hostProcess } from "./host.ts";
 * console.log(["x64", "arm64"].includes(hostProcess.arch)); // true
 * ```
 */
export const hostProcess: HostProcess = (globalThis as unknown as { process: HostProcess }).process;
