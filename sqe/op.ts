import type { SqeWriter } from "./writer.ts";
import type { IoRingErrorTarget } from "../util/error.ts";
import { IOSQE_FIXED_FILE } from "../kernel/constants.ts";
import { FixedFile } from "./fixed_file.ts";
import { checkInt } from "../util/checks.ts";

/** The target of an op that names none: shared, since no one changes a target. */
const NO_TARGET: IoRingErrorTarget = Object.freeze({});

/**
 * One io_uring operation, ready to be written into an SQE. Builders are
 * reusable: preparing the same builder many times writes the same SQE fields
 * and allocates nothing. A builder holds the memory it points the kernel at,
 * and the ring holds the builder until the operation's last completion.
 *
 * @example A NOP through the low-level API
 * ```ts
 * import { IoRing, Nop } from "@ioring/ioring";
 * using ring = new IoRing();
 * ring.prepare(new Nop(), 7);
 * ring.submit();
 * for await (const cqe of ring.completions()) {
 *   console.log(cqe.userData, cqe.res); // 7 0
 *   break;
 * }
 * ```
 */
export interface Op {
  /** The operation's name in errors ("read", "openat"). */
  readonly name: string;
  /** The `IORING_OP_*` code. */
  readonly opcode: number;
  /** The Linux version that introduced the opcode ("5.6"), for the error when this kernel lacks it. */
  readonly since: string;
  /** The fd or path that errors name. */
  readonly target: IoRingErrorTarget;
  /** True when one submission posts many completions (IORING_CQE_F_MORE): run it with `ring.multishot()`. */
  readonly multishot?: boolean;
  /** False for operations that point the kernel at no memory (NOP, fsync, close): the ring then holds no reference. */
  readonly holdsMemory?: boolean;
  /**
   * True when a result >= 0 is a new file descriptor (accept, openat, socket, ... not into a direct slot): the
   * ring closes one that no caller receives (a multishot accept's completion dropped after its loop broke).
   */
  readonly resultIsFd?: boolean;
  /** Writes the operation into the selected SQE (every field; user_data is set by the ring afterwards). */
  prep(sqe: SqeWriter): void;
}

/**
 * The fields every SQE has, as chainable setters. Subclasses write their own
 * fields in `prepOp` and this class applies flags, ioprio and personality.
 *
 * @example Linking two operations
 * ```ts
 * import { IOSQE_IO_LINK, IoRing, Nop } from "@ioring/ioring";
 * using ring = new IoRing();
 * ring.prepare(new Nop().flags(IOSQE_IO_LINK), 1);
 * ring.prepare(new Nop(), 2);
 * ring.submit();
 * ```
 */
export abstract class OpBase implements Op {
  abstract readonly name: string;
  abstract readonly opcode: number;
  abstract readonly since: string;
  /** The fd or path that errors name. */
  target: IoRingErrorTarget = NO_TARGET;
  /** Whether the op points the kernel at memory the ring must hold until completion. */
  readonly holdsMemory: boolean = true;
  /** True when the builder's options make one submission post many completions (run it with `ring.multishot()`). */
  multishot = false;
  #flags = 0;
  #ioprio = 0;
  #personality = 0;

  /** ORs `IOSQE_*` flags into the SQE (IOSQE_IO_LINK, IOSQE_ASYNC, ...). */
  flags(flags: number): this {
    // The SQE's flags field is one byte: a wider value would lose its high bits without a word.
    this.#flags |= checkInt(
      flags,
      `set the flags of ${this.name}`,
      "flags",
      0,
      0xff,
      "IOSQE_* bits (0 to 255)",
    );
    return this;
  }

  /** Sets the I/O priority (`ioprio`) of the request. */
  ioprio(ioprio: number): this {
    this.#ioprio = checkInt(ioprio, `set the ioprio of ${this.name}`, "ioprio", 0, 0xffff);
    return this;
  }

  /** Runs the request with a registered personality's credentials. */
  personality(id: number): this {
    this.#personality = checkInt(id, `set the personality of ${this.name}`, "personality", 0, 0xffff);
    return this;
  }

  /**
   * Takes an fd or a registered file for the SQE's fd field: a {@link FixedFile}
   * gives its slot and makes the op set IOSQE_FIXED_FILE. Checks the value.
   */
  protected useFd(fd: number | FixedFile, what: string): number {
    if (fd instanceof FixedFile) {
      this.#flags |= IOSQE_FIXED_FILE;
      return fd.index;
    }
    return checkInt(fd, what, "fd", -100, 0x7fffffff, "a file descriptor or a FixedFile");
  }

  /** The `IOSQE_*` flags set so far. */
  get sqeFlags(): number {
    return this.#flags;
  }

  /** Writes the operation's own fields, starting from a fully written SQE (`prepRw`). */
  protected abstract prepOp(sqe: SqeWriter): void;

  /** Writes the whole SQE. */
  prep(sqe: SqeWriter): void {
    this.prepOp(sqe);
    if ((this.#flags | this.#ioprio | this.#personality) !== 0) {
      if (this.#flags !== 0) sqe.flags(this.#flags);
      if (this.#ioprio !== 0) sqe.ioprio(this.#ioprio);
      if (this.#personality !== 0) sqe.personality(this.#personality);
    }
  }
}
