import {
  IORING_MSG_DATA,
  IORING_MSG_RING_CQE_SKIP,
  IORING_MSG_RING_FLAGS_PASS,
  IORING_MSG_SEND_FD,
  IORING_OP_MSG_RING,
} from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFd, checkInt, checkOptions, describe } from "../util/checks.ts";
import { directSlot } from "./_net.ts";
import { OpBase } from "../sqe/op.ts";
import { FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link MsgRing}. */
export interface MsgRingOptions {
  /**
   * IORING_MSG_RING_FLAGS_PASS: the target's CQE carries these `flags`
   * (`sqe.file_index`) (6.3). Avoid IORING_CQE_F_MORE, which tells the target
   * more completions of that user data follow.
   */
  cqeFlags?: number;
}

/** Options of {@link MsgRingFd}. */
export interface MsgRingFdOptions {
  /** The slot in the target ring's registered-file table; default `"alloc"` (IORING_FILE_INDEX_ALLOC): a free one. */
  targetSlot?: number | "alloc";
  /** The `user_data` of the CQE posted on the target ring; default 0. */
  userData?: number;
  /** IORING_MSG_RING_CQE_SKIP: post no CQE on the target ring. */
  skipCqe?: boolean;
}

const MAX_USER_DATA = Number.MAX_SAFE_INTEGER;

/**
 * Queues (but does not submit) an IORING_MSG_DATA message to another ring:
 * the target ring gets a CQE with `user_data` = `userData` and `res` = `res`
 * (and `flags` = `cqeFlags` with that option), and this ring a CQE with
 * `res` 0. `target` is the other ring's fd (`ring.fd`); it cannot be a
 * registered file, as the kernel refuses to register a ring's fd.
 * Matches `io_uring_prep_msg_ring()` and `io_uring_prep_msg_ring_cqe_flags()`
 * in liburing. Available since 5.18; `cqeFlags` since 6.3.
 *
 * @example
 * ```ts
 * import { IoRing, MsgRing } from "@ioring/ioring";
 * using a = new IoRing();
 * using b = new IoRing();
 * await a.run(new MsgRing(b.fd, 42, 7));
 * for await (const cqe of b.completions()) {
 *   console.log(cqe.userData, cqe.res); // 42 7
 *   break;
 * }
 * ```
 */
export class MsgRing extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "msg_ring";
  /** IORING_OP_MSG_RING. */
  readonly opcode: number = IORING_OP_MSG_RING;
  /** The Linux version this use of the op needs: 5.18, or 6.3 with `cqeFlags`. */
  readonly since: string;
  readonly #fd: number;
  readonly #userData: number;
  readonly #res: number;
  readonly #cqeFlags: number | undefined;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param target The target ring's fd.
   * @param userData The `user_data` of the target's CQE (0 to 2^53-1).
   * @param res The `res` of the target's CQE (a 32-bit signed integer); default 0.
   */
  constructor(target: number, userData: number, res = 0, options: MsgRingOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `send a message to the ring at fd ${describe(target)}`;
    this.#fd = checkFd(target, what);
    this.#userData = checkInt(userData, what, "userData", 0, MAX_USER_DATA);
    this.#res = checkInt(res, what, "res", -0x80000000, 0x7fffffff);
    this.#cqeFlags = options.cqeFlags === undefined
      ? undefined
      : checkInt(options.cqeFlags, what, "cqeFlags", 0, 0xffffffff);
    this.since = this.#cqeFlags === undefined ? "5.18" : "6.3";
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // addr is the command (IORING_MSG_DATA = 0), len the target's res, off its user_data.
    sqe.prepRw(IORING_OP_MSG_RING, this.#fd, IORING_MSG_DATA, this.#res >>> 0, this.#userData);
    if (this.#cqeFlags !== undefined) sqe.opFlags(IORING_MSG_RING_FLAGS_PASS).fileIndex(this.#cqeFlags);
  }
}

/**
 * Queues (but does not submit) an IORING_MSG_SEND_FD message: installs this
 * ring's direct descriptor `source` into another ring's registered-file
 * table. Both rings' CQEs carry `res` = the target slot (the allocated one
 * with `"alloc"`, otherwise 0); the target's has `user_data` = `userData`,
 * unless `skipCqe`. The target must be a different ring with a file table.
 * Matches `io_uring_prep_msg_ring_fd()` and `io_uring_prep_msg_ring_fd_alloc()`
 * in liburing. Available since 6.0.
 *
 * @example
 * ```ts ignore
 * import { FixedFile, IoRing, MsgRingFd } from "@ioring/ioring";
 * using a = new IoRing();
 * using b = new IoRing();
 * // a has a registered file in slot 0; b has a (sparse) registered-file table
 * const slot = await a.run(new MsgRingFd(b.fd, new FixedFile(0), { userData: 9 }));
 * ```
 */
export class MsgRingFd extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "msg_ring";
  /** IORING_OP_MSG_RING. */
  readonly opcode: number = IORING_OP_MSG_RING;
  /** IORING_MSG_SEND_FD is available since Linux 6.0. */
  readonly since: string = "6.0";
  readonly #fd: number;
  readonly #source: number;
  readonly #fileIndex: number;
  readonly #userData: number;
  readonly #flags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param target The target ring's fd.
   * @param source The direct descriptor of this ring to send.
   */
  constructor(target: number, source: FixedFile, options: MsgRingFdOptions = {}) {
    super();
    const what = `send a file to the ring at fd ${describe(target)}`;
    checkOptions(options, what);
    this.#fd = checkFd(target, what);
    if (!(source instanceof FixedFile)) {
      throw new TypeError(
        `Cannot ${what}: source must be a FixedFile (a direct descriptor of this ring): current value is ${
          describe(source)
        }`,
      );
    }
    this.#source = source.index;
    this.#fileIndex = directSlot(options.targetSlot ?? "alloc", what);
    this.#userData = checkInt(options.userData ?? 0, what, "userData", 0, MAX_USER_DATA);
    this.#flags = options.skipCqe === true ? IORING_MSG_RING_CQE_SKIP : 0;
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // addr is the command, off the target's user_data, addr3 the source slot, file_index the target slot + 1.
    sqe.prepRw(IORING_OP_MSG_RING, this.#fd, IORING_MSG_SEND_FD, 0, this.#userData)
      .addr3(this.#source)
      .fileIndex(this.#fileIndex)
      .opFlags(this.#flags);
  }
}
