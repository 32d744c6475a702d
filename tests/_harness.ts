/**
 * The one place where `deno test` and `bun test` differ: how a test is
 * registered. Every test file imports `test` from here and asserts with
 * `node:assert/strict`, so one suite runs unchanged under both runners.
 *
 * @module
 */

/** Options for {@link test}. */
export interface TestOptions {
  /** Skip the test, with the reason printed once; `false` or absent runs it. */
  skip?: string | false;
  /** Per-test time limit in milliseconds (default 20 000). */
  timeout?: number;
}

type TestFn = () => void | Promise<void>;
/** The part of Deno's test API the harness uses (declared here so `tsc` with bun-types checks this file too). */
interface DenoTest {
  test(definition: {
    name: string;
    ignore: boolean;
    sanitizeOps: boolean;
    sanitizeResources: boolean;
    fn: () => Promise<void>;
  }): void;
}
type BunTest = (name: string, fn: TestFn, timeout?: number) => void;

// A computed specifier keeps `deno check` from resolving a Bun-only module.
const bunTestModule = "bun:test";
const bunTest: { test: BunTest & { skip: BunTest } } | null = "Bun" in globalThis
  ? await import(bunTestModule)
  : null;

/** True when running under Bun, false under Deno. */
export const isBun: boolean = bunTest !== null;

/**
 * Registers a test with whichever runner is running this file.
 *
 * @param name What the test proves.
 * @param fn The test body; it fails by throwing (use `node:assert/strict`).
 * @param options Skip reason and time limit.
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { test } from "./_harness.ts";
 * test("adds", () => assert.equal(1 + 1, 2));
 * ```
 */
export function test(name: string, fn: TestFn, options: TestOptions = {}): void {
  const timeout = options.timeout ?? 20_000;
  const skip = options.skip ?? false;
  if (skip !== false) {
    console.log(`skip: ${name}: ${skip}`);
  }
  if (bunTest !== null) {
    (skip !== false ? bunTest.test.skip : bunTest.test)(name, fn, timeout);
    return;
  }
  (globalThis as unknown as { Deno: DenoTest }).Deno.test({
    name,
    ignore: skip !== false,
    // Rings, their mappings and the waiter thread outlive a single test by design.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => withTimeout(name, fn, timeout),
  });
}

async function withTimeout(name: string, fn: TestFn, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([fn(), limit]);
  } finally {
    clearTimeout(timer);
  }
}
