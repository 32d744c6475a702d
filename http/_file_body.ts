/**
 * Response bodies that are (parts of) an open file. The body is an ordinary
 * ReadableStream that reads the file through the ring when it is pulled (back
 * pressure: one read per pull), so the Response works in any server; this
 * library's server claims the file instead (see `_file_response.ts`) and
 * sends it without copying it through JavaScript.
 *
 * The descriptor is held by a {@link Lease} and given back once: at the
 * body's end, on cancel, on error, by the server after a claim, or, for a
 * body dropped unread, by a FinalizationRegistry once the stream is
 * collected. The lease never points back at the stream, so the stream can be
 * collected; a stream still being read (a Response made from another's body,
 * say) is reachable and keeps its file.
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";
import type { FileBody } from "./_file_response.ts";
import type { OpenFile } from "./_file_open.ts";

/** Bytes read per pull. */
const CHUNK = 256 * 1024;

/** A hold on an open file's descriptor, given back once. */
export class Lease {
  #file: OpenFile | null;

  /** Holds `file` (one more user). */
  constructor(file: OpenFile) {
    file.acquire();
    this.#file = file;
  }

  /** Whether the descriptor is still held. */
  get held(): boolean {
    return this.#file !== null;
  }

  /** Gives the descriptor back once `target` is collected, unless released before (the backstop). */
  watch(target: object): void {
    if (this.#file === null) return;
    leases.unregister(this);
    leases.register(target, this, this);
  }

  /** No backstop: whoever holds the lease releases it. */
  unwatch(): void {
    leases.unregister(this);
  }

  /** Gives the descriptor back (idempotent). */
  release(): void {
    const file = this.#file;
    if (file === null) return;
    this.#file = null;
    leases.unregister(this);
    file.release();
  }
}

/** Gives back the descriptor of a stream collected unread. */
const leases = new FinalizationRegistry<Lease>((lease) => lease.release());

/** A piece of a body: bytes already made (a multipart head), or `length` bytes of the file from `offset`. */
export type Piece = Uint8Array | { readonly offset: number; readonly length: number };

/** What a file stream's reader and its claimer share. */
export interface StreamState {
  /** Set by a claim: the stream must not read. */
  claimed: boolean;
  /** Set once the stream started reading: a claim must fail. */
  started: boolean;
}

/**
 * A stream of `pieces`, reading the file's parts through the ring on each pull. The descriptor is released
 * at the end, on cancel or on error, or once the stream is collected; a file shorter than the pieces say
 * errors the stream.
 */
export function fileStream(
  ring: IoRing,
  fd: number,
  lease: Lease,
  pieces: readonly Piece[],
  state: StreamState = { claimed: false, started: false },
): ReadableStream<Uint8Array> {
  let index = 0;
  let done = 0; // bytes of pieces[index] already sent
  let reading = false;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller): Promise<void> | void {
      if (state.claimed || !lease.held) {
        controller.error(new Error("Cannot read a file body: the file was claimed or released"));
        return;
      }
      state.started = true;
      const piece = pieces[index];
      if (piece instanceof Uint8Array) {
        controller.enqueue(piece);
        if (++index === pieces.length) finish(controller);
        return;
      }
      const want = Math.min(CHUNK, piece.length - done);
      const chunk = new Uint8Array(want);
      reading = true;
      return ring.read(fd, chunk, piece.offset + done).then((n) => {
        reading = false;
        if (cancelled) return lease.release();
        if (n <= 0) {
          throw new Error(`The file shrank while it was read: ${piece.length - done} bytes missing`);
        }
        done += n;
        if (done === piece.length) {
          index++;
          done = 0;
        }
        controller.enqueue(n === want ? chunk : chunk.subarray(0, n));
        if (index === pieces.length) finish(controller);
      }).catch((error) => {
        reading = false;
        lease.release();
        try {
          controller.error(error);
        } catch {
          // Already closed or cancelled.
        }
      });
    },
    cancel() {
      cancelled = true;
      if (!reading) lease.release();
    },
  }, { highWaterMark: 0 });
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    lease.release();
    controller.close();
  };
  lease.watch(stream);
  return stream;
}

/**
 * A single range of an open file (the whole file, or one Range), as the server may claim it. With
 * `refresh`, a small body the server reads at send time (see {@link FileBody.refresh}).
 */
export class StreamedBody implements FileBody {
  readonly ring: IoRing;
  readonly fd: number;
  readonly offset: number;
  readonly length: number;
  readonly preloaded: undefined = undefined;
  readonly refresh: (() => Promise<Response>) | undefined;
  readonly whole: boolean;
  readonly #lease: Lease;
  readonly #state: StreamState = { claimed: false, started: false };
  #stream: ReadableStream<Uint8Array> | null = null;

  /**
   * @param file The open file (this body holds it until released).
   * @param offset Where the body starts.
   * @param length How many bytes it has (at least one).
   * @param refresh For a small body: the response anew, should the server find the file changed.
   */
  constructor(file: OpenFile, offset: number, length: number, refresh?: () => Promise<Response>) {
    this.ring = file.ring;
    this.fd = file.fd;
    this.offset = offset;
    this.length = length;
    this.refresh = refresh;
    this.whole = offset === 0 && length === file.size;
    this.#lease = new Lease(file);
  }

  /** The body stream, made on first call; from then on the stream's collection is the backstop. */
  stream(): ReadableStream<Uint8Array> {
    this.#stream ??= fileStream(this.ring, this.fd, this.#lease, [{
      offset: this.offset,
      length: this.length,
    }], this.#state);
    return this.#stream;
  }

  /** Whether the stream was read from or cancelled. */
  get disturbed(): boolean {
    return this.#state.started;
  }

  /** Gives the descriptor back once `response` is collected, if no stream was made and no one claimed it. */
  watch(response: Response): void {
    if (this.#stream === null && !this.#state.claimed) this.#lease.watch(response);
  }

  claim(): boolean {
    if (this.#state.claimed || this.#state.started || !this.#lease.held) return false;
    this.#state.claimed = true;
    this.#lease.unwatch(); // the claimer releases it
    return true;
  }

  release(): void {
    this.#lease.release();
  }
}

/**
 * Buffers that small files are read into, reused, in two sizes: the ring looks a buffer's address up
 * once, so a reused buffer saves an FFI call per read, and the allocation. Each holds a file of its size
 * and one byte more (a whole file is read with one byte to spare, to see if it grew). The short ones are
 * kept in greater number: a server has many small files in flight at once.
 */
const POOLS = [
  { size: 16 * 1024 + 1, limit: 256, free: [] as Uint8Array<ArrayBuffer>[] },
  { size: 64 * 1024 + 1, limit: 32, free: [] as Uint8Array<ArrayBuffer>[] },
];

/** A buffer of at least `length` bytes (at most 64 KiB + 1); give it back with {@link returnBuffer}. */
export function takeBuffer(length: number): Uint8Array<ArrayBuffer> {
  const pool = length <= POOLS[0].size ? POOLS[0] : POOLS[1];
  return pool.free.pop() ?? new Uint8Array(pool.size);
}

/** Gives a buffer from {@link takeBuffer} back, once nothing uses its bytes any more. */
export function returnBuffer(buffer: Uint8Array<ArrayBuffer>): void {
  const pool = buffer.length === POOLS[0].size ? POOLS[0] : POOLS[1];
  if (pool.free.length < pool.limit && buffer.length === pool.size) pool.free.push(buffer);
}

/**
 * A body whose bytes are all read already (a small file, read beside its statx), or a HEAD response's
 * (no bytes): the server sends them with the head and needs no descriptor, so `fd` is -1. The bytes may
 * be a view of a pooled buffer, which goes back to the pool on release unless a stream was made of it.
 */
export class PreloadedBody implements FileBody {
  readonly ring: IoRing;
  readonly fd = -1;
  readonly offset: number;
  readonly length: number;
  readonly preloaded: Uint8Array<ArrayBuffer> | undefined;
  #pooled: Uint8Array<ArrayBuffer> | null;
  #claimed = false;
  #stream: ReadableStream<Uint8Array> | null = null;
  #started = false;
  /** The pooled buffer went back to the pool: the bytes are no longer this body's. */
  #recycled = false;

  /**
   * @param ring The ring.
   * @param offset Where the bytes were in the file.
   * @param length The body's length (the Content-Length).
   * @param preloaded The bytes (length of them), or undefined for a HEAD response.
   * @param pooled The pooled buffer `preloaded` is a view of, to give back on release; else null.
   */
  constructor(
    ring: IoRing,
    offset: number,
    length: number,
    preloaded: Uint8Array<ArrayBuffer> | undefined,
    pooled: Uint8Array<ArrayBuffer> | null = null,
  ) {
    this.ring = ring;
    this.offset = offset;
    this.length = length;
    this.preloaded = preloaded;
    this.#pooled = pooled;
  }

  /** The bytes as a stream, made on first call (the pooled buffer then stays with it). */
  stream(): ReadableStream<Uint8Array> {
    if (this.#stream !== null) return this.#stream;
    this.#pooled = null;
    const bytes = this.preloaded ?? new Uint8Array(0);
    const recycled = this.#recycled;
    this.#stream = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        this.#started = true;
        if (recycled) return controller.error(new Error("Cannot read a file body: it was sent and released"));
        if (bytes.length > 0) controller.enqueue(bytes);
        controller.close();
      },
      cancel: () => {
        this.#started = true;
      },
    }, { highWaterMark: 0 });
    return this.#stream;
  }

  /** Whether the stream was read from or cancelled. */
  get disturbed(): boolean {
    return this.#started;
  }

  claim(): boolean {
    if (this.#claimed || this.#started) return false;
    this.#claimed = true;
    return true;
  }

  release(): void {
    const pooled = this.#pooled;
    this.#pooled = null;
    if (pooled === null) return;
    this.#recycled = true;
    returnBuffer(pooled);
  }
}
