/**
 * What a request head's fields decide (RFC 9112 3.2, 6, 9.6; RFC 9110 7.2,
 * 8.6, 10.1.1): the Host, the body's framing (Content-Length or chunked), and
 * whether the connection stays open; plus the byte classes of the grammar
 * that the head parser and the chunked decoder share.
 *
 * @module
 */
import { isLowercaseOf, latin1 } from "./_bytes.ts";
import { HttpError } from "./_errors.ts";

/** Byte class bit: a tchar (RFC 9110 5.6.2), the bytes of a token. */
export const TCHAR = 1;
/** Byte class bit: allowed in a field value (HTAB, SP, VCHAR, obs-text; RFC 9110 5.5). */
export const FIELD = 2;
/** Byte class bit: allowed in a reg-name or IP literal of a Host (unreserved, sub-delims; RFC 3986). */
const HOST = 4;

/** The class bits of every byte value. */
export const BYTE_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(256);
  const mark = (chars: string, bit: number) => {
    for (const char of chars) table[char.charCodeAt(0)] |= bit;
  };
  const alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  mark(alnum + "!#$%&'*+-.^_`|~", TCHAR);
  mark(alnum + "-._~!$&'()*+,;=", HOST);
  table[9] |= FIELD;
  for (let byte = 0x20; byte < 0x7f; byte++) table[byte] |= FIELD;
  for (let byte = 0x80; byte < 0x100; byte++) table[byte] |= FIELD;
  return table;
})();

/** Field kinds the framing depends on; Other for any other field. */
const Kind = { Other: 0, Host: 1, ContentLength: 2, TransferEncoding: 3, Connection: 4, Expect: 5 } as const;

/** The results of the head parser's field scan: offsets into `bytes`, four per field, and their kinds. */
export interface FieldScan {
  /** Four absolute offsets per field: name start, name end, value start, value end. */
  offsets: Int32Array;
  /** Per field, what {@link fieldKind} said about its name. */
  kinds: Uint8Array;
  /** Where the blank line that ends the head starts. */
  blockEnd: number;
}

/** What the fields decided. */
export interface Framing {
  host: string;
  contentLength: number;
  chunked: boolean;
  keepAlive: boolean;
  expectContinue: boolean;
}

/** True for an ASCII digit's code. */
export function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** The kind of the field named `bytes[start, end)` (a token), case-insensitively. */
export function fieldKind(bytes: Uint8Array, start: number, end: number): number {
  switch (end - start) {
    case 4:
      return isLowercaseOf(bytes, start, "host") ? Kind.Host : Kind.Other;
    case 6:
      return isLowercaseOf(bytes, start, "expect") ? Kind.Expect : Kind.Other;
    case 10:
      return isLowercaseOf(bytes, start, "connection") ? Kind.Connection : Kind.Other;
    case 14:
      return isLowercaseOf(bytes, start, "content-length") ? Kind.ContentLength : Kind.Other;
    case 17:
      return isLowercaseOf(bytes, start, "transfer-encoding") ? Kind.TransferEncoding : Kind.Other;
  }
  return Kind.Other;
}

/**
 * Whether `bytes[start, end)` is uri-host [":" port] (RFC 9112 3.2, RFC 3986 3.2.2): a reg-name or IPv4
 * address, or an IP literal in brackets; with `requirePort`, a non-empty host and port (authority-form).
 */
export function isValidHost(bytes: Uint8Array, start: number, end: number, requirePort: boolean): boolean {
  let at = start;
  if (at < end && bytes[at] === 0x5b) {
    at = scanHostChars(bytes, at + 1, end, true);
    if (at < 0 || at >= end || bytes[at] !== 0x5d || at === start + 1) return false;
    at++;
  } else {
    at = scanHostChars(bytes, at, end, false);
    if (at < 0) return false;
  }
  if (at === end) return !requirePort;
  if (bytes[at] !== 0x3a || (requirePort && at === start)) return false;
  const portStart = ++at;
  while (at < end && isDigit(bytes[at])) at++;
  return at === end && !(requirePort && at === portStart);
}

/** Skips reg-name characters and percent-encodings (and colons in an IP literal): where they stop, or -1. */
function scanHostChars(bytes: Uint8Array, at: number, end: number, colons: boolean): number {
  while (at < end) {
    const byte = bytes[at];
    if ((BYTE_CLASS[byte] & HOST) !== 0 || (colons && byte === 0x3a)) {
      at++;
    } else if (byte === 0x25) {
      if (at + 2 >= end || !isHex(bytes[at + 1]) || !isHex(bytes[at + 2])) return -1;
      at += 3;
    } else {
      break;
    }
  }
  return at;
}

/**
 * Reads the framing fields the scan found and checks them together.
 *
 * @throws {HttpError} 400 (bad Host, length or coding), 501 (a coding we do not decode), 417 (an unknown
 * expectation; it closes only when a body follows, which the server could not frame).
 */
export function decideFraming(bytes: Uint8Array, scan: FieldScan, count: number, minor: 0 | 1): Framing {
  const list = reader.reset(bytes);
  let hostField = -1;
  let contentLength = -1;
  let close = false;
  let keepAliveToken = false;
  let expectation = 0; // 1: 100-continue, 2: another one
  for (let i = 0; i < count; i++) {
    const kind = scan.kinds[i];
    if (kind === Kind.Other) continue;
    const valueStart = scan.offsets[4 * i + 2];
    const valueEnd = scan.offsets[4 * i + 3];
    if (kind === Kind.Host) {
      if (hostField >= 0) throw bad("more than one Host field");
      if (!isValidHost(bytes, valueStart, valueEnd, false)) {
        throw bad("the Host field is not a host and port");
      }
      hostField = i;
    } else if (kind === Kind.ContentLength) {
      const length = parseContentLength(list, valueStart, valueEnd);
      if (contentLength >= 0 && length !== contentLength) throw bad("Content-Length fields that differ");
      contentLength = length;
    } else if (kind === Kind.TransferEncoding) {
      list.codings(valueStart, valueEnd);
    } else {
      for (list.start(valueStart, valueEnd); list.next();) {
        if (kind === Kind.Connection) {
          close ||= list.is("close");
          keepAliveToken ||= list.is("keep-alive");
        } else if (list.is("100-continue")) {
          expectation |= 1;
        } else if (list.elementStart < list.elementEnd) {
          expectation |= 2;
        }
      }
    }
  }
  const chunked = list.sawCodingField; // valid only as chunked, which checkCodings makes sure of
  if (hostField < 0 && minor === 1) throw bad("an HTTP/1.1 request without a Host field");
  if (chunked) checkCodings(list, minor, contentLength >= 0);
  if ((expectation & 2) !== 0) {
    throw new HttpError(417, chunked || contentLength > 0, "an expectation other than 100-continue");
  }
  const offsets = scan.offsets;
  return {
    host: hostField < 0 ? "" : hostString(bytes, offsets[4 * hostField + 2], offsets[4 * hostField + 3]),
    contentLength: contentLength < 0 ? 0 : contentLength,
    chunked,
    keepAlive: !close && (minor === 1 || keepAliveToken),
    // RFC 9110 10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored.
    expectContinue: expectation === 1 && minor === 1,
  };
}

/** RFC 9112 6.1 and 6.3: the only transfer coding we decode is chunked, last and once. */
function checkCodings(list: ListReader, minor: 0 | 1, hasLength: boolean): void {
  if (minor === 0) throw bad("Transfer-Encoding in an HTTP/1.0 request");
  if (hasLength) throw bad("both Transfer-Encoding and Content-Length");
  if (!list.lastIsChunked) throw bad("the final transfer coding is not chunked");
  if (list.chunkedCount > 1) throw bad("chunked applied more than once");
  if (list.otherBeforeChunked) throw new HttpError(501, true, "a transfer coding other than chunked");
}

/** 1*DIGIT, or a comma list of the same number (RFC 9110 8.6), at most Number.MAX_SAFE_INTEGER. */
function parseContentLength(list: ListReader, start: number, end: number): number {
  let length = -1;
  for (list.start(start, end); list.next();) {
    const bytes = list.bytes;
    if (list.elementStart === list.elementEnd) throw bad("an empty Content-Length");
    let value = 0;
    for (let at = list.elementStart; at < list.elementEnd; at++) {
      const digit = bytes[at] - 0x30;
      if (digit < 0 || digit > 9) throw bad("a Content-Length that is not a decimal number");
      value = value * 10 + digit;
      if (value > Number.MAX_SAFE_INTEGER) throw bad("a Content-Length too large");
    }
    if (length >= 0 && value !== length) throw bad("a Content-Length list of different numbers");
    length = value;
  }
  return length;
}

/** Walks the elements of a comma-separated field value (RFC 9110 5.6.1), OWS trimmed; empty ones included. */
class ListReader {
  elementStart = 0;
  elementEnd = 0;
  #at = 0;
  #end = -1;
  /** What the Transfer-Encoding fields said so far, over all of them. */
  sawCodingField = false;
  chunkedCount = 0;
  lastIsChunked = false;
  otherBeforeChunked = false;

  bytes: Uint8Array = new Uint8Array(0);

  /** Starts on a new head. */
  reset(bytes: Uint8Array): this {
    this.bytes = bytes;
    this.sawCodingField = false;
    this.chunkedCount = 0;
    this.lastIsChunked = false;
    this.otherBeforeChunked = false;
    return this;
  }

  start(start: number, end: number): void {
    this.#at = start;
    this.#end = end;
  }

  /** Moves to the next element; false after the last. */
  next(): boolean {
    const bytes = this.bytes;
    let at = this.#at;
    const end = this.#end;
    if (at > end) return false;
    while (at < end && (bytes[at] === 0x20 || bytes[at] === 9)) at++;
    this.elementStart = at;
    while (at < end && bytes[at] !== 0x2c) at++;
    let last = at;
    while (last > this.elementStart && (bytes[last - 1] === 0x20 || bytes[last - 1] === 9)) last--;
    this.elementEnd = last;
    this.#at = at + 1;
    return true;
  }

  /** Whether the element is `lowercase`, case-insensitively. */
  is(lowercase: string): boolean {
    return this.elementEnd - this.elementStart === lowercase.length &&
      isLowercaseOf(this.bytes, this.elementStart, lowercase);
  }

  /** Adds one Transfer-Encoding field's codings: token *( OWS ";" OWS parameter ), empty elements skipped. */
  codings(start: number, end: number): void {
    this.sawCodingField = true;
    for (this.start(start, end); this.next();) {
      const bytes = this.bytes;
      if (this.elementStart === this.elementEnd) continue;
      let at = this.elementStart;
      while (at < this.elementEnd && (BYTE_CLASS[bytes[at]] & TCHAR) !== 0) at++;
      const nameEnd = at;
      while (at < this.elementEnd && (bytes[at] === 0x20 || bytes[at] === 9)) at++;
      if (nameEnd === this.elementStart || (at < this.elementEnd && bytes[at] !== 0x3b)) {
        throw bad("a Transfer-Encoding element that is not a coding");
      }
      const chunked = nameEnd - this.elementStart === 7 && isLowercaseOf(bytes, this.elementStart, "chunked");
      if (chunked && at < this.elementEnd) throw bad("chunked takes no parameters");
      if (chunked) this.chunkedCount++;
      else if (this.chunkedCount === 0) this.otherBeforeChunked = true;
      this.lastIsChunked = chunked;
    }
  }
}

/** Parsing is synchronous: one reader serves every head. */
const reader = new ListReader();

function isHex(byte: number): boolean {
  return isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66);
}

/** A one-entry cache: most requests to a server name the same host. Its bytes compare faster than chars. */
let lastHost = "";
let lastHostBytes = new Uint8Array(0);

function hostString(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length === lastHostBytes.length) {
    let at = 0;
    while (at < length && bytes[start + at] === lastHostBytes[at]) at++;
    if (at === length) return lastHost;
  }
  lastHostBytes = bytes.slice(start, end);
  lastHost = latin1(bytes, start, end);
  return lastHost;
}

function bad(message: string): HttpError {
  return new HttpError(400, true, message);
}
