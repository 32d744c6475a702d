import { IOSQE_BUFFER_SELECT } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, type BufferSource, byteView, checkAttached } from "../memory/buffers.ts";
import { checkFlags, checkInt, checkLength, checkOffset, checkOptions, checkU16 } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link Read} and {@link Write}. */
export interface ReadWriteOptions {
  /**
   * Bytes to transfer; default: the whole buffer. With a buffer group (reads): a cap on the read;
   * default 0, the picked buffer's size.
   */
  length?: number;
  /** `RWF_*` flags, as for preadv2(2)/pwritev2(2). */
  rwFlags?: number;
}

/**
 * The buffer group a read selects from: `options.bufferGroup`, undefined without one. A null buffer
 * without a group is refused here (before the builder's other checks).
 */
export function selectedGroup(
  name: string,
  fd: number | FixedFile,
  buffer: unknown,
  options: { bufferGroup?: number } | undefined,
): number | undefined {
  const group = options !== null && typeof options === "object" ? options.bufferGroup : undefined;
  if (buffer === null && group === undefined) {
    throw new TypeError(
      `Cannot ${name} ${fdLabel(fd)}: a null buffer needs options.bufferGroup: current value is undefined`,
    );
  }
  return group;
}

/**
 * The shape shared by single-buffer reads and writes: fd, buffer, length, offset, rw_flags. A read may
 * leave the buffer to the kernel (`buffer` null): it then picks one from a buffer group
 * (IOSQE_BUFFER_SELECT, `buf_group`), as `io_uring_prep_read()` with a NULL buffer and the flag.
 */
export abstract class BufferOp<B extends Uint8Array | null = Uint8Array> extends OpBase {
  /** The memory the kernel reads or writes, or null when it picks a buffer of a group; held until completion. */
  readonly buffer: B;
  /** False when the kernel picks the buffer: the group's memory belongs to whoever registered it. */
  override readonly holdsMemory: boolean;
  readonly #fd: number;
  readonly #address: number;
  readonly #length: number;
  #offset: number;
  readonly #rwFlags: number;
  readonly #group: number; // -1: no buffer group

  /**
   * Checks and keeps the fields the subclass's op writes; `name` (or `verb`) is used in error messages.
   * `bufferGroup` is given by reads only: with it, `buffer` must be null.
   */
  constructor(
    name: string,
    fd: number | FixedFile,
    buffer: BufferSource | B,
    offset: number,
    options: ReadWriteOptions,
    bufferGroup?: number,
  ) {
    super();
    const what = `${name} ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    checkOptions(options, what);
    if (bufferGroup !== undefined) {
      if (buffer !== null) {
        throw new TypeError(
          `Cannot ${what}: bufferGroup needs a null buffer (the kernel picks one): current buffer is a ${buffer.constructor.name}`,
        );
      }
      this.#group = checkU16(bufferGroup, what, "bufferGroup");
      this.buffer = null as B;
      this.#length = checkInt(options.length ?? 0, what, "length", 0, 0xffffffff);
      this.#address = 0;
      this.flags(IOSQE_BUFFER_SELECT);
    } else {
      this.#group = -1;
      this.buffer = byteView(buffer as BufferSource, what) as B;
      this.#length = checkLength(options.length, this.buffer!, what);
      this.#address = addressOf(this.buffer!);
    }
    this.holdsMemory = this.buffer !== null;
    this.#offset = checkOffset(offset, what);
    this.#rwFlags = checkFlags(options.rwFlags ?? 0, what, "rwFlags");
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
    if (this.buffer !== null) checkAttached(this.buffer, this.#address, this.name);
    sqe.prepRw(this.opcode, this.#fd, this.#address, this.#length, this.#offset);
    if (this.#rwFlags !== 0) sqe.opFlags(this.#rwFlags);
    if (this.#group >= 0) sqe.bufIndex(this.#group);
  }
}
