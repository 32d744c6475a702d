import { IOSQE_BUFFER_SELECT } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, type BufferSource, byteView, checkAttached, encodeIovecs } from "../memory/buffers.ts";
import { checkFlags, checkInt, checkOffset, checkOptions, checkU16 } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";
import { IOVEC } from "../kernel/layout.ts";

/** Options of {@link Readv} and {@link Writev}. */
export interface VectoredOptions {
  /** `RWF_*` flags, as for preadv2(2)/pwritev2(2). */
  rwFlags?: number;
}

const IOV_MAX = 1024;

/**
 * The shape shared by readv and writev: an iovec array built once and held with its buffers. A readv may
 * leave the buffer to the kernel (`buffers` null): it then picks one from a buffer group
 * (IOSQE_BUFFER_SELECT), and the one iovec it reads holds only the length cap, as liburing's callers
 * pass it to `io_uring_prep_readv()` (the kernel refuses any other count with a group).
 */
export abstract class VectoredOp extends OpBase {
  /** The buffers, in order (none when the kernel picks a buffer of a group); held until completion. */
  readonly buffers: readonly Uint8Array[];
  /** The `struct iovec` array the kernel reads. */
  readonly iovecs: Uint32Array;
  readonly #fd: number;
  readonly #offset: number;
  readonly #rwFlags: number;
  readonly #address: number;
  readonly #count: number;
  readonly #group: number; // -1: no buffer group

  /**
   * Checks and keeps the fields the subclass's op writes; `name` (or `verb`) is used in error messages.
   * `select` is given by reads only: `buffers` may then be null with `select.bufferGroup`, and
   * `select.length` caps the read.
   */
  constructor(
    name: string,
    fd: number | FixedFile,
    buffers: readonly BufferSource[] | null,
    offset: number,
    options: VectoredOptions,
    select?: { bufferGroup?: number; length?: number },
  ) {
    super();
    const what = `${name} ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    checkOptions(options, what);
    const group = select?.bufferGroup;
    if (group !== undefined || (buffers === null && select !== undefined)) {
      if (buffers !== null) {
        throw new TypeError(
          `Cannot ${what}: bufferGroup needs null buffers (the kernel picks one buffer): current value is ${
            Array.isArray(buffers) ? `an array of ${buffers.length}` : typeof buffers
          }`,
        );
      }
      if (group === undefined) {
        throw new TypeError(
          `Cannot ${what}: null buffers need options.bufferGroup: current value is undefined`,
        );
      }
      this.#group = checkU16(group, what, "bufferGroup");
      const length = checkInt(select!.length ?? 0, what, "length", 0, 0xffffffff);
      this.buffers = [];
      this.iovecs = encodeIovecs([], 1); // iov_base NULL: the kernel takes only iov_len
      this.iovecs[IOVEC.len / 4] = length;
      this.#count = 1;
      this.flags(IOSQE_BUFFER_SELECT);
    } else {
      if (select?.length !== undefined) {
        throw new TypeError(
          `Cannot ${what}: length needs options.bufferGroup (the buffers' lengths bound a readv): current value is ${select.length}`,
        );
      }
      if (!Array.isArray(buffers)) throw new TypeError(`Cannot ${what}: buffers must be an array of buffers`);
      if (buffers.length === 0 || buffers.length > IOV_MAX) {
        throw new RangeError(
          `Cannot ${what}: between 1 and ${IOV_MAX} buffers are needed: current count is ${buffers.length}`,
        );
      }
      this.#group = -1;
      this.buffers = buffers.map((b) => byteView(b, what));
      this.iovecs = encodeIovecs(this.buffers);
      this.#count = this.buffers.length;
    }
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
    sqe.prepRw(this.opcode, this.#fd, this.#address, this.#count, this.#offset);
    if (this.#rwFlags !== 0) sqe.opFlags(this.#rwFlags);
    if (this.#group >= 0) sqe.bufIndex(this.#group);
  }
}
