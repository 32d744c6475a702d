import type { SqeWriter } from "../ring/sqe.ts";
import { addressOf, type BufferSource, byteView, checkAttached, encodeIovecs } from "./_memory.ts";
import { checkFlags, checkOffset, checkOptions } from "./_checks.ts";
import { OpBase } from "./op.ts";
import { fdLabel, type FixedFile } from "./fixed_file.ts";

/** Options of {@link Readv} and {@link Writev}. */
export interface VectoredOptions {
  /** `RWF_*` flags, as for preadv2(2)/pwritev2(2). */
  rwFlags?: number;
}

const IOV_MAX = 1024;

/** The shape shared by readv and writev: an iovec array built once and held with its buffers. */
export abstract class VectoredOp extends OpBase {
  /** The buffers, in order; held until completion. */
  readonly buffers: readonly Uint8Array[];
  /** The `struct iovec` array the kernel reads. */
  readonly iovecs: Uint32Array;
  readonly #fd: number;
  readonly #offset: number;
  readonly #rwFlags: number;
  readonly #address: number;

  /** Checks and keeps the fields the subclass's op writes; `name` (or `verb`) is used in error messages. */
  constructor(
    name: string,
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    offset: number,
    options: VectoredOptions,
  ) {
    super();
    const what = `${name} ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    checkOptions(options, what);
    if (!Array.isArray(buffers)) throw new TypeError(`Cannot ${what}: buffers must be an array of buffers`);
    if (buffers.length === 0 || buffers.length > IOV_MAX) {
      throw new RangeError(
        `Cannot ${what}: between 1 and ${IOV_MAX} buffers are needed: current count is ${buffers.length}`,
      );
    }
    this.buffers = buffers.map((b) => byteView(b, what));
    this.iovecs = encodeIovecs(this.buffers);
    this.#offset = checkOffset(offset, what);
    this.#rwFlags = checkFlags(options.rwFlags ?? 0, what, "rwFlags");
    this.#address = addressOf(this.iovecs);
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // Each iovec's length word is the length its buffer had when the op was built.
    for (let i = 0; i < this.buffers.length; i++) {
      checkAttached(this.buffers[i], this.iovecs[i * 4 + 2], this.name);
    }
    sqe.prepRw(this.opcode, this.#fd, this.#address, this.buffers.length, this.#offset);
    if (this.#rwFlags !== 0) sqe.opFlags(this.#rwFlags);
  }
}
