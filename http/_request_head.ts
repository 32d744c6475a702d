/**
 * What the request-head parser (`_parse_head.ts`) gives the server: the
 * request line, the framing it decided, and the header fields, kept as bytes
 * until a handler asks for them.
 *
 * @module
 */

/** A parsed, validated request head. */
export interface RequestHead {
  /** The method token, as sent (case-sensitive). */
  readonly method: string;
  /** The request target as sent: origin-form ("/a?b"), absolute-form ("http://h/a"), "*", or authority-form. */
  readonly target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: 0 | 1;
  /** The Host field's value ("" when absent, allowed on HTTP/1.0 only). */
  readonly host: string;
  /** The body's length from Content-Length, 0 when neither it nor Transfer-Encoding is present. */
  readonly contentLength: number;
  /** True when the body is chunked (Transfer-Encoding: chunked); contentLength is then 0. */
  readonly chunked: boolean;
  /** True when the connection stays open after the response (version default and Connection tokens). */
  readonly keepAlive: boolean;
  /** True for `Expect: 100-continue`. */
  readonly expectContinue: boolean;
  /**
   * The header block's bytes (the lines after the request line, without the blank line), a copy the
   * parser owns; `fields` indexes it.
   */
  readonly block: Uint8Array;
  /** Four offsets into `block` per field: name start, name end, value start, value end (value trimmed). */
  readonly fields: Int32Array;
  /** How many fields (fields.length / 4 may be larger). */
  readonly fieldCount: number;
}
