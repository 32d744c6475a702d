import {
  IORING_OP_URING_CMD,
  SOCKET_URING_OP_GETSOCKNAME,
  SOCKET_URING_OP_GETSOCKOPT,
  SOCKET_URING_OP_SETSOCKOPT,
  SOCKET_URING_OP_SIOCINQ,
  SOCKET_URING_OP_SIOCOUTQ,
} from "../kernel/constants.ts";
import { SOCKADDR_STORAGE } from "../kernel/layout.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, type BufferSource, byteView, checkAttached } from "../memory/buffers.ts";
import { checkInt, checkOptions, describe } from "../util/checks.ts";
import { decodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link SocketCmd}. */
export interface SocketCmdOptions {
  /** The option level (`sqe.level`) of GETSOCKOPT/SETSOCKOPT: SOL_SOCKET, ... */
  level?: number;
  /** The option (`sqe.optname`) of GETSOCKOPT/SETSOCKOPT: SO_RCVBUF, ... */
  optname?: number;
  /** The option's value (`sqe.optval`, `sqe.optlen` its length): read by SETSOCKOPT, written by GETSOCKOPT. */
  optval?: BufferSource;
  /** GETSOCKNAME: the peer's address (getpeername(2)) instead of the local one. */
  peer?: boolean;
}

const COMMANDS: Record<number, { name: string; since: string }> = {
  [SOCKET_URING_OP_SIOCINQ]: { name: "SIOCINQ", since: "6.7" },
  [SOCKET_URING_OP_SIOCOUTQ]: { name: "SIOCOUTQ", since: "6.7" },
  [SOCKET_URING_OP_GETSOCKOPT]: { name: "GETSOCKOPT", since: "6.7" },
  [SOCKET_URING_OP_SETSOCKOPT]: { name: "SETSOCKOPT", since: "6.7" },
  [SOCKET_URING_OP_GETSOCKNAME]: { name: "GETSOCKNAME", since: "6.19" },
};

/**
 * Queues (but does not submit) an IORING_OP_URING_CMD on a socket: one of the
 * `SOCKET_URING_OP_*` commands, chosen by the static constructors.
 * - {@link SocketCmd.siocinq}: `res` is the bytes waiting to be read (ioctl SIOCINQ).
 * - {@link SocketCmd.siocoutq}: `res` is the bytes not yet sent (ioctl SIOCOUTQ).
 * - {@link SocketCmd.getsockopt}: getsockopt(2) into `optval`, `res` the option's
 *   length; the kernel only allows level SOL_SOCKET.
 * - {@link SocketCmd.setsockopt}: setsockopt(2); `res` is 0.
 * - {@link SocketCmd.getsockname}: getsockname(2)/getpeername(2); decode with
 *   {@link SocketCmd.address} (6.19).
 *
 * Matches `io_uring_prep_cmd_sock()` and `io_uring_prep_cmd_getsockname()` in
 * liburing. IORING_OP_URING_CMD is available since 5.19, the socket commands
 * since 6.7, GETSOCKNAME since 6.19.
 *
 * @example
 * ```ts ignore
 * import { IoRing, SocketCmd } from "@ioring/ioring";
 * import { SO_RCVBUF, SOL_SOCKET } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * // socket: any socket
 * await ring.run(SocketCmd.setsockopt(socket, SOL_SOCKET, SO_RCVBUF, 65536));
 * const get = SocketCmd.getsockopt(socket, SOL_SOCKET, SO_RCVBUF);
 * await ring.run(get);
 * console.log(get.int()); // 131072: Linux doubles it
 * ```
 */
export class SocketCmd extends OpBase {
  /** Points the kernel at no memory for SIOCINQ and SIOCOUTQ. */
  override readonly holdsMemory: boolean = true;
  /** Its name in errors ("uring_cmd SETSOCKOPT"). */
  readonly name: string;
  /** IORING_OP_URING_CMD. */
  readonly opcode: number = IORING_OP_URING_CMD;
  /** The Linux version the command needs: 6.7, or 6.19 for GETSOCKNAME. */
  readonly since: string;
  /** The `SOCKET_URING_OP_*` command (`sqe.cmd_op`). */
  readonly cmdOp: number;
  /** The option value the kernel reads or writes (or the address for GETSOCKNAME), or null; held until completion. */
  readonly optval: Uint8Array | null;
  /** GETSOCKNAME's address length word (`socklen_t`), or null; held until completion. */
  readonly optlen: Uint32Array | null;
  readonly #fd: number;
  readonly #level: number;
  readonly #optname: number;
  readonly #peer: number;
  readonly #optvalAddress: number;
  readonly #optlenAddress: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The socket.
   * @param cmdOp A `SOCKET_URING_OP_*` command (prefer the static constructors).
   */
  constructor(fd: number | FixedFile, cmdOp: number, options: SocketCmdOptions = {}) {
    super();
    checkOptions(options, "run a socket command");
    const command = typeof cmdOp === "number" ? COMMANDS[cmdOp] : undefined;
    const what = `run socket command ${command?.name ?? describe(cmdOp)} on ${fdLabel(fd)}`;
    if (command === undefined) {
      throw new RangeError(
        `Cannot ${what}: cmdOp must be SOCKET_URING_OP_SIOCINQ, _SIOCOUTQ, _GETSOCKOPT, _SETSOCKOPT or _GETSOCKNAME: current value is ${
          describe(cmdOp)
        }`,
      );
    }
    this.#fd = this.useFd(fd, what);
    this.cmdOp = cmdOp;
    this.name = `uring_cmd ${command.name}`;
    this.since = command.since;
    this.#level = checkInt(options.level ?? 0, what, "level", 0, 0xffffffff);
    this.#optname = checkInt(options.optname ?? 0, what, "optname", 0, 0xffffffff);
    this.#peer = options.peer === true ? 1 : 0;
    const sockopt = cmdOp === SOCKET_URING_OP_GETSOCKOPT || cmdOp === SOCKET_URING_OP_SETSOCKOPT;
    if (sockopt && options.optval === undefined) {
      throw new TypeError(`Cannot ${what}: optval is needed: current value is undefined`);
    }
    if (cmdOp === SOCKET_URING_OP_GETSOCKNAME) {
      this.optval = options.optval === undefined
        ? new Uint8Array(SOCKADDR_STORAGE.size)
        : byteView(options.optval, what);
      this.optlen = new Uint32Array(1);
    } else {
      this.optval = sockopt ? byteView(options.optval!, what) : null;
      this.optlen = null;
    }
    this.#optvalAddress = this.optval === null ? 0 : addressOf(this.optval);
    this.#optlenAddress = this.optlen === null ? 0 : addressOf(this.optlen);
    this.holdsMemory = this.optval !== null;
    this.target = { fd: this.#fd };
  }

  /** SOCKET_URING_OP_SIOCINQ: `res` is the number of bytes waiting to be read. */
  static siocinq(fd: number | FixedFile): SocketCmd {
    return new SocketCmd(fd, SOCKET_URING_OP_SIOCINQ);
  }

  /** SOCKET_URING_OP_SIOCOUTQ: `res` is the number of bytes sent but not yet acknowledged (or queued). */
  static siocoutq(fd: number | FixedFile): SocketCmd {
    return new SocketCmd(fd, SOCKET_URING_OP_SIOCOUTQ);
  }

  /**
   * SOCKET_URING_OP_GETSOCKOPT: reads option `optname` at `level` (SOL_SOCKET
   * only) into `optval` (default 4 bytes: an int, read with {@link SocketCmd.int});
   * `res` is the option's length.
   */
  static getsockopt(
    fd: number | FixedFile,
    level: number,
    optname: number,
    optval: BufferSource = new Uint8Array(4),
  ): SocketCmd {
    return new SocketCmd(fd, SOCKET_URING_OP_GETSOCKOPT, { level, optname, optval });
  }

  /** SOCKET_URING_OP_SETSOCKOPT: sets option `optname` at `level` to an int or to raw bytes; `res` is 0. */
  static setsockopt(
    fd: number | FixedFile,
    level: number,
    optname: number,
    value: number | BufferSource,
  ): SocketCmd {
    let optval: BufferSource;
    if (typeof value === "number") {
      checkInt(value, `set socket option ${optname} on ${fdLabel(fd)}`, "value", -0x80000000, 0x7fffffff);
      optval = new Int32Array([value]);
    } else {
      optval = value;
    }
    return new SocketCmd(fd, SOCKET_URING_OP_SETSOCKOPT, { level, optname, optval });
  }

  /** SOCKET_URING_OP_GETSOCKNAME: the socket's local address, or with `peer` its peer's (6.19). */
  static getsockname(fd: number | FixedFile, peer = false): SocketCmd {
    return new SocketCmd(fd, SOCKET_URING_OP_GETSOCKNAME, { peer });
  }

  /** The first 4 bytes of `optval` as a signed int (GETSOCKOPT of an int option). */
  int(): number {
    if (this.optval === null || this.optval.length < 4) {
      throw new TypeError(`Cannot read ${this.name}'s value as an int: optval has fewer than 4 bytes`);
    }
    return new DataView(this.optval.buffer, this.optval.byteOffset, 4).getInt32(0, true);
  }

  /** The address GETSOCKNAME returned, or null before it completed. */
  address(): SocketAddress | null {
    if (this.optval === null || this.optlen === null) return null;
    return decodeSockaddr(this.optval, Math.min(this.optlen[0], this.optval.length));
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    if (this.optval !== null) checkAttached(this.optval, this.#optvalAddress, this.name);
    if (this.cmdOp === SOCKET_URING_OP_GETSOCKNAME) {
      // addr is the sockaddr, addr3 its length word, optlen whether to name the peer.
      this.optlen![0] = this.optval!.length;
      sqe.prepRw(IORING_OP_URING_CMD, this.#fd, this.#optvalAddress, 0, this.cmdOp)
        .addr3(this.#optlenAddress)
        .fileIndex(this.#peer);
      return;
    }
    // off is cmd_op (and __pad1 = 0), addr the pair level/optname, addr3 optval, file_index optlen.
    sqe.prepRw(IORING_OP_URING_CMD, this.#fd, 0, 0, this.cmdOp);
    sqe.u32[sqe.w + 4] = this.#level;
    sqe.u32[sqe.w + 5] = this.#optname;
    if (this.optval !== null) sqe.addr3(this.#optvalAddress).fileIndex(this.optval.length);
  }
}
