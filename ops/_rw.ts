import type { SqeWriter } from "../ring/sqe.ts";
import { addressOf, type BufferSource, byteView, checkAttached } from "./_memory.ts";
import { checkFlags, checkLength, checkOffset, checkOptions } from "./_checks.ts";
import { OpBase } from "./op.ts";
import { fdLabel, type FixedFile } from "./fixed_file.ts";

/** Options of {@link Read} and {@link Write}. */
export interface ReadWriteOptions {
  /** Bytes to transfer; default: the whole buffer. */
  length?: number;
  /** `RWF_*` flags, as for preadv2(2)/pwritev2(2). */
  rwFlags?: number;
}

/** The shape shared by single-buffer reads and writes: fd, buffer, length, offset, rw_flags. */
export abstract class BufferOp extends OpBase {
  /** The memory the kernel reads or writes; held until completion. */
  readonly buffer: Uint8Array;
  readonly #fd: number;
  readonly #address: number;
  readonly #length: number;
  #offset: number;
  readonly #rwFlags: number;

  /** Checks and keeps the fields the subclass's op writes; `name` (or `verb`) is used in error messages. */
  constructor(
    name: string,
    fd: number | FixedFile,
    buffer: BufferSource,
    offset: number,
    options: ReadWriteOptions,
  ) {
    super();
    const what = `${name} ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    checkOptions(options, what);
    this.buffer = byteView(buffer, what);
    this.#length = checkLength(options.length, this.buffer, what);
    this.#offset = checkOffset(offset, what);
    this.#rwFlags = checkFlags(options.rwFlags ?? 0, what, "rwFlags");
    this.#address = addressOf(this.buffer);
    this.target = { fd: this.#fd };
  }

  /**
   * Moves the operation to another file offset, so one builder (and its
   * buffer) can be prepared again without allocating. Safe while an earlier
   * use is in flight: the kernel copied that SQE when it was submitted.
   */
  offset(offset: number): this {
    this.#offset = checkOffset(offset, `${this.name} fd ${this.#fd}`);
    return this;
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    checkAttached(this.buffer, this.#address, this.name);
    sqe.prepRw(this.opcode, this.#fd, this.#address, this.#length, this.#offset);
    if (this.#rwFlags !== 0) sqe.opFlags(this.#rwFlags);
  }
}
