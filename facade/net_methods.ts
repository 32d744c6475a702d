/**
 * {@link NetMethods}: sockets through the ring: creating, binding, listening, accepting and connecting
 * them, sending and receiving, shutting them down, and socket commands.
 *
 * @module
 */
import type { FixedFile } from "../sqe/fixed_file.ts";
import type { BufferSource } from "../memory/buffers.ts";
import type { SocketAddress } from "../memory/sockaddr.ts";
import type { BufferRing, BufferRingTake, BufferSelection } from "../ring/buffer_ring.ts";
import type { RunOptions } from "../ring/core.ts";
import { Socket, type SocketOptions } from "../ops/socket.ts";
import { Bind } from "../ops/bind.ts";
import { Listen } from "../ops/listen.ts";
import { Accept, type AcceptOptions } from "../ops/accept.ts";
import { Connect } from "../ops/connect.ts";
import { Shutdown } from "../ops/shutdown.ts";
import { Send, type SendOptions } from "../ops/send.ts";
import { SendZc, type SendZcOptions } from "../ops/send_zc.ts";
import { SendMsg, type SendMsgOptions } from "../ops/sendmsg.ts";
import { SendMsgZc, type SendMsgZcOptions } from "../ops/sendmsg_zc.ts";
import { Recv, type RecvOptions } from "../ops/recv.ts";
import { RecvMsg, type RecvMsgOptions, type RecvMsgResult } from "../ops/recvmsg.ts";
import type { SocketCmd } from "../ops/uring_cmd.ts";
import { FileSystemMethods } from "./file_system_methods.ts";

/**
 * {@link IoRing}'s socket methods, one per opcode: socket, bind, listen, accept, connect, shutdown, the
 * sends (copying and zero-copy) and receives, and socket commands (URING_CMD). A stream of accepts or
 * receives is `ring.multishot(op)` on the builder with `{ multishot: true }`. Use it through
 * {@link IoRing}; `listen()` and `connect()` in `@ioring/ioring/net` wrap these for TCP.
 *
 * @example
 * ```ts
 * import { AF_INET, IoRing, SOCK_STREAM } from "@ioring/ioring";
 * await using ring = new IoRing();
 * const listener = await ring.socket(AF_INET, SOCK_STREAM);
 * await ring.closeFd(listener);
 * ```
 */
export class NetMethods extends FileSystemMethods {
  /**
   * Creates a socket (socket(2), SOCKET op 5.19); resolves with its fd (or its slot with `direct`).
   *
   * @example
   * ```ts ignore
   * import { AF_INET, SOCK_STREAM } from "@ioring/ioring";
   * const fd = await ring.socket(AF_INET, SOCK_STREAM);
   * ```
   */
  socket(domain: number, type: number, protocol = 0, options?: SocketOptions & RunOptions): Promise<number> {
    return this.runBuilt(() => new Socket(domain, type, protocol, options), options);
  }

  /**
   * Binds a socket to `address` (bind(2), BIND op 6.11).
   *
   * @example
   * ```ts ignore
   * await ring.bind(fd, { family: "ipv4", address: "127.0.0.1", port: 0 });
   * ```
   */
  async bind(fd: number | FixedFile, address: SocketAddress, options?: RunOptions): Promise<void> {
    await this.runBuilt(() => new Bind(fd, address), options);
  }

  /**
   * Marks a socket as listening (listen(2), LISTEN op 6.11).
   *
   * @example
   * ```ts ignore
   * await ring.listen(fd, 128);
   * ```
   */
  async listen(fd: number | FixedFile, backlog?: number, options?: RunOptions): Promise<void> {
    await this.runBuilt(() => new Listen(fd, backlog), options);
  }

  /**
   * Accepts one connection on a listening socket (accept4(2)); resolves with its fd and the peer's address.
   * For a stream of connections use `ring.multishot(new Accept(fd, { multishot: true }))`.
   *
   * @example
   * ```ts ignore
   * const { fd, peer } = await ring.accept(listener);
   * ```
   */
  accept(
    fd: number | FixedFile,
    options?: AcceptOptions & RunOptions,
  ): Promise<{ fd: number; peer: SocketAddress | null }> {
    return this.runBuilt(() => new Accept(fd, options), options, (res, op) => ({ fd: res, peer: op.peer() }));
  }

  /**
   * Connects a socket to `address` (connect(2)).
   *
   * @example
   * ```ts ignore
   * await ring.connect(socket, { family: "ipv4", address: "127.0.0.1", port: 8080 }, { timeout: 1_000 });
   * ```
   */
  async connect(fd: number | FixedFile, address: SocketAddress, options?: RunOptions): Promise<void> {
    await this.runBuilt(() => new Connect(fd, address), options);
  }

  /**
   * Shuts down one or both directions of a connection (shutdown(2)); `how` defaults to SHUT_RDWR.
   *
   * @example
   * ```ts ignore
   * import { SHUT_WR } from "@ioring/ioring/constants";
   * await ring.shutdown(socket, SHUT_WR);
   * ```
   */
  async shutdown(fd: number | FixedFile, how?: number, options?: RunOptions): Promise<void> {
    await this.runBuilt(() => new Shutdown(fd, how), options);
  }

  /**
   * Sends `buffer` on a socket (send(2), or sendto(2) with `to`); resolves with the bytes sent.
   *
   * @example
   * ```ts ignore
   * const sent = await ring.send(socket, new TextEncoder().encode("hello"));
   * ```
   */
  send(fd: number | FixedFile, buffer: BufferSource, options?: SendOptions & RunOptions): Promise<number> {
    return this.runBuilt(() => new Send(fd, buffer, options), options);
  }

  /**
   * Sends `buffer` without copying it (SEND_ZC, 6.0); resolves with the bytes sent once the kernel has
   * released the buffer (its notification CQE).
   *
   * @example
   * ```ts ignore
   * await ring.sendZc(tcpSocket, largeBuffer);
   * ```
   */
  sendZc(
    fd: number | FixedFile,
    buffer: BufferSource,
    options?: SendZcOptions & RunOptions,
  ): Promise<number> {
    return this.runBuilt(() => new SendZc(fd, buffer, options), options);
  }

  /**
   * Sends several buffers as one message (sendmsg(2)); resolves with the bytes sent.
   *
   * @example
   * ```ts ignore
   * await ring.sendmsg(socket, [header, body]);
   * ```
   */
  sendmsg(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    options?: SendMsgOptions & RunOptions,
  ): Promise<number> {
    return this.runBuilt(() => new SendMsg(fd, buffers, options), options);
  }

  /**
   * Sends several buffers as one message without copying them (SENDMSG_ZC, 6.1); resolves with the
   * bytes sent once the kernel has released the buffers.
   *
   * @example
   * ```ts ignore
   * await ring.sendmsgZc(tcpSocket, [header, body]);
   * ```
   */
  sendmsgZc(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    options?: SendMsgZcOptions & RunOptions,
  ): Promise<number> {
    return this.runBuilt(() => new SendMsgZc(fd, buffers, options), options);
  }

  /**
   * Receives into `buffer` from a socket (recv(2)); resolves with the bytes received, 0 at end of stream.
   *
   * @example
   * ```ts ignore
   * const n = await ring.recv(socket, buffer, { timeout: 5_000 });
   * ```
   */
  recv(fd: number | FixedFile, buffer: BufferSource, options?: RecvOptions & RunOptions): Promise<number>;
  /**
   * Receives from a socket into a buffer the kernel picks from `pool`, and resolves with it taken, as
   * {@link BufferRing.take} returns it: `{ bid, data }`, `data` a view of the bytes, the caller's until
   * `pool.recycle(bid)`. Resolves with null at end of stream. `length` caps the receive (default: a
   * whole buffer). Rejects with {@link IoRingError} ENOBUFS when the ring has no buffer left.
   *
   * @example
   * ```ts ignore
   * using pool = BufferRing.register(ring, { group: 1, entries: 64, size: 16384 });
   * for (let got; (got = await ring.recv(socket, pool)) !== null;) {
   *   handle(got.data);
   *   pool.recycle(got.bid);
   * }
   * ```
   */
  recv(
    fd: number | FixedFile,
    pool: BufferRing,
    options?: Omit<RecvOptions, "bufferGroup" | "multishot"> & RunOptions,
  ): Promise<BufferRingTake | null>;
  /**
   * Receives from a socket into a buffer the kernel picks from `options.bufferGroup`, and resolves with
   * the bytes received (0 at end of stream) and the buffer's id (null when the kernel picked none).
   *
   * @example
   * ```ts ignore
   * const { bytes, bufferId } = await ring.recv(socket, null, { bufferGroup: 1 });
   * ```
   */
  recv(
    fd: number | FixedFile,
    buffer: null,
    options: RecvOptions & RunOptions & { bufferGroup: number },
  ): Promise<BufferSelection>;
  recv(
    fd: number | FixedFile,
    buffer: BufferSource | BufferRing | null,
    options?: RecvOptions & RunOptions,
  ): Promise<number | BufferRingTake | BufferSelection | null> {
    return this.runReadLike("recv", buffer, options, (memory, opts) => new Recv(fd, memory, opts));
  }

  /**
   * Receives one message into several buffers (recvmsg(2)); resolves with the bytes received and the
   * sender's address, control data and flags.
   *
   * @example
   * ```ts ignore
   * const { bytes, address } = await ring.recvmsg(udpSocket, [buffer]);
   * ```
   */
  recvmsg(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    options?: RecvMsgOptions & RunOptions,
  ): Promise<RecvMsgResult & { bytes: number }> {
    return this.runBuilt(
      () => new RecvMsg(fd, buffers, options),
      options,
      (bytes, op) => ({ bytes, ...op.result() }),
    );
  }

  /**
   * Runs a socket command (URING_CMD on a socket, 6.7: SIOCINQ, SIOCOUTQ, getsockopt, setsockopt,
   * getsockname); resolves with the command, whose decoders read its result.
   *
   * @example
   * ```ts ignore
   * const queued = (await ring.socketCmd(SocketCmd.siocinq(socket))).int();
   * ```
   */
  async socketCmd(command: SocketCmd, options?: RunOptions): Promise<SocketCmd> {
    await this.run(command, options);
    return command;
  }

  /**
   * Runs a socket command, as {@link NetMethods.socketCmd} does.
   *
   * @deprecated Use {@link NetMethods.socketCmd}, named as its builder {@link SocketCmd} is; this name
   * goes in the next release.
   *
   * @example
   * ```ts ignore
   * const queued = (await ring.socketCommand(SocketCmd.siocinq(socket))).int();
   * ```
   */
  socketCommand(command: SocketCmd, options?: RunOptions): Promise<SocketCmd> {
    return this.socketCmd(command, options);
  }
}
