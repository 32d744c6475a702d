/**
 * TCP and Unix stream sockets over io_uring: {@link listen} and {@link connect} give connections shaped
 * like `Deno.Conn` (`read` resolving `null` at end of stream, `write`, `closeWrite`, `close`, and
 * `readable`/`writable` Web Streams), whose every socket call is an io_uring operation: SOCKET, BIND,
 * LISTEN, ACCEPT (multishot for a listener's stream of connections), CONNECT, RECV, SEND, SHUTDOWN, CLOSE.
 *
 * The files: `address.ts` (the addresses given and read back), `listener.ts` ({@link Listener}),
 * `connection.ts` ({@link Conn}), `receive_pool.ts` (the buffer ring the connections of a ring receive
 * into), `_receiver.ts` (a connection's receiving side), `_listen.ts` (BIND and LISTEN, or their libc
 * calls), `_socket.ts` (options, closing, errors).
 *
 * @example An echo server and a client on loopback
 * ```ts
 * import { connect, IoRing, listen } from "@ioring/ioring";
 * await using ring = new IoRing();
 * await using listener = await listen(ring, { hostname: "127.0.0.1", port: 0 });
 * const served = (async () => {
 *   for await (const conn of listener) {
 *     await conn.readable.pipeTo(conn.writable); // ends when the client shuts down its side
 *     await conn.close();
 *     break;
 *   }
 * })();
 * await using conn = await connect(ring, { hostname: "127.0.0.1", port: listener.addr.port });
 * await conn.write(new TextEncoder().encode("ping"));
 * const buffer = new Uint8Array(4);
 * console.log(await conn.read(buffer), new TextDecoder().decode(buffer)); // 4 ping
 * await conn.closeWrite();
 * await served;
 * ```
 *
 * @module
 */
export type { NetAddr, UnixAddr } from "./address.ts";
export { Conn, connect, type ConnectOptions, type ConnOptions, TcpConn } from "./connection.ts";
export { listen, Listener, type ListenOptions, listenSync, TcpListener } from "./listener.ts";
export { NET_BUFFER_GROUP } from "./receive_pool.ts";
