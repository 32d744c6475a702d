/**
 * `open()` and the file it gives, shaped like `Deno.open` and `Deno.FsFile`,
 * backed by the ring: `read`/`write` at the file's position, positional
 * `pread`/`pwrite`, `readable`/`writable` Web streams with several operations
 * in flight, `stat`, `truncate`, `sync`, `syncData`, `close` and
 * `Symbol.asyncDispose`.
 *
 * @module
 */
import {
  AT_EMPTY_PATH,
  O_APPEND,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
} from "../kernel/constants.ts";
import type { IoRing } from "../facade/io_ring.ts";
import { defaultRing } from "../facade/default_ring.ts";
import { openFile } from "./_open.ts";
import type { StatxResult } from "../ops/statx.ts";
import { readableFrom, type StreamedFile, writableAt } from "./_file_streams.ts";

/** Options of {@link open}, as `Deno.OpenOptions`, with the ring. */
export interface OpenOptions {
  /** Open for reading; default true when no other access is asked for. */
  read?: boolean;
  /** Open for writing. */
  write?: boolean;
  /** Writes go to the end of the file (implies write). */
  append?: boolean;
  /** Empty the file on opening (needs write). */
  truncate?: boolean;
  /** Create the file if it does not exist (needs write or append). */
  create?: boolean;
  /** Create the file, failing with EEXIST if it exists (needs write or append). */
  createNew?: boolean;
  /** Permission bits of a created file (less the umask); default 0o666. */
  mode?: number;
  /** The ring the file's operations go through; default the thread's (see `defaultRing`). */
  ring?: IoRing;
}

/**
 * Opens `path` as `Deno.open` does (read-only by default) and gives a {@link FsFile}.
 *
 * @param path The file.
 * @param options Access, creation, mode and the ring.
 * @returns The open file; close it (or `await using` it).
 * @throws {IoRingError} What the kernel refused (ENOENT, EEXIST, EACCES, ...).
 * @throws {TypeError} Options that ask for creation or truncation without write access.
 * @example Streaming a file to standard output
 * ```ts
 * import { open } from "@ioring/ioring";
 * await using file = await open("deno.json");
 * const text = await new Response(file.readable).text();
 * console.log(JSON.parse(text).name); // @ioring/ioring
 * ```
 */
export async function open(path: string | URL, options: OpenOptions = {}): Promise<FsFile> {
  const ring = options.ring ?? defaultRing();
  const { fd, stat } = await openFile(ring, path, {
    flags: openFlags(path, options),
    mode: options.mode ?? 0o666,
  });
  return new FsFile(ring, fd, stat.isFile, options.append === true);
}

/** The open(2) flags of `options`, checked as Deno checks them. */
function openFlags(path: string | URL, options: OpenOptions): number {
  const write = options.write === true || options.append === true;
  const read = options.read === true || (options.read === undefined && !write);
  if (!write && (options.create === true || options.createNew === true || options.truncate === true)) {
    throw new TypeError(`Cannot open ${path}: create, createNew and truncate need write or append access`);
  }
  let flags = read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY;
  if (options.append === true) flags |= O_APPEND;
  if (options.truncate === true) flags |= O_TRUNC;
  if (options.createNew === true) flags |= O_CREAT | O_EXCL;
  else if (options.create === true) flags |= O_CREAT;
  return flags;
}

/**
 * An open file, as `Deno.FsFile`, whose operations go through a ring. `read`, `write` and the streams go
 * on from the file's position, which they move and `seek` sets (one read or write at a time, as read(2) and
 * write(2)); `pread` and `pwrite` name their offset and leave the position. `readable` and `writable` close
 * the file when they end, as Deno's do. A regular file's position is kept here, so that its reads and
 * writes name their offset; a pipe or a device uses the kernel's.
 *
 * @example Writing, then reading at an offset
 * ```ts
 * import { open } from "@ioring/ioring";
 * const path = `${Deno.makeTempDirSync()}/data.txt`;
 * await using file = await open(path, { read: true, write: true, create: true });
 * await file.write(new TextEncoder().encode("hello, world"));
 * const buffer = new Uint8Array(5);
 * await file.pread(buffer, 7);
 * console.log(new TextDecoder().decode(buffer), (await file.stat()).size); // world 12
 * ```
 */
export class FsFile implements AsyncDisposable {
  /** The ring the file's operations go through. */
  readonly ring: IoRing;
  /** The file descriptor (-1 once closed). */
  #fd: number;
  /** Whether the file takes offsets (a regular file), rather than only its position (a pipe, a device). */
  readonly seekable: boolean;
  /** Writes go to the end (O_APPEND): the kernel places them, and the position follows the file's end. */
  readonly #append: boolean;
  /** The position of a seekable file. */
  #position = 0;
  #closing: Promise<void> | null = null;

  /**
   * Wraps an open descriptor; the file owns it from now on. Most code calls {@link open} instead.
   *
   * @param ring The ring for the file's operations.
   * @param fd An open file descriptor.
   * @param seekable Whether reads and writes may name an offset (a regular file).
   * @param append Whether the file was opened to append (O_APPEND).
   */
  constructor(ring: IoRing, fd: number, seekable: boolean, append = false) {
    this.ring = ring;
    this.#fd = fd;
    this.seekable = seekable;
    this.#append = append;
  }

  /** The file descriptor; throws once the file is closed. */
  get fd(): number {
    if (this.#closing !== null) throw new TypeError("Cannot use a closed file");
    return this.#fd;
  }

  /** Reads at the file's position into `buffer`, and moves it: the bytes read, or null at the end of the file. */
  async read(buffer: Uint8Array): Promise<number | null> {
    const at = this.#position;
    const n = await this.ring.read(this.fd, buffer, this.seekable ? at : -1);
    if (this.seekable) this.#position = at + n;
    return n === 0 && buffer.length > 0 ? null : n;
  }

  /** Writes `buffer` at the file's position (at its end with `append`), and moves it: the bytes written. */
  async write(buffer: Uint8Array): Promise<number> {
    if (!this.seekable || this.#append) {
      const n = await this.ring.write(this.fd, buffer, -1);
      if (this.#append && this.seekable) this.#position = (await this.stat()).size;
      return n;
    }
    const at = this.#position;
    const n = await this.ring.write(this.fd, buffer, at);
    this.#position = at + n;
    return n;
  }

  /**
   * Moves the position to `offset` from the start (`whence` 0, as `Deno.SeekMode.Start`), from the position
   * (1) or from the end (2); resolves with the new position. Only a regular file has one (ESPIPE otherwise).
   */
  async seek(offset: number, whence: 0 | 1 | 2 = 0): Promise<number> {
    if (!this.seekable) {
      throw new TypeError("Cannot seek: the file has no offsets (a pipe, a socket or a device)");
    }
    const base = whence === 0 ? 0 : whence === 1 ? this.#position : (await this.stat()).size;
    const position = base + offset;
    if (!Number.isSafeInteger(position) || position < 0) {
      throw new RangeError(`Cannot seek to ${position}: a position is a whole number of bytes >= 0`);
    }
    this.#position = position;
    return position;
  }

  /** Reads into `buffer` from `offset`, leaving the position: the bytes read, 0 at the end of the file. */
  pread(buffer: Uint8Array, offset: number): Promise<number> {
    return this.ring.read(this.fd, buffer, offset);
  }

  /** Writes `buffer` at `offset`, leaving the position: the bytes written, maybe fewer. */
  pwrite(buffer: Uint8Array, offset: number): Promise<number> {
    return this.ring.write(this.fd, buffer, offset);
  }

  /** The file's metadata (statx). */
  stat(): Promise<StatxResult> {
    return this.ring.statx("", { dirfd: this.fd, flags: AT_EMPTY_PATH });
  }

  /** Cuts or extends the file to `length` bytes (default 0). IORING_OP_FTRUNCATE: Linux 6.9. */
  truncate(length = 0): Promise<void> {
    return this.ring.ftruncate(this.fd, length);
  }

  /** Flushes the file's data and metadata to the device (fsync). */
  sync(): Promise<void> {
    return this.ring.fsync(this.fd);
  }

  /** Flushes the file's data to the device (fdatasync). */
  syncData(): Promise<void> {
    return this.ring.fsync(this.fd, { datasync: true });
  }

  /** The file's bytes from its position to its end, several reads in flight; the file closes when it ends. */
  get readable(): ReadableStream<Uint8Array> {
    return readableFrom(this.#streamed(), this.#position);
  }

  /** A stream written from the file's position, several writes in flight; the file closes when it closes. */
  get writable(): WritableStream<Uint8Array> {
    return writableAt(this.#streamed(), this.#position);
  }

  /** Closes the file (once; later calls wait for the first). */
  close(): Promise<void> {
    this.#closing ??= this.ring.closeFd(this.#fd);
    return this.#closing;
  }

  /** Closes the file: `await using file = await open(path)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #streamed(): StreamedFile {
    // An appending file takes its writes at the end, in turn: the kernel places them.
    const seekable = this.seekable && !this.#append;
    return { ring: this.ring, fd: this.fd, seekable, done: () => this.close() };
  }
}
