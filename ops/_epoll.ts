import { EPOLL_EVENT } from "../kernel/layout.ts";
import { TWO_32 } from "../util/u64.ts";

/** One event of an epoll set: what happened and the data registered with the file descriptor. */
export interface EpollEvent {
  /** The `EPOLL*` events that are ready. */
  events: number;
  /** The 64-bit user data given to epoll_ctl, as a number (exact up to 2^53). */
  data: number;
}

/** Encodes an `struct epoll_event` at `offset` of `bytes`. */
export function encodeEpollEvent(bytes: Uint8Array, offset: number, events: number, data: number): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  v.setUint32(offset + EPOLL_EVENT.events, events >>> 0, true);
  v.setUint32(offset + EPOLL_EVENT.data, data >>> 0, true);
  v.setUint32(offset + EPOLL_EVENT.data + 4, Math.floor(data / TWO_32) >>> 0, true);
}

/** Decodes `count` `struct epoll_event`s from `bytes`. */
export function decodeEpollEvents(bytes: Uint8Array, count: number): EpollEvent[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: EpollEvent[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * EPOLL_EVENT.size;
    out.push({
      events: v.getUint32(o + EPOLL_EVENT.events, true),
      data: v.getUint32(o + EPOLL_EVENT.data, true) +
        v.getUint32(o + EPOLL_EVENT.data + 4, true) * TWO_32,
    });
  }
  return out;
}
