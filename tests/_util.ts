/**
 * Small helpers shared by the tests: real temp files, pipes and socket pairs.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { native } from "../ffi/native.ts";
import * as constants from "../kernel/constants.ts";
import { IoRing, IoRingError, type IoRingOptions } from "../mod.ts";

/** The native layer the rings use (for pipes, socket pairs and raw writes in tests). */
export const n = await native();

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(): {
  path: string;
  file(name: string, data?: Uint8Array | string): string;
  remove(): void;
} {
  const path = mkdtempSync(join(tmpdir(), "ioring-test-"));
  return {
    path,
    file(name, data) {
      const file = join(path, name);
      if (data !== undefined) writeFileSync(file, data);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

const O_CLOEXEC = 0o2000000;

/** A pipe: [read end, write end]. */
export function pipe(): [number, number] {
  const fds = new Int32Array(2);
  const ret = n.pipe2(fds, O_CLOEXEC);
  if (ret < 0) throw new Error(`pipe2 failed: ${-ret}`);
  return [fds[0], fds[1]];
}

/** A connected AF_UNIX stream socket pair. */
export function socketPair(): [number, number] {
  const fds = new Int32Array(2);
  const ret = n.socketpair(1, /* AF_UNIX */ 1 | 0o2000000, /* SOCK_STREAM | SOCK_CLOEXEC */ 0, fds);
  if (ret < 0) throw new Error(`socketpair failed: ${-ret}`);
  return [fds[0], fds[1]];
}

/** Closes raw fds. */
export function closeFds(...fds: number[]): void {
  for (const fd of fds) n.close(fd);
}

/** Deterministic pseudo-random bytes. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The bytes of `parts` one after another. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

/** How many descriptors this process holds open now. */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The command that runs a script file in the current runtime. */
export function runtimeCommand(script: string): [string, string[]] {
  return "Bun" in globalThis ? [process.execPath, [script]] : [process.execPath, ["run", "-A", script]];
}

let supportedOps: ReadonlySet<number> | undefined;

/** A skip reason when this kernel's io_uring lacks one of the opcodes (by `ring.probe()`), else false. */
export function needsOps(...opcodes: number[]): string | false {
  if (supportedOps === undefined) {
    using ring = new IoRing({ entries: 2 });
    supportedOps = ring.probe().supported;
  }
  const missing = opcodes.filter((op) => !supportedOps!.has(op));
  if (missing.length === 0) return false;
  const name = (op: number) =>
    Object.entries(constants).find(([key, value]) =>
      key.startsWith("IORING_OP_") && key !== "IORING_OP_LAST" && value === op
    )?.[0] ??
      `opcode ${op}`;
  return `this kernel does not support ${missing.map(name).join(", ")}`;
}

/** Why a ring with these options cannot be made here (a skip reason), or false. */
export function unavailable(options: IoRingOptions): string | false {
  try {
    new IoRing(options).close();
    return false;
  } catch (error) {
    if (error instanceof IoRingError) return `this kernel or user refuses it: ${error.message}`;
    throw error;
  }
}

/**
 * Makes a FIFO at `path` and runs the shell `script` beside it, with the FIFO as "$1"; resolves with the
 * script's exit code. The listener is attached at spawn: Bun's test runner loses an `exit` that fires first.
 */
export function fifoWith(path: string, script: string): Promise<number | null> {
  if (spawnSync("mkfifo", [path]).status !== 0) throw new Error(`mkfifo ${path} failed`);
  const child = spawn("sh", ["-c", script, "sh", path]);
  return new Promise((resolve) => child.once("exit", resolve));
}
