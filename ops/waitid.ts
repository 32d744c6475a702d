import { IORING_OP_WAITID, WEXITED } from "../kernel/constants.ts";
import { SIGINFO } from "../kernel/layout.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { checkFlags, checkInt, checkOptions, describe } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link Waitid}. */
export interface WaitidOptions {
  /** waitid(2) options: the state changes to wait for (WEXITED, WSTOPPED, WCONTINUED) and WNOHANG, WNOWAIT; default WEXITED. */
  options?: number;
}

/** What waitid(2) reports about a child, decoded from the `siginfo_t` the kernel filled. */
export interface WaitidResult {
  /** SIGCHLD (17) when a child was reported; 0 when WNOHANG found none. */
  signo: number;
  /** Always 0. */
  errno: number;
  /** What happened: CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_TRAPPED or CLD_CONTINUED. */
  code: number;
  /** The child's process ID (0 when WNOHANG found none). */
  pid: number;
  /** The child's real user ID. */
  uid: number;
  /** Its exit status (CLD_EXITED) or the signal that killed, stopped or continued it. */
  status: number;
}

/**
 * Queues (but does not submit) a waitid(2) into a `siginfo_t` that the builder
 * owns: it completes when a child selected by `idtype` and `id` changes state
 * as `options` asks (or at once with WNOHANG), with `res` 0; then
 * {@link Waitid.result} says which child and how. Only children of this
 * process can be waited for, and a child the runtime itself reaps may be
 * gone first (ECHILD): WNOWAIT leaves it to the runtime.
 * Matches `io_uring_prep_waitid()` in liburing. Available since 6.7.
 *
 * @example
 * ```ts ignore
 * import { IoRing, Waitid } from "@ioring/ioring";
 * import { P_PID, WSTOPPED } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * // pid: a child process of this one
 * const op = new Waitid(P_PID, pid, { options: WSTOPPED });
 * await ring.run(op);
 * console.log(op.result().status); // 19 (SIGSTOP) once the child was stopped
 * ```
 */
export class Waitid extends OpBase {
  /** Its name in errors. */
  readonly name: string = "waitid";
  /** IORING_OP_WAITID. */
  readonly opcode: number = IORING_OP_WAITID;
  /** Available since Linux 6.7. */
  readonly since: string = "6.7";
  /** The `siginfo_t` the kernel fills; held until completion. */
  readonly siginfo: Uint8Array = new Uint8Array(SIGINFO.size);
  readonly #idtype: number;
  readonly #id: number;
  readonly #options: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param idtype P_PID, P_PIDFD, P_PGID or P_ALL.
   * @param id The process ID, pidfd or process group ID (ignored with P_ALL).
   */
  constructor(idtype: number, id: number, options: WaitidOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `waitid ${describe(id)}`;
    this.#idtype = checkFlags(idtype, what, "idtype");
    this.#id = checkInt(id, what, "id", 0, 0x7fffffff, "an integer from 0 to 2^31-1");
    this.#options = checkFlags(options.options ?? WEXITED, what, "options");
    this.#address = addressOf(this.siginfo);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The id travels in fd, the idtype in len, the options in file_index and the siginfo in addr2.
    sqe.prepRw(IORING_OP_WAITID, this.#id, 0, this.#idtype, this.#address).fileIndex(this.#options);
  }

  /** Decodes the `siginfo_t` the kernel filled. */
  result(): WaitidResult {
    const v = new DataView(this.siginfo.buffer, this.siginfo.byteOffset, this.siginfo.byteLength);
    return {
      signo: v.getInt32(SIGINFO.signo, true),
      errno: v.getInt32(SIGINFO.errno, true),
      code: v.getInt32(SIGINFO.code, true),
      pid: v.getInt32(SIGINFO.pid, true),
      uid: v.getUint32(SIGINFO.uid, true),
      status: v.getInt32(SIGINFO.status, true),
    };
  }
}
