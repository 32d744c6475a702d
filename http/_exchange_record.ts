/**
 * What the connection tells the access log about one request, and the
 * request's absolute URL as its handler sees it.
 *
 * @module
 */
import type { NetAddr } from "../net/address.ts";
import type { RequestHead } from "./_request_head.ts";

/** What became of one request, for the access log. */
export interface ExchangeRecord {
  readonly remoteAddr: NetAddr;
  /** The request head (its fields for the combined format's Referer and User-Agent). */
  readonly head: RequestHead;
  readonly method: string;
  readonly target: string;
  readonly version: string;
  readonly status: number;
  readonly bytes: number;
  /** When the request head was complete (Date.now()). */
  readonly time: number;
  /** Milliseconds from the complete head to the response's last byte (or its abandonment). */
  readonly duration: number;
  /** True when the response was not sent whole (the client left, a deadline, a failed body). */
  readonly abandoned: boolean;
}

/** The request's absolute URL: absolute-form as sent, else from the Host field (or the listener's). */
export function requestUrl(head: RequestHead, authority: string): string {
  const target = head.target;
  if (target.charCodeAt(0) === 47) return `http://${head.host || authority}${target}`;
  if (target === "*") return `http://${head.host || authority}/*`;
  if (/^https?:\/\//i.test(target)) return target;
  return `http://${target}/`; // authority-form (CONNECT)
}

export function record(
  remoteAddr: NetAddr,
  head: RequestHead,
  status: number,
  bytes: number,
  started: number,
  ended: number,
  abandoned: boolean,
): ExchangeRecord {
  return {
    remoteAddr,
    head,
    method: head.method,
    target: head.target,
    version: head.minor === 0 ? "HTTP/1.0" : "HTTP/1.1",
    status,
    bytes,
    time: Date.now() - (ended - started),
    duration: ended - started,
    abandoned,
  };
}
