/**
 * The request-head parser (RFC 9112 sections 2 to 7): finds where a head
 * ends, checks the request line and the field lines byte by byte, and decides
 * the framing (Host, Content-Length, Transfer-Encoding, Connection, Expect).
 * It reads char codes through lookup tables, with no regular expression, and
 * allocates the head, a copy of the field lines, one Int32Array of offsets and
 * a few strings; field values stay bytes until a handler asks for them.
 *
 * @module
 */
import { COLON, CR, DEL, HTAB, LF, SP } from "./_ascii.ts";
import { HttpError } from "./_errors.ts";
import type { RequestHead } from "./_request_head.ts";
import {
  cachedLatin1,
  copyBytes,
  isExactly,
  isLowercaseOf,
  latin1,
  lowercaseName,
  newInt32Array,
  utf8OrLatin1,
} from "./_bytes.ts";
import {
  BYTE_CLASS,
  decideFraming,
  fieldKind,
  type FieldScan,
  isDigit,
  isValidHost,
  TCHAR,
} from "./_framing.ts";

/** Limits for {@link parseHead}. */
export interface HeadLimits {
  /** The longest request target in bytes (414 beyond it); default 8192. */
  maxTargetBytes?: number;
  /** The most field lines (431 beyond them); default 100. */
  maxFields?: number;
}

/**
 * Finds the end of a request head: the offset just after the blank line that
 * ends it, or -1 when `bytes[0, to)` holds none yet. Lines may end in CRLF or
 * a bare LF (RFC 9112 2.2); empty lines before the request line do not count.
 *
 * @param bytes The received bytes, the head starting at 0.
 * @param from Where to start looking (where the previous scan stopped, minus 3).
 * @param to Where the received bytes end.
 * @returns The head's end, or -1.
 */
export function findHeadEnd(bytes: Uint8Array, from: number, to: number): number {
  const start = skipLineEnds(bytes, to);
  // A loop beats indexOf here: heads are short and most of their lines shorter.
  for (let at = from > start ? from : start; at < to; at++) {
    if (bytes[at] !== LF) continue;
    // bytes[start] is no line end, so at - 1 >= start: the line before this LF is empty if that byte is LF,
    // or a CR after an LF.
    const before = bytes[at - 1];
    if (before === LF || (before === CR && at - 2 >= start && bytes[at - 2] === LF)) return at + 1;
  }
  return -1;
}

/**
 * Whether `bytes[0, filled)` holds no line end after its leading empty lines:
 * a full head buffer then means the request line is too long (414), not the
 * fields (431).
 *
 * @param bytes The received bytes.
 * @param filled How many there are.
 * @returns True when the request line has not ended yet.
 */
export function isHeadOverflowInRequestLine(bytes: Uint8Array, filled: number): boolean {
  const at = bytes.indexOf(LF, skipLineEnds(bytes, filled));
  return at < 0 || at >= filled;
}

/**
 * Parses and validates a request head.
 *
 * @param bytes The received bytes, the head starting at 0.
 * @param end The head's end, as {@link findHeadEnd} returned it.
 * @param limits The longest target and the most fields.
 * @returns The head; its `block` is a copy, so `bytes` may be reused.
 * @throws {HttpError} 400, 414, 431, 501 or 505 (all closing), or 417 for an unknown expectation.
 */
export function parseHead(bytes: Uint8Array, end: number, limits?: HeadLimits): RequestHead {
  if (end > bytes.length) throw bad("the head ends past its bytes");
  const line = scanRequestLine(bytes, skipEmptyLines(bytes, end), end, limits?.maxTargetBytes ?? 8192);
  const base = line.next;
  const count = scanFields(bytes, base, end, limits?.maxFields ?? 100);
  const framing = decideFraming(bytes, scratch, count, line.minor);
  const fields = newInt32Array(4 * count);
  const offsets = scratch.offsets;
  for (let i = 0; i < 4 * count; i++) fields[i] = offsets[i] - base;
  return {
    method: line.method,
    target: line.target,
    minor: line.minor,
    host: framing.host,
    contentLength: framing.contentLength,
    chunked: framing.chunked,
    keepAlive: framing.keepAlive,
    expectContinue: framing.expectContinue,
    block: copyBytes(bytes, base, scratch.blockEnd),
    fields,
    fieldCount: count,
  };
}

/**
 * The fields as `[lowercase name, value]` pairs in order, values decoded as
 * latin1 (RFC 9110 5.5), for `new Headers(...)`.
 *
 * @param head A parsed head.
 * @returns The pairs.
 */
export function headerEntries(head: RequestHead): [string, string][] {
  const { block, fields } = head;
  const entries: [string, string][] = new Array(head.fieldCount);
  for (let i = 0; i < head.fieldCount; i++) {
    const at = 4 * i;
    entries[i] = [
      lowercaseName(block, fields[at], fields[at + 1]),
      cachedLatin1(block, fields[at + 2], fields[at + 3]),
    ];
  }
  return entries;
}

/**
 * One field's value without building the others: the values of every field
 * with that name joined by ", " (as `Headers.get` does), or null.
 *
 * @param head A parsed head.
 * @param name The field name in lowercase.
 * @returns The value, or null when the field is absent.
 */
export function headerValue(head: RequestHead, name: string): string | null {
  const { block, fields } = head;
  let value: string | null = null;
  for (let i = 0; i < head.fieldCount; i++) {
    const at = 4 * i;
    if (fields[at + 1] - fields[at] !== name.length || !isLowercaseOf(block, fields[at], name)) continue;
    const one = latin1(block, fields[at + 2], fields[at + 3]);
    value = value === null ? one : `${value}, ${one}`;
  }
  return value;
}

/**
 * Whether `head` has a field named by any of `names` (lowercase): one pass over the fields, for a caller
 * that asks about several names and usually finds none of them.
 */
export function hasAnyField(head: RequestHead, names: readonly string[]): boolean {
  const { block, fields } = head;
  for (let i = 0; i < head.fieldCount; i++) {
    const at = 4 * i;
    const length = fields[at + 1] - fields[at];
    for (const name of names) {
      if (name.length === length && isLowercaseOf(block, fields[at], name)) return true;
    }
  }
  return false;
}

const scratch: FieldScan = { offsets: new Int32Array(4 * 128), kinds: new Uint8Array(128), blockEnd: 0 };

interface RequestLine {
  method: string;
  target: string;
  minor: 0 | 1;
  /** Where the field lines start. */
  next: number;
}

function scanRequestLine(bytes: Uint8Array, pos: number, end: number, maxTarget: number): RequestLine {
  const methodStart = pos;
  while (pos < end && (BYTE_CLASS[bytes[pos]] & TCHAR) !== 0) pos++;
  if (pos === methodStart || pos >= end || bytes[pos] !== SP) {
    throw bad("the request line must start with a method token and one space");
  }
  const method = methodString(bytes, methodStart, pos);
  const targetStart = ++pos;
  let high = false;
  for (; pos < end; pos++) {
    const byte = bytes[pos];
    if (byte <= SP || byte === DEL) break;
    if (byte >= 0x80) high = true;
  }
  if (pos - targetStart > maxTarget) throw new HttpError(414, true, "the request target is too long");
  if (pos === targetStart || pos >= end || bytes[pos] !== SP) {
    throw bad("the request target must be followed by one space");
  }
  const targetEnd = pos++;
  const next = end - pos >= 9 ? lineEnd(bytes, pos + 8, end) : -1;
  if (next < 0 || !isVersionShape(bytes, pos)) {
    throw bad("the request line must end with HTTP/1.0 or HTTP/1.1");
  }
  if (bytes[pos + 5] !== 0x31) throw new HttpError(505, true);
  checkTargetForm(bytes, targetStart, targetEnd, method);
  const target = high
    ? utf8OrLatin1(bytes, targetStart, targetEnd)
    : cachedLatin1(bytes, targetStart, targetEnd);
  // A higher 1.x minor is served as 1.1 (RFC 9110 2.5).
  return { method, target, minor: bytes[pos + 7] === 0x30 ? 0 : 1, next };
}

/** "HTTP/" DIGIT "." DIGIT at `at`. */
function isVersionShape(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0x48 && bytes[at + 1] === 0x54 && bytes[at + 2] === 0x54 && bytes[at + 3] === 0x50 &&
    bytes[at + 4] === 0x2f && isDigit(bytes[at + 5]) && bytes[at + 6] === 0x2e && isDigit(bytes[at + 7]);
}

/** RFC 9112 3.2: origin-form, absolute-form (http/https), "*" for OPTIONS, authority-form for CONNECT. */
function checkTargetForm(bytes: Uint8Array, start: number, end: number, method: string): void {
  const first = bytes[start];
  if (method === "CONNECT") {
    if (!isValidHost(bytes, start, end, true)) {
      throw bad("CONNECT needs an authority-form target (host:port)");
    }
  } else if (first === 0x2f) {
    return;
  } else if (first === 0x2a && end - start === 1) {
    if (method !== "OPTIONS") throw bad('the asterisk-form target "*" is for OPTIONS only');
  } else if (!isAbsoluteForm(bytes, start, end)) {
    throw bad("the request target must start with / or http:// or https://");
  }
}

function isAbsoluteForm(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < 8) return false; // "http://" and a host
  let at = start + 4;
  if (!isLowercaseOf(bytes, start, "http")) return false;
  if ((bytes[at] | 0x20) === 0x73) at++;
  if (!isLowercaseOf(bytes, at, "://") || at + 3 >= end) return false;
  const authorityFirst = bytes[at + 3];
  return authorityFirst !== 0x2f && authorityFirst !== 0x3f && authorityFirst !== 0x23;
}

/** Scans the field lines from `pos` into `scratch`; returns how many fields there are. */
function scanFields(bytes: Uint8Array, pos: number, end: number, maxFields: number): number {
  let count = 0;
  for (;;) {
    if (pos >= end) throw bad("the head has no blank line");
    const first = bytes[pos];
    if (first === CR || first === LF) break;
    if (first === SP || first === HTAB) throw bad("obsolete line folding (RFC 9112 5.2)");
    const nameStart = pos;
    while (pos < end && (BYTE_CLASS[bytes[pos]] & TCHAR) !== 0) pos++;
    if (pos === nameStart || pos >= end || bytes[pos] !== COLON) {
      throw bad("a field line must be a token, a colon (no whitespace before it) and a value");
    }
    const nameEnd = pos++;
    while (pos < end && (bytes[pos] === SP || bytes[pos] === HTAB)) pos++;
    const valueStart = pos;
    for (; pos < end; pos++) {
      const byte = bytes[pos]; // field-vchar, SP or HTAB: every byte but the controls (faster than BYTE_CLASS)
      if (byte < SP ? byte !== HTAB : byte === DEL) break;
    }
    let valueEnd = pos;
    while (valueEnd > valueStart && (bytes[valueEnd - 1] === SP || bytes[valueEnd - 1] === HTAB)) valueEnd--;
    pos = lineEnd(bytes, pos, end);
    if (pos < 0) throw bad("a field value holds a control character or a bare CR");
    if (count === maxFields) throw new HttpError(431, true, `more than ${maxFields} header fields`);
    record(count++, nameStart, nameEnd, valueStart, valueEnd, fieldKind(bytes, nameStart, nameEnd));
  }
  scratch.blockEnd = pos;
  if (lineEnd(bytes, pos, end) !== end) throw bad("the blank line must end the head");
  return count;
}

function record(
  index: number,
  nameStart: number,
  nameEnd: number,
  valueStart: number,
  valueEnd: number,
  kind: number,
) {
  if (index === scratch.kinds.length) {
    const offsets = new Int32Array(8 * index);
    offsets.set(scratch.offsets);
    const kinds = new Uint8Array(2 * index);
    kinds.set(scratch.kinds);
    scratch.offsets = offsets;
    scratch.kinds = kinds;
  }
  const at = 4 * index;
  const offsets = scratch.offsets;
  offsets[at] = nameStart;
  offsets[at + 1] = nameEnd;
  offsets[at + 2] = valueStart;
  offsets[at + 3] = valueEnd;
  scratch.kinds[index] = kind;
}

/** The offset after the CRLF or LF at `at`, or -1 when there is none (a bare CR or another byte). */
function lineEnd(bytes: Uint8Array, at: number, end: number): number {
  if (at < end && bytes[at] === LF) return at + 1;
  if (at + 1 < end && bytes[at] === CR && bytes[at + 1] === LF) return at + 2;
  return -1;
}

/** Skips the empty lines (CRLF or LF) a client may send before a request line (RFC 9112 2.2). */
function skipEmptyLines(bytes: Uint8Array, end: number): number {
  let pos = 0;
  for (let next = lineEnd(bytes, 0, end); next > 0; next = lineEnd(bytes, pos, end)) pos = next;
  return pos;
}

/** Skips every leading CR and LF byte (the scan for the end; the parser then rejects a bare CR). */
function skipLineEnds(bytes: Uint8Array, to: number): number {
  let pos = 0;
  while (pos < to && (bytes[pos] === CR || bytes[pos] === LF)) pos++;
  return pos;
}

/** Methods common enough to return as constants instead of building a string per request. */
const KNOWN_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"];

function methodString(bytes: Uint8Array, start: number, end: number): string {
  for (const known of KNOWN_METHODS) {
    if (known.length === end - start && isExactly(bytes, start, known)) return known;
  }
  return latin1(bytes, start, end);
}

function bad(message: string): HttpError {
  return new HttpError(400, true, message);
}
