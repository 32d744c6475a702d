/**
 * Sends (part of) an open file on a connection without copying it through
 * JavaScript: SPLICE from the file into the connection's pipe, then from the
 * pipe into the socket, a pipe's capacity at a time (measured faster than
 * reads into a buffer and SENDs: scripts/bench/splice.ts). Bytes already read
 * leave with the head in one SEND; a small body not yet read is read into the
 * buffer after the head, then sent with it, by completion callbacks (one READ,
 * one SEND, one promise). Where the kernel lacks SPLICE, the file goes through
 * one buffer, never whole.
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";
import { IORING_OP_SPLICE } from "../kernel/constants.ts";
import { closePipe, type SplicePipe, splicePipe } from "../files/pipe.ts";
import type { FileBody } from "./_file_response.ts";
import { Read } from "../ops/read.ts";

/** Chunk size where the file goes through a buffer. */
const STREAM_CHUNK = 256 * 1024;

/** Sends all of some bytes on the connection, then calls `done` once (with the error, if one failed). */
export type SendThen = (bytes: Uint8Array, done: (error?: unknown) => void, more?: boolean) => void;

/** Buffers a head and a small file's bytes are joined in, reused once their SEND completed. */
const joinBuffers: Uint8Array[] = [];
const JOIN_BUFFER = 80 * 1024;

/**
 * A small file body read at send time had another length than its response announced: the file changed
 * since it was described, and nothing was sent (the response is made anew: see `FileBody.refresh`).
 */
export class FileChangedError extends Error {
  constructor() {
    super("the file changed since its response was made");
    this.name = "FileChangedError";
  }
}

/** A file had fewer bytes than its response announced (it was cut short while sent): the connection ends. */
export class FileShrankError extends Error {
  constructor() {
    super("a file was cut short while it was sent: its connection was closed");
    this.name = "FileShrankError";
  }
}

/** What the ring can do for file bodies, looked up once per ring. */
const abilities = new WeakMap<IoRing, { splice: boolean }>();

function abilitiesOf(ring: IoRing): { splice: boolean } {
  let found = abilities.get(ring);
  if (found === undefined) {
    const supported = ring.probe().supported;
    found = { splice: supported.has(IORING_OP_SPLICE) };
    abilities.set(ring, found);
  }
  return found;
}

/** Sends file bodies on one connection; owns the connection's pipe. */
export class FileSender {
  readonly #ring: IoRing;
  readonly #socket: number;
  readonly #splice: boolean;
  readonly #sendThen: SendThen;
  #pipe: SplicePipe | null = null;

  /**
   * @param ring The connection's ring.
   * @param socket The connection's socket.
   * @param sendThen Sends all of some bytes on the connection, then calls back (with the error if any).
   * @param splice False to send through a buffer even where SPLICE works.
   */
  constructor(ring: IoRing, socket: number, sendThen: SendThen, splice = true) {
    this.#ring = ring;
    this.#socket = socket;
    this.#sendThen = sendThen;
    this.#splice = splice && abilitiesOf(ring).splice;
  }

  /** Sends all of `bytes`; `more` when more bytes follow at once (MSG_MORE: no short segment of its own). */
  #send(bytes: Uint8Array, more = false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#sendThen(bytes, (error) => error === undefined ? resolve() : reject(error), more);
    });
  }

  /**
   * Sends `head`, then the file's bytes. A file shorter than announced rejects. A small body not read
   * yet (see `FileBody.refresh`) is read before anything is sent, and a read of another length rejects
   * with {@link FileChangedError}.
   */
  send(head: Uint8Array, file: FileBody): Promise<void> {
    if (file.refresh !== undefined && file.ring === this.#ring) {
      const want = file.length + (file.whole ? 1 : 0);
      if (head.length + want <= JOIN_BUFFER) return this.#readThenSend(head, file, want);
    }
    const preloaded = file.preloaded?.subarray(0, file.length);
    const early = preloaded?.length ?? 0;
    if (early === 0) return this.#sendHeadThenRange(head, file);
    // Head and first bytes in one SEND, through a reused buffer (a new one costs an allocation and an
    // address lookup per response); no async frame for the common whole small file.
    const size = head.length + early;
    const pooled = size <= JOIN_BUFFER;
    const buffer = pooled ? (joinBuffers.pop() ?? new Uint8Array(JOIN_BUFFER)) : new Uint8Array(size);
    buffer.set(head);
    buffer.set(preloaded!, head.length);
    const giveBack = () => {
      if (pooled && joinBuffers.length < 64) joinBuffers.push(buffer);
    };
    const sent = this.#send(buffer.subarray(0, size)).then(giveBack, (error) => {
      giveBack();
      throw error;
    });
    if (early >= file.length) return sent;
    return sent.then(() => this.#sendRange(file, file.offset + early, file.length - early));
  }

  /** Reads `want` bytes of the file after the head in a join buffer, then sends head and body in one SEND. */
  #readThenSend(head: Uint8Array, file: FileBody, want: number): Promise<void> {
    const buffer = joinBuffers.pop() ?? new Uint8Array(JOIN_BUFFER);
    const giveBack = () => {
      if (joinBuffers.length < 64) joinBuffers.push(buffer);
    };
    return new Promise<void>((resolve, reject) => {
      const sent = (error?: unknown) => {
        giveBack();
        if (error === undefined) resolve();
        else reject(error);
      };
      const onRead = (n: number) => {
        if (n !== file.length) return sent(new FileChangedError());
        buffer.set(head);
        this.#sendThen(buffer.subarray(0, head.length + n), sent);
      };
      try {
        const into = buffer.subarray(head.length, head.length + want);
        this.#ring.start(new Read(file.fd, into, file.offset), onRead);
      } catch (error) {
        sent(error);
      }
    });
  }

  async #sendHeadThenRange(head: Uint8Array, file: FileBody): Promise<void> {
    await this.#send(head, file.length > 0);
    if (file.length > 0) await this.#sendRange(file, file.offset, file.length);
  }

  async #sendRange(file: FileBody, start: number, length: number): Promise<void> {
    if (!this.#splice || file.ring !== this.#ring) return this.#sendBuffered(file, start, length);
    this.#pipe ??= await splicePipe(this.#ring);
    const { readEnd, writeEnd, capacity } = this.#pipe;
    try {
      for (let at = start, left = length; left > 0;) {
        const n = await this.#ring.splice(file.fd, writeEnd, Math.min(left, capacity), { offIn: at });
        if (n === 0) throw new FileShrankError();
        for (let sent = 0; sent < n;) sent += await this.#ring.splice(readEnd, this.#socket, n - sent);
        at += n;
        left -= n;
      }
    } catch (error) {
      // The pipe may hold bytes that never reached the socket: it cannot serve another response.
      this.close();
      throw error;
    }
  }

  async #sendBuffered(file: FileBody, start: number, length: number): Promise<void> {
    const buffer = new Uint8Array(Math.min(STREAM_CHUNK, length));
    for (let at = start, left = length; left > 0;) {
      const n = await file.ring.read(file.fd, buffer.subarray(0, Math.min(buffer.length, left)), at);
      if (n === 0) throw new FileShrankError();
      await this.#send(buffer.subarray(0, n));
      at += n;
      left -= n;
    }
  }

  /** Closes the pipe, if one was made. */
  close(): void {
    const pipe = this.#pipe;
    this.#pipe = null;
    if (pipe !== null) void closePipe(this.#ring, pipe);
  }
}
