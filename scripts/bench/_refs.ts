/**
 * The runtime's own file APIs, as references for the read, latency and copy
 * benchmarks. Each runtime's version lives in its own file, loaded by a
 * computed specifier so that neither type checker reads the other's.
 *
 * @module
 */

/** The runtime's own APIs, measured the same way as ioring. */
export interface RuntimeRefs {
  /** Name of the async positional read reference. */
  asyncName: string;
  /** Name of the synchronous read loop reference. */
  syncName: string;
  /** Name of the copy reference. */
  copyName: string;
  /** Reads 4 KiB blocks picked by `pick` with `concurrency` reads in flight, until `end`; returns reads done. */
  asyncReads(path: string, concurrency: number, end: number, pick: () => number): Promise<number>;
  /** Reads 4 KiB blocks one after another, synchronously, until `end`; returns reads done. */
  syncReads(path: string, end: number, pick: () => number): number;
  /** Times `count` async reads done one at a time, in milliseconds each. */
  asyncLatency(path: string, count: number, pick: () => number): Promise<Float64Array>;
  /** Copies a file with the runtime's own API. */
  copy(src: string, dst: string): Promise<void>;
  /** Name of the whole-file read reference. */
  readWholeName: string;
  /** Reads a whole file with the runtime's own API; resolves with its length. */
  readWhole(path: string): Promise<number>;
}

/** Loads this runtime's references. */
export async function loadRefs(): Promise<RuntimeRefs> {
  const module = "Bun" in globalThis ? "./_refs_bun.ts" : "./_refs_deno.ts";
  return (await import(module)).refs;
}
