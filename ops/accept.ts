import { opBytes, opWords } from "../memory/arena.ts";
import {
  IORING_ACCEPT_DONTWAIT,
  IORING_ACCEPT_MULTISHOT,
  IORING_ACCEPT_POLL_FIRST,
  IORING_FILE_INDEX_ALLOC,
  IORING_OP_ACCEPT,
} from "../kernel/constants.ts";
import { SOCK_CLOEXEC } from "../kernel/constants.ts";
import { SOCKADDR_STORAGE } from "../kernel/layout.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { checkFlags, checkOptions } from "../util/checks.ts";
import { directSlot, ioprioTaken } from "./_net.ts";
import { decodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link Accept}. */
export interface AcceptOptions {
  /** `SOCK_NONBLOCK` for the new socket. SOCK_CLOEXEC is always added to a regular fd (never to a direct one). */
  flags?: number;
  /**
   * IORING_ACCEPT_MULTISHOT: keep accepting, one CQE per connection with
   * IORING_CQE_F_MORE, until an error or cancellation (5.19). Low-level API only.
   */
  multishot?: boolean;
  /** IORING_ACCEPT_DONTWAIT: fail with EAGAIN instead of waiting when no connection is pending (6.10). */
  dontWait?: boolean;
  /** IORING_ACCEPT_POLL_FIRST: wait for a connection before the first attempt (6.10). */
  pollFirst?: boolean;
  /**
   * Install the new socket as a direct descriptor in the ring's registered-file
   * table instead of the process's fd table: a slot, or `"alloc"`
   * (IORING_FILE_INDEX_ALLOC) to let the kernel pick a free one and return it
   * in `res`. Multishot needs `"alloc"` (5.15).
   */
  direct?: number | "alloc";
  /** Keep room for the peer's address and length, for {@link Accept.peer}; default true. */
  peerAddress?: boolean;
}

/**
 * Queues (but does not submit) an accept4(2) on a listening socket: `res` is
 * the new connection's fd (with `direct`: 0, or the allocated slot). The
 * peer's address lands in memory the builder holds: read it with
 * {@link Accept.peer}. With `multishot`, one request accepts connection after
 * connection, each CQE carrying IORING_CQE_F_MORE while it stays armed (the
 * address memory then holds the latest peer).
 * Matches `io_uring_prep_accept()`, `io_uring_prep_accept_direct()`,
 * `io_uring_prep_multishot_accept()` and `io_uring_prep_multishot_accept_direct()`
 * in liburing. Available since 5.5; `direct` since 5.15, `multishot` since
 * 5.19, `dontWait` and `pollFirst` since 6.10.
 *
 * @example
 * ```ts ignore
 * import { Accept, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * // listener: a listening TCP socket
 * const op = new Accept(listener);
 * const fd = await ring.run(op);
 * console.log(fd, op.peer()); // 7 { family: "ipv4", address: "127.0.0.1", port: 51234 }
 * ```
 */
export class Accept extends OpBase {
  /** Points the kernel at no memory without `peerAddress`. */
  override readonly holdsMemory: boolean = true;
  /** Its name in errors. */
  readonly name: string = "accept";
  /** IORING_OP_ACCEPT. */
  readonly opcode: number = IORING_OP_ACCEPT;
  /** The Linux version this use of the op needs: 5.5, 5.15 with `direct`, 5.19 with `multishot`, 6.10 with `dontWait`/`pollFirst`. */
  readonly since: string;
  /** True unless the accepted socket goes into a direct slot: the result is then a file descriptor. */
  readonly resultIsFd: boolean;
  /** Where the kernel writes the peer's address (`struct sockaddr_storage`), or null; held until completion. */
  readonly peerAddress: Uint8Array | null;
  /** The address length word (`socklen_t`) the kernel reads and updates, or null; held until completion. */
  readonly peerAddressLength: Uint32Array | null;
  readonly #fd: number;
  readonly #flags: number;
  readonly #acceptFlags: number;
  readonly #fileIndex: number;
  readonly #address: number;
  readonly #lengthAddress: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The listening socket.
   */
  constructor(fd: number | FixedFile, options: AcceptOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `accept ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    const multishot = options.multishot === true;
    this.multishot = multishot;
    this.#fileIndex = options.direct === undefined ? 0 : directSlot(options.direct, what);
    if (multishot && this.#fileIndex !== 0 && this.#fileIndex !== IORING_FILE_INDEX_ALLOC) {
      throw new RangeError(
        `Cannot ${what}: a multishot accept into direct descriptors needs direct: "alloc": current value is ${options.direct}`,
      );
    }
    this.resultIsFd = this.#fileIndex === 0;
    const flags = checkFlags(options.flags ?? 0, what);
    this.#flags = (this.#fileIndex === 0 ? flags | SOCK_CLOEXEC : flags & ~SOCK_CLOEXEC) >>> 0;
    this.#acceptFlags = (multishot ? IORING_ACCEPT_MULTISHOT : 0) |
      (options.dontWait === true ? IORING_ACCEPT_DONTWAIT : 0) |
      (options.pollFirst === true ? IORING_ACCEPT_POLL_FIRST : 0);
    if (options.peerAddress === false) {
      this.peerAddress = this.peerAddressLength = null;
      this.#address = this.#lengthAddress = 0;
      this.holdsMemory = false;
    } else {
      this.peerAddress = opBytes(SOCKADDR_STORAGE.size);
      this.peerAddressLength = opWords(1);
      this.#address = addressOf(this.peerAddress);
      this.#lengthAddress = addressOf(this.peerAddressLength);
    }
    this.since = options.dontWait === true || options.pollFirst === true
      ? "6.10"
      : multishot
      ? "5.19"
      : this.#fileIndex !== 0
      ? "5.15"
      : "5.5";
    this.target = { fd: this.#fd };
  }

  /** Refused: the SQE's ioprio field holds this op's `IORING_ACCEPT_*` flags. */
  override ioprio(ioprio: number): this {
    throw ioprioTaken(this.name, "IORING_ACCEPT_*", ioprio);
  }

  /** The peer address of the (latest) accepted connection, or null without `peerAddress` or before one. */
  peer(): SocketAddress | null {
    if (this.peerAddress === null || this.peerAddressLength === null) return null;
    return decodeSockaddr(this.peerAddress, Math.min(this.peerAddressLength[0], SOCKADDR_STORAGE.size));
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The kernel reads the room left in the length word and writes the address's length into it.
    if (this.peerAddressLength !== null) this.peerAddressLength[0] = SOCKADDR_STORAGE.size;
    sqe.prepRw(IORING_OP_ACCEPT, this.#fd, this.#address, 0, this.#lengthAddress).opFlags(this.#flags);
    if (this.#acceptFlags !== 0) sqe.ioprio(this.#acceptFlags);
    if (this.#fileIndex !== 0) sqe.fileIndex(this.#fileIndex);
  }
}
