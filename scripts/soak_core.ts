/**
 * The soak: millions of mixed operations across several rings, each checked to settle exactly once, with
 * the process's RSS and open fds sampled as it goes. `scripts/soak.ts` runs it from the command line and
 * `tests/soak_test.ts` runs a short one in the suite.
 *
 * Each ring runs batches of operations chosen by a seeded generator: NOPs, 64-byte writes and reads at
 * offsets of a temp file (reads are checked against what the writes left there), linked write → read
 * chains through a pipe, zero-length and 1 ms timeouts, reads of an empty pipe cancelled through their
 * AbortSignal, and low-level NOPs told apart by their user data. A batch waits for all of its operations
 * before the next starts, and every operation records its settlement in a per-batch table, so a lost or
 * doubled completion fails the soak at once.
 *
 * @module
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { IoRing, IoRingError, Nop, O_CREAT, O_RDWR, Read, Write } from "../mod.ts";
import { type Native, native } from "../ffi/native.ts";

/** The kinds of operation the soak mixes. */
export const KINDS = ["nop", "write", "read", "pipe", "timeout", "cancel", "low"] as const;
/** One kind of operation. */
export type Kind = typeof KINDS[number];

/** Options of {@link soak}. */
export interface SoakOptions {
  /** Operations in all (a pipe chain counts as two). Default 10 000 000. */
  ops?: number;
  /** Rings run side by side. Default 3. */
  rings?: number;
  /** Operations per batch on each ring. Default 256. */
  batch?: number;
  /** The generator's seed. Default 1. */
  seed?: number;
  /** Receives a progress line at each tenth. */
  log?: (line: string) => void;
}

/** A sample of the process's resources. */
export interface Sample {
  /** Operations settled when sampled. */
  ops: number;
  /** Resident set size in bytes (after a garbage collection when the runtime allows one). */
  rss: number;
  /** Open file descriptors (`/proc/self/fd` entries). */
  fds: number;
}

/** What a soak did. */
export interface SoakResult {
  /** Operations settled. */
  ops: number;
  /** Wall time in seconds. */
  seconds: number;
  /** Operations per second. */
  opsPerSecond: number;
  /** Operations submitted and settled, by kind. */
  kinds: Record<Kind, { submitted: number; settled: number }>;
  /** Samples at each tenth; the first is after the first tenth (warm), the last at the end. */
  samples: Sample[];
  /** Open fds before any ring existed and after every ring closed. */
  fdsBefore: number;
  /** Open fds after the soak cleaned up. */
  fdsAfter: number;
}

const BLOCK = 64;
const BLOCKS = 256;

/** Runs a garbage collection when the runtime exposes one (Bun; Deno with --v8-flags=--expose-gc). */
function collect(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(sync: boolean): void } };
  if (g.Bun !== undefined) g.Bun.gc(true);
  else g.gc?.();
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

function sample(ops: number): Sample {
  collect();
  return { ops, rss: process.memoryUsage().rss, fds: openFds() };
}

/** A close-on-exec pipe: [read end, write end]. */
function pipe(n: Native): [number, number] {
  const fds = new Int32Array(2);
  const ret = n.pipe2(fds, 0o2000000);
  if (ret < 0) throw new Error(`soak: pipe2 failed with errno ${-ret}`);
  return [fds[0], fds[1]];
}

/** A small deterministic generator (xorshift32). */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** The mix, in 64ths: what a draw from 0 to 63 becomes. */
function kindOf(draw: number): Kind {
  if (draw < 22) return "nop";
  if (draw < 32) return "write";
  if (draw < 42) return "read";
  if (draw < 48) return "pipe";
  if (draw < 53) return "timeout";
  if (draw < 56) return "cancel";
  return "low";
}

/**
 * Runs the soak and checks as it goes; throws on the first operation that settles wrongly, twice or not
 * at all. Leak checks on the samples are the caller's (see {@link SoakResult.samples}).
 */
export async function soak(options: SoakOptions = {}): Promise<SoakResult> {
  const total = options.ops ?? 10_000_000;
  const ringCount = options.rings ?? 3;
  const batch = options.batch ?? 256;
  const log = options.log ?? (() => {});
  const kinds = Object.fromEntries(
    KINDS.map((k) => [k, { submitted: 0, settled: 0 }]),
  ) as SoakResult["kinds"];
  const samples: Sample[] = [];
  const n = await native();
  const fdsBefore = openFds();
  const dir = mkdtempSync(join(tmpdir(), "ioring-soak-"));
  const started = performance.now();
  let done = 0;
  let nextTenth = 1;
  const tenth = Math.max(1, Math.floor(total / 10));

  const onBatchDone = (count: number) => {
    done += count;
    while (done >= nextTenth * tenth && nextTenth <= 10) {
      const s = sample(done);
      samples.push(s);
      const seconds = (performance.now() - started) / 1000;
      log(
        `${String(done).padStart(10)} ops  ${(done / seconds).toFixed(0).padStart(8)} ops/s  ` +
          `rss ${(s.rss / 2 ** 20).toFixed(1).padStart(6)} MiB  fds ${s.fds}`,
      );
      nextTenth++;
    }
  };

  const runRing = async (index: number, share: number) => {
    const random = generator((options.seed ?? 1) * 7919 + index);
    await using ring = new IoRing({ entries: 64, cqEntries: 128 });
    const file = await ring.openat(join(dir, `ring${index}`), { flags: O_RDWR | O_CREAT, mode: 0o600 });
    const [pipeRead, pipeWrite] = pipe(n);
    const [idleRead, idleWrite] = pipe(n); // never written: reads of it wait until cancelled
    const model = new Uint8Array(BLOCK * BLOCKS); // what the file holds (zeros until written)
    let pipeWritten = 0, pipeReadBytes = 0;
    let userData = 0;
    const writeBuffers = Array.from({ length: batch }, () => new Uint8Array(BLOCK));
    const readBuffers = Array.from({ length: batch }, () => new Uint8Array(BLOCK));
    const pipeBuffers = Array.from({ length: batch }, () => new Uint8Array(8));
    const lowNop = new Nop();
    const settled = new Uint8Array(batch);
    try {
      let left = share;
      for (let round = 0; left > 0; round++) {
        const size = Math.min(batch, left);
        settled.fill(0);
        const pending: Promise<void>[] = [];
        const lowFirst = userData;
        let lowCount = 0;
        let count = 0;
        // Writes go to blocks of one parity and reads to the other, alternating by round, so a read never
        // races a write of the same batch and is checked against the model of earlier batches.
        const writeParity = round & 1;
        const settle = (slot: number, kind: Kind) => {
          if (settled[slot]++ !== 0) {
            throw new Error(`soak: ${kind} op ${slot} of round ${round} settled twice`);
          }
          kinds[kind].settled++;
        };
        for (let slot = 0; slot < size && count < size; slot++) {
          const kind = kindOf(random() & 63);
          kinds[kind].submitted++;
          switch (kind) {
            case "nop":
              pending.push(
                ring.nop().then((res) => {
                  if (res !== 0) throw new Error(`soak: nop gave ${res}`);
                  settle(slot, kind);
                }),
              );
              count++;
              break;
            case "write": {
              const block = ((random() % (BLOCKS / 2)) * 2) + writeParity;
              const data = writeBuffers[slot];
              const stamp = random();
              for (let i = 0; i < BLOCK; i++) data[i] = (stamp >>> ((i & 3) * 8)) + i;
              pending.push(
                ring.write(file, data, block * BLOCK).then((res) => {
                  if (res !== BLOCK) throw new Error(`soak: write gave ${res}`);
                  model.set(data, block * BLOCK);
                  settle(slot, kind);
                }),
              );
              count++;
              break;
            }
            case "read": {
              const block = ((random() % (BLOCKS / 2)) * 2) + (writeParity ^ 1);
              const data = readBuffers[slot];
              pending.push(
                ring.read(file, data, block * BLOCK).then((res) => {
                  // A block past the end of the file reads short; what was read must match the model.
                  for (let i = 0; i < res; i++) {
                    if (data[i] !== model[block * BLOCK + i]) {
                      throw new Error(
                        `soak: block ${block} byte ${i} reads ${data[i]}, was written ${
                          model[block * BLOCK + i]
                        }`,
                      );
                    }
                  }
                  for (let i = res; i < BLOCK; i++) {
                    if (model[block * BLOCK + i] !== 0) {
                      throw new Error(`soak: block ${block} read short (${res})`);
                    }
                  }
                  settle(slot, kind);
                }),
              );
              count++;
              break;
            }
            case "pipe": {
              // A write → read chain: every byte written comes out; a read may take another chain's bytes.
              const data = pipeBuffers[slot];
              kinds.pipe.submitted++; // two operations
              pending.push(
                ring.link([new Write(pipeWrite, data, -1), new Read(pipeRead, data, -1)]).then(([w, r]) => {
                  if (w.status !== "fulfilled" || r.status !== "fulfilled") {
                    throw new Error(
                      `soak: pipe chain failed: ${String((w as PromiseRejectedResult).reason)}`,
                    );
                  }
                  pipeWritten += w.value;
                  pipeReadBytes += r.value;
                  settle(slot, kind);
                  kinds.pipe.settled++;
                }),
              );
              count += 2;
              break;
            }
            case "timeout":
              pending.push(
                ring.timeout((random() & 7) === 0 ? 1 : 0).then((fired) => {
                  if (!fired) throw new Error("soak: a timeout without a count ended early");
                  settle(slot, kind);
                }),
              );
              count++;
              break;
            case "cancel": {
              const controller = new AbortController();
              const reason = new Error("soak cancel");
              pending.push(
                ring.read(idleRead, readBuffers[slot], -1, { signal: controller.signal }).then(
                  (res) => {
                    throw new Error(`soak: a read of an empty pipe gave ${res}`);
                  },
                  (error) => {
                    if (error !== reason) throw error;
                    settle(slot, kind);
                  },
                ),
              );
              controller.abort(reason);
              count++;
              break;
            }
            case "low":
              ring.prepare(lowNop, userData++);
              lowCount++;
              count++;
              break;
          }
        }
        await Promise.all(pending);
        if (lowCount > 0) {
          const seen = new Uint8Array(lowCount);
          for await (const cqe of ring.completions({ stopWhenIdle: true })) {
            const i = cqe.userData - lowFirst;
            if (i < 0 || i >= lowCount || seen[i]++ !== 0 || cqe.res !== 0) {
              throw new Error(
                `soak: low-level completion ${cqe.userData} (res ${cqe.res}) unexpected or twice`,
              );
            }
            kinds.low.settled++;
          }
          if (seen.includes(0)) throw new Error(`soak: a low-level NOP of round ${round} never completed`);
        }
        if (ring.inflight !== 0) throw new Error(`soak: ${ring.inflight} ops in flight after round ${round}`);
        left -= count;
        onBatchDone(count);
      }
      // The last sample is taken while every ring is still open: each waits here for the others.
      arrive();
      await allArrived;
      // Whatever a short pipe read left behind comes out now: bytes in equal bytes out.
      while (pipeReadBytes < pipeWritten) {
        pipeReadBytes += await ring.read(pipeRead, new Uint8Array(pipeWritten - pipeReadBytes));
      }
      if (pipeReadBytes !== pipeWritten) {
        throw new Error(`soak: ${pipeWritten} bytes into the pipe, ${pipeReadBytes} out`);
      }
    } finally {
      for (const fd of [file, pipeRead, pipeWrite, idleRead, idleWrite]) {
        await ring.close(fd).catch((error: unknown) => {
          if (!(error instanceof IoRingError)) throw error;
        });
      }
    }
  };

  let arrived = 0;
  let allDone: () => void;
  const allArrived = new Promise<void>((resolve) => (allDone = resolve));
  const arrive = () => {
    if (++arrived === ringCount) allDone();
  };

  // A completion that never comes would hang a batch: a watchdog turns 10 s without progress into an error.
  let watchdog: ReturnType<typeof setInterval> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    let last = -1;
    watchdog = setInterval(() => {
      if (done === last) reject(new Error(`soak: no progress for 10 s at ${done} ops`));
      last = done;
    }, 10_000);
  });
  try {
    const share = Math.ceil(total / ringCount);
    await Promise.race([
      Promise.all(Array.from({ length: ringCount }, (_, i) => runRing(i, share))),
      stalled,
    ]);
  } finally {
    clearInterval(watchdog);
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  for (const kind of KINDS) {
    if (kinds[kind].submitted !== kinds[kind].settled) {
      throw new Error(`soak: ${kind}: ${kinds[kind].submitted} submitted, ${kinds[kind].settled} settled`);
    }
  }
  return { ops: done, seconds, opsPerSecond: done / seconds, kinds, samples, fdsBefore, fdsAfter: openFds() };
}

/**
 * RSS may grow this much between the first and the last sample: the heaps settle once early on (in Deno
 * RSS rose by some 30 MiB between the first and the second million and then stayed flat to ten million).
 * A leak of 5 bytes per operation over ten million operations is beyond it.
 */
export const RSS_TOLERANCE = 48 * 2 ** 20;
/** RSS may grow this much over the second half of the run, where a leak shows as a trend. */
export const RSS_TREND_TOLERANCE = 16 * 2 ** 20;
/**
 * Open fds may differ by this many: the runtimes open a few of their own lazily (Deno a socket pair for
 * its blocking-call pool some time into the run, Bun an epoll fd and an eventfd with its first ring). A
 * leak of one fd per ring or per thousand operations is far beyond it.
 */
export const FD_TOLERANCE = 4;

/**
 * What the samples say leaked: open fds must be the same between the first and the last tenth, and
 * before and after, within {@link FD_TOLERANCE}; RSS may grow by {@link RSS_TOLERANCE} in all and by
 * {@link RSS_TREND_TOLERANCE} over the second half. Returns the problems found (none: empty).
 */
export function checkLeaks(result: SoakResult): string[] {
  const problems: string[] = [];
  const first = result.samples[0], last = result.samples.at(-1)!;
  if (Math.abs(last.fds - first.fds) > FD_TOLERANCE) {
    problems.push(`open fds went from ${first.fds} to ${last.fds} (tolerance ${FD_TOLERANCE})`);
  }
  if (Math.abs(result.fdsAfter - result.fdsBefore) > FD_TOLERANCE) {
    problems.push(
      `open fds: ${result.fdsBefore} before the soak, ${result.fdsAfter} after (tolerance ${FD_TOLERANCE})`,
    );
  }
  const middle = result.samples[Math.floor((result.samples.length - 1) / 2)];
  if (last.rss - middle.rss > RSS_TREND_TOLERANCE) {
    problems.push(
      `RSS grew by ${((last.rss - middle.rss) / 2 ** 20).toFixed(1)} MiB over the second half ` +
        `(tolerance ${RSS_TREND_TOLERANCE / 2 ** 20} MiB)`,
    );
  }
  if (last.rss - first.rss > RSS_TOLERANCE) {
    problems.push(
      `RSS grew by ${((last.rss - first.rss) / 2 ** 20).toFixed(1)} MiB (tolerance ${
        RSS_TOLERANCE / 2 ** 20
      } MiB)`,
    );
  }
  return problems;
}
