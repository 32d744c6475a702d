/**
 * The soak: millions of mixed operations across several rings, each checked to settle exactly once, with
 * the process's RSS and open fds sampled as it goes. `scripts/soak.ts` runs it from the command line and
 * `tests/soak_test.ts` runs a short one in the suite.
 *
 * Each ring runs batches of operations chosen by a seeded generator: NOPs, 64-byte writes (some as linked
 * pairs of writes of one block) and reads at offsets of a temp file (reads are checked against what the
 * writes may have left there: see {@link BlockModel}), linked write → read
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
  /**
   * Writes of one block in one batch: blocks that unlinked writes left open ({@link BlockModel}), how many
   * of those a later read found holding one of them, and linked pairs of writes of one block.
   */
  overlaps: { unordered: number; unorderedRead: number; linked: number };
}

/** The size of the blocks the soak writes and reads. */
export const BLOCK = 64;
const BLOCKS = 256;

/**
 * What a file of {@link BLOCK}-byte blocks holds, as far as the writes made to it tell: the soak's model of
 * its temp files, kept batch by batch.
 *
 * io_uring orders nothing that is not linked: two writes of one block in one batch may land in either order,
 * and their completions say nothing of it (an inline write's CQE is posted when its submit batch is
 * flushed, a write punted to io-wq posts its own at once). So a block written in a batch holds, after it,
 * one of the writes that nothing in the batch was ordered after. When there are several, the block is
 * open: the first read of it must find exactly one of them (writes of a regular file never interleave), and
 * from then on the block holds that one.
 *
 * @example
 * ```ts
 * import { BLOCK, BlockModel } from "./soak_core.ts";
 * const model = new BlockModel(4);
 * model.write(3, new Uint8Array(BLOCK).fill(1)); // two unlinked writes of block 3 in one batch
 * model.write(3, new Uint8Array(BLOCK).fill(2));
 * model.endBatch(); // once both have completed
 * model.read(3, new Uint8Array(BLOCK).fill(1), BLOCK); // either may have landed last
 * ```
 */
export class BlockModel {
  /** What each block holds where one write of it is known to be the last. */
  readonly #known: Uint8Array;
  /** How many writes each open block may hold (0: the block is known), and their bytes, by block. */
  readonly #openCount: Uint16Array;
  readonly #open: Uint8Array[][];
  /** The batch's writes that may land last, by block, and the blocks they write. */
  readonly #last: Uint8Array[][];
  readonly #written: number[] = [];
  /** Blocks left open by a batch, and how many of them were read back. */
  readonly stats = { open: 0, openRead: 0 };

  /** A model of a file of `blocks` blocks, all zeros (or past the end) to begin with. */
  constructor(blocks: number) {
    this.#known = new Uint8Array(BLOCK * blocks);
    this.#openCount = new Uint16Array(blocks);
    this.#open = Array.from({ length: blocks }, () => []);
    this.#last = Array.from({ length: blocks }, () => []);
  }

  /**
   * Notes a write of `data` (one block) to `block` in this batch that nothing in the batch is ordered
   * after: an unlinked write, or the last write of the block in a chain. `data` must stay as it is until
   * {@link BlockModel.endBatch}.
   */
  write(block: number, data: Uint8Array): void {
    const last = this.#last[block];
    if (last.length === 0) this.#written.push(block);
    last.push(data);
  }

  /** Ends a batch, once every write of it has completed: each block written holds one of its last writes. */
  endBatch(): void {
    for (const block of this.#written) {
      const last = this.#last[block];
      if (last.length === 1) {
        this.#known.set(last[0], block * BLOCK);
        this.#openCount[block] = 0;
      } else {
        // Copies, as the caller reuses its buffers; the copies are kept for the next time.
        const open = this.#open[block];
        while (open.length < last.length) open.push(new Uint8Array(BLOCK));
        for (let i = 0; i < last.length; i++) open[i].set(last[i]);
        this.#openCount[block] = last.length;
        this.stats.open++;
      }
      last.length = 0;
    }
    this.#written.length = 0;
  }

  /**
   * Checks that a read of `block`, not racing a write of it, that returned `res` bytes into `data` read
   * what the file can hold; throws if not.
   */
  read(block: number, data: Uint8Array, res: number): void {
    const at = block * BLOCK;
    const count = this.#openCount[block];
    if (count > 0) {
      const open = this.#open[block];
      for (let c = 0; c < count && res === BLOCK; c++) {
        if (open[c].every((byte, i) => byte === data[i])) {
          this.#known.set(open[c], at);
          this.#openCount[block] = 0;
          this.stats.openRead++;
          return;
        }
      }
      const bytes = (b: Uint8Array) => `[${b.subarray(0, 4).join(", ")}, ...]`;
      throw new Error(
        `soak: block ${block} reads ${res} bytes ${bytes(data)}, none of its ${count} unordered writes: ` +
          open.slice(0, count).map(bytes).join(" "),
      );
    }
    // A block past the end of the file reads short; what was read must match the model.
    for (let i = 0; i < res; i++) {
      if (data[i] !== this.#known[at + i]) {
        throw new Error(
          `soak: block ${block} byte ${i} reads ${data[i]}, was written ${this.#known[at + i]}`,
        );
      }
    }
    for (let i = res; i < BLOCK; i++) {
      if (this.#known[at + i] !== 0) throw new Error(`soak: block ${block} read short (${res})`);
    }
  }
}

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

/** Fills `data` with a pattern made from `stamp`; returns it. */
function stamped(data: Uint8Array, stamp: number): Uint8Array {
  for (let i = 0; i < data.length; i++) data[i] = (stamp >>> ((i & 3) * 8)) + i;
  return data;
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
  const overlaps = { unordered: 0, unorderedRead: 0, linked: 0 };
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
    const model = new BlockModel(BLOCKS);
    let pipeWritten = 0, pipeReadBytes = 0;
    let userData = 0;
    const writeBuffers = Array.from({ length: 2 * batch }, () => new Uint8Array(BLOCK)); // two per slot
    // A linked pair per slot, built once and moved to its block each time (fewer objects per op).
    const writePairs = Array.from(
      { length: batch },
      (
        _,
        slot,
      ) => [new Write(file, writeBuffers[2 * slot], 0), new Write(file, writeBuffers[2 * slot + 1], 0)],
    );
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
        // races a write of the same batch (it could see part of one) and is checked against the model of
        // earlier batches. Writes of one block in a batch stay: unlinked, any of them may land last.
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
              // One write, or one time in four a linked pair of writes of the block: the second lands last.
              const block = ((random() % (BLOCKS / 2)) * 2) + writeParity;
              const first = stamped(writeBuffers[2 * slot], random());
              if ((random() & 3) !== 0) {
                model.write(block, first);
                pending.push(
                  ring.write(file, first, block * BLOCK).then((res) => {
                    if (res !== BLOCK) throw new Error(`soak: write gave ${res}`);
                    settle(slot, kind);
                  }),
                );
                count++;
                break;
              }
              const second = stamped(writeBuffers[2 * slot + 1], random());
              model.write(block, second);
              overlaps.linked++;
              kinds.write.submitted++; // two operations
              const pair = writePairs[slot];
              pair[0].offset(block * BLOCK);
              pair[1].offset(block * BLOCK);
              pending.push(
                ring.link(pair).then(
                  (results) => {
                    for (const r of results) {
                      if (r.status !== "fulfilled" || r.value !== BLOCK) {
                        throw new Error(
                          `soak: a linked write gave ${
                            r.status === "fulfilled" ? r.value : String((r as PromiseRejectedResult).reason)
                          }`,
                        );
                      }
                    }
                    settle(slot, kind);
                    kinds.write.settled++;
                  },
                ),
              );
              count += 2;
              break;
            }
            case "read": {
              const block = ((random() % (BLOCKS / 2)) * 2) + (writeParity ^ 1);
              const data = readBuffers[slot];
              pending.push(
                ring.read(file, data, block * BLOCK).then((res) => {
                  model.read(block, data, res);
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
        model.endBatch();
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
      overlaps.unordered += model.stats.open;
      overlaps.unorderedRead += model.stats.openRead;
      // Whatever a short pipe read left behind comes out now: bytes in equal bytes out.
      while (pipeReadBytes < pipeWritten) {
        pipeReadBytes += await ring.read(pipeRead, new Uint8Array(pipeWritten - pipeReadBytes));
      }
      if (pipeReadBytes !== pipeWritten) {
        throw new Error(`soak: ${pipeWritten} bytes into the pipe, ${pipeReadBytes} out`);
      }
    } finally {
      for (const fd of [file, pipeRead, pipeWrite, idleRead, idleWrite]) {
        await ring.closeFd(fd).catch((error: unknown) => {
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
  return {
    ops: done,
    seconds,
    opsPerSecond: done / seconds,
    kinds,
    samples,
    fdsBefore,
    fdsAfter: openFds(),
    overlaps,
  };
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
