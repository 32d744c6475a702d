/**
 * The receiving side of a connection: one multishot RECV into the ring's receive pool whose completions are
 * queued until read, stopped while too many buffers wait unread (back pressure), a plain RECV into memory of
 * its own when the pool is missing or dry, and reads that wait for the next completion within their own
 * `timeout` and `signal`.
 *
 * @module
 */
import { Recv } from "../ops/recv.ts";
import { timeSpecMs } from "../memory/timespec.ts";
import { IORING_CQE_F_BUFFER, IORING_CQE_F_MORE } from "../kernel/constants.ts";
import type { BufferRing } from "../ring/buffer_ring.ts";
import { IoRingError } from "../util/error.ts";
import type { IoRing, RunOptions } from "../facade/io_ring.ts";
import { ECANCELED, ENOBUFS, ETIMEDOUT } from "../kernel/errno.ts";
import { MAX_HELD, POOL_BUFFER_SIZE, receivePool } from "./receive_pool.ts";
import { closedError } from "./_socket.ts";

/** What a connection has received and not yet read, and the RECV that brings more. */
export class Receiver {
  readonly #ring: IoRing;
  readonly #fd: number;
  #closed = false;
  #pool: BufferRing | null | undefined;
  readonly #chunks: Uint8Array[] = [];
  readonly #bids: number[] = [];
  #receiving = false; // a multishot RECV is in flight
  #stopping: AbortController | null = null;
  #eof = false;
  #failure: IoRingError | null = null;
  readonly #wakers: (() => void)[] = []; // reads waiting for #received (concurrent reads each get one)
  // Reads waiting with a signal alone: [signal, its waker, its reject] triples, and the signal listened to.
  readonly #signalWaits: unknown[] = [];
  #watched: AbortSignal | null = null;
  #fallback: Uint8Array | null = null;

  constructor(ring: IoRing, fd: number) {
    this.#ring = ring;
    this.#fd = fd;
  }

  /** Reads into `buffer` (not empty): what was received already, else what the next completion brings. */
  read(buffer: Uint8Array, options?: RunOptions): Promise<number | null> {
    if (this.#chunks.length > 0) return Promise.resolve(this.#copyOut(buffer));
    return this.#readSlow(buffer, options);
  }

  /** {@link read} without options, calling `done` once instead of settling a promise. */
  readThen(buffer: Uint8Array, done: (n: number | null, error?: unknown) => void): void {
    const attempt = (): void => {
      if (this.#chunks.length > 0) return done(this.#copyOut(buffer));
      if (this.#failure !== null) return done(null, this.#failure);
      if (this.#eof) return done(null);
      if (this.#closed) return done(null, closedError("recv", this.#fd, "connection"));
      if (!this.#receiving) {
        this.#pool ??= receivePool(this.#ring);
        if (this.#pool === null || this.#pool.available === 0) {
          this.#readOwn(buffer).then(done, (error) => done(null, error));
          return;
        }
        try {
          this.#arm(this.#pool);
        } catch (error) {
          return done(null, error);
        }
      }
      this.#wakers.push(attempt);
    };
    attempt();
  }

  /** Gives the held buffers back to the pool and wakes the waiting reads, which then find it closed. */
  close(): void {
    this.#closed = true;
    for (const bid of this.#bids) this.#pool!.recycle(bid);
    this.#chunks.length = this.#bids.length = 0;
    this.#wakeReaders();
    this.#watched?.removeEventListener("abort", this.#onWatchedAbort);
    this.#watched = null;
  }

  async #readSlow(buffer: Uint8Array, options?: RunOptions): Promise<number | null> {
    const started = options?.timeout === undefined ? 0 : performance.now();
    for (;;) {
      if (this.#chunks.length > 0) return this.#copyOut(buffer);
      if (this.#failure !== null) throw this.#failure;
      if (this.#eof) return null;
      if (this.#closed) throw closedError("recv", this.#fd, "connection");
      if (!this.#receiving) {
        this.#pool ??= receivePool(this.#ring);
        if (this.#pool === null || this.#pool.available === 0) return this.#readOwn(buffer, options);
        this.#arm(this.#pool);
      }
      await this.#arrival(options, started);
    }
  }

  /** No pool, or every buffer is held by some connection: receives into memory of its own. */
  async #readOwn(buffer: Uint8Array, options?: RunOptions): Promise<number | null> {
    const own = this.#fallback ??= new Uint8Array(POOL_BUFFER_SIZE);
    const target = buffer.byteLength >= own.byteLength ? buffer : own.subarray(0, buffer.byteLength);
    const n = await this.#ring.recv(this.#fd, target, options);
    if (n === 0) return null;
    if (target !== buffer) buffer.set(target.subarray(0, n));
    return n;
  }

  /** Copies queued bytes into `buffer`, recycling each pool buffer it empties. */
  #copyOut(buffer: Uint8Array): number {
    let n = 0;
    while (n < buffer.byteLength && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.byteLength, buffer.byteLength - n);
      buffer.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.byteLength) {
        this.#chunks.shift();
        this.#pool!.recycle(this.#bids.shift()!);
      } else {
        this.#chunks[0] = chunk.subarray(take);
      }
    }
    return n;
  }

  #arm(pool: BufferRing): void {
    pool.flush(); // buffers recycled this tick must be in the ring before the RECV looks
    this.#receiving = true;
    const stopping = this.#stopping = new AbortController();
    this.#ring.stream(
      new Recv(this.#fd, null, { bufferGroup: pool.group, multishot: true }),
      (res, flags) => this.#received(pool, res, flags),
      { signal: stopping.signal },
    ).catch(() => {}); // the last completion went through #received, which noted any failure
  }

  #received(pool: BufferRing, res: number, flags: number): void {
    if ((flags & IORING_CQE_F_BUFFER) !== 0) {
      const { bid, data } = pool.take(flags, res);
      if (res > 0 && !this.#closed) {
        this.#chunks.push(data);
        this.#bids.push(bid);
      } else {
        pool.recycle(bid);
      }
    }
    if ((flags & IORING_CQE_F_MORE) === 0) {
      this.#receiving = false;
      this.#stopping = null;
      if (res === 0) this.#eof = true;
      // ENOBUFS (the pool ran dry) and a stop for back pressure only end this RECV: the next read re-arms.
      else if (res < 0 && res !== -ENOBUFS && res !== -ECANCELED) {
        this.#failure = new IoRingError(-res, "recv", { fd: this.#fd });
      }
    } else if (this.#chunks.length >= MAX_HELD && this.#stopping !== null) {
      this.#stopping.abort();
      this.#stopping = null;
    }
    this.#wakeReaders();
  }

  #wakeReaders(): void {
    this.#signalWaits.length = 0; // every waiting read wakes: none is left for an abort to reject
    const waiting = this.#wakers.length;
    if (waiting === 1) this.#wakers.pop()!();
    else if (waiting > 1) { for (const wake of this.#wakers.splice(0)) wake(); }
  }

  /** Waits for #received to report, within the read's timeout and signal. */
  #arrival(options: RunOptions | undefined, started: number): Promise<void> {
    const signal = options?.signal;
    const timeout = options?.timeout;
    if (signal === undefined && timeout === undefined) {
      return new Promise((resolve) => this.#wakers.push(resolve));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (timeout === undefined && (this.#signalWaits.length === 0 || this.#watched === signal)) {
      // A signal alone, usually the same one read after read (a server's per-connection stop): one
      // listener stays on it, instead of an abort listener added and removed per read.
      this.#watch(signal!);
      return new Promise<void>((resolve, reject) => {
        this.#wakers.push(resolve);
        this.#signalWaits.push(signal!, resolve, reject);
      });
    }
    return this.#arrivalWithin(signal, timeout, started);
  }

  /** #arrival with a timeout, or with a signal other than the watched one: listeners of its own. */
  #arrivalWithin(
    signal: AbortSignal | undefined,
    timeout: RunOptions["timeout"],
    started: number,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waker = () => {
        done();
        resolve();
      };
      const forget = () => {
        const at = this.#wakers.indexOf(waker);
        if (at >= 0) this.#wakers.splice(at, 1);
      };
      const onAbort = () => {
        done();
        forget();
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== undefined) {
        const ms = timeSpecMs(timeout);
        timer = setTimeout(() => {
          done();
          forget();
          reject(new IoRingError(ETIMEDOUT, "recv", { fd: this.#fd }));
        }, Math.max(0, ms - (performance.now() - started)));
      }
      this.#wakers.push(waker);
    });
  }

  /** Keeps the one abort listener on `signal` (see #arrival). */
  #watch(signal: AbortSignal): void {
    if (this.#watched === signal) return;
    this.#watched?.removeEventListener("abort", this.#onWatchedAbort);
    this.#watched = signal;
    signal.addEventListener("abort", this.#onWatchedAbort, { once: true });
  }

  /** The watched signal aborted: the reads waiting on it reject with its reason. */
  #onWatchedAbort = (): void => {
    const signal = this.#watched!;
    this.#watched = null;
    const waits = this.#signalWaits;
    for (let i = 0; i < waits.length; i += 3) {
      if (waits[i] !== signal) continue;
      const at = this.#wakers.indexOf(waits[i + 1] as () => void);
      if (at < 0) continue; // already woken
      this.#wakers.splice(at, 1);
      (waits[i + 2] as (reason: unknown) => void)(signal.reason);
    }
    this.#signalWaits.length = 0;
  };
}
