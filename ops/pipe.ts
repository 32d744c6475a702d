import { IORING_OP_PIPE, O_CLOEXEC } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { checkFlags, checkOptions } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link Pipe}. */
export interface PipeOptions {
  /** pipe2(2) flags (O_NONBLOCK, O_DIRECT); O_CLOEXEC is always added. */
  flags?: number;
}

/**
 * Queues (but does not submit) a pipe2(2) into a two-fd array that the
 * builder owns: `res` is 0 and {@link Pipe.result} gives `[read end, write end]`.
 * Matches `io_uring_prep_pipe()` in liburing. Available since 6.16.
 *
 * @example
 * ```ts
 * import { IoRing, Pipe } from "@ioring/ioring";
 * using ring = new IoRing();
 * const op = new Pipe();
 * await ring.run(op);
 * const [r, w] = op.result();
 * await ring.write(w, new TextEncoder().encode("hi"));
 * const buffer = new Uint8Array(2);
 * await ring.read(r, buffer);
 * await Promise.all([ring.closeFd(r), ring.closeFd(w)]);
 * ```
 */
export class Pipe extends OpBase {
  /** Its name in errors. */
  readonly name: string = "pipe";
  /** IORING_OP_PIPE. */
  readonly opcode: number = IORING_OP_PIPE;
  /** Available since Linux 6.16. */
  readonly since: string = "6.16";
  /** The two fds the kernel writes; held until completion. */
  readonly fds: Int32Array = new Int32Array(2);
  readonly #flags: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param options The pipe2(2) flags.
   */
  constructor(options: PipeOptions = {}) {
    super();
    checkOptions(options, this.name);
    this.#flags = (checkFlags(options.flags ?? 0, "pipe") | O_CLOEXEC) >>> 0;
    this.#address = addressOf(this.fds);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_PIPE, 0, this.#address, 0, 0).opFlags(this.#flags);
  }

  /** The new pipe's `[read end, write end]`, once `res` is 0. */
  result(): [number, number] {
    return [this.fds[0], this.fds[1]];
  }
}
