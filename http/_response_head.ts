/**
 * The response head: status line, the Response's own fields, and the fields
 * the server owns (Date, Connection, the framing: Content-Length or
 * Transfer-Encoding). A handler's framing and hop-by-hop fields are not sent
 * as they are: the server frames the body it actually sends.
 *
 * @module
 */
import { STATUS_TEXT } from "./_status.ts";

/** How the body after the head is framed. */
export type Framing =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  | { readonly kind: "close" };

/** Fields the server writes itself. */
const OWNED = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

let dateSecond = -1;
let dateText = "";

/** The Date field's value, formatted once a second. */
export function httpDate(): string {
  const now = Date.now();
  const second = (now / 1000) | 0;
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** Whether a response with `status` to a request of `method` has no body (RFC 9110 6.4.1). */
export function statusHasNoBody(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/**
 * The status line and the Response's own fields (with a Date if it has none), before the framing: read
 * before the body, since a runtime may drop a Blob body's type from the headers once the body is read.
 */
export function headFields(response: Response): string {
  const status = response.status;
  let text = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? (response.statusText || "Unknown")}\r\n`;
  let hasDate = false;
  response.headers.forEach((value, name) => {
    if (OWNED.has(name)) return;
    if (name === "date") hasDate = true;
    text += `${name}: ${value}\r\n`;
  });
  return hasDate ? text : `${text}date: ${httpDate()}\r\n`;
}

/** A field list as head lines, with the last whole head made of it (a cached file's fields are one list, reused). */
const WRITTEN = Symbol("fields written");

type FieldList = readonly (readonly [string, string])[];

interface Written {
  /** The fields as head lines. */
  readonly text: string;
  /** The last whole head made of them, and what it was made for. */
  head?: { second: number; status: number; length: number; connection: number; bytes: Uint8Array };
}

/** What `fields` were written as (symbol-keyed on the list: cheaper than a WeakMap lookup per response). */
function writtenOf(fields: FieldList): Written {
  const list = fields as FieldList & { [WRITTEN]?: Written };
  let written = list[WRITTEN];
  if (written === undefined) {
    let text = "";
    for (const [name, value] of fields) if (!OWNED.has(name)) text += `${name}: ${value}\r\n`;
    written = list[WRITTEN] = { text };
  }
  return written;
}

/** {@link headFields} for a status and a field list instead of a Response. */
export function fieldsHead(status: number, fields: FieldList): string {
  const text = writtenOf(fields).text;
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Unknown"}\r\n${text}date: ${httpDate()}\r\n`;
}

/**
 * The whole head of a response of `status` made of `fields` with a body of `length` bytes, as bytes: the
 * last one made of the same list is used again within the same Date second (a cached file's head is
 * written once a second, not once per response). The bytes are shared: never write into them.
 */
export function fieldsHeadBytes(
  status: number,
  fields: FieldList,
  length: number,
  close: boolean,
  keepAliveToken: boolean,
): Uint8Array {
  const written = writtenOf(fields);
  const date = httpDate();
  const connection = close ? 2 : keepAliveToken ? 1 : 0;
  const last = written.head;
  if (
    last !== undefined && last.second === dateSecond && last.status === status && last.length === length &&
    last.connection === connection
  ) {
    return last.bytes;
  }
  const fieldsText = `HTTP/1.1 ${status} ${
    STATUS_TEXT[status] ?? "Unknown"
  }\r\n${written.text}date: ${date}\r\n`;
  const bytes = headBytes(finishHead(fieldsText, { kind: "length", length }, close, keepAliveToken));
  written.head = { second: dateSecond, status, length, connection, bytes };
  return bytes;
}

/**
 * The whole head, ending with the blank line.
 *
 * @param fields What {@link headFields} made of the response.
 * @param framing The body's framing as it will be sent (for HEAD: as a GET's would be, `none` if unknown).
 * @param close Whether the connection closes after this response.
 * @param keepAliveToken True to say `Connection: keep-alive` (an HTTP/1.0 client that asked for it).
 */
export function finishHead(
  fields: string,
  framing: Framing,
  close: boolean,
  keepAliveToken: boolean,
): string {
  let text = fields;
  if (close) text += "connection: close\r\n";
  else if (keepAliveToken) text += "connection: keep-alive\r\n";
  if (framing.kind === "length") text += `content-length: ${framing.length}\r\n`;
  else if (framing.kind === "chunked") text += "transfer-encoding: chunked\r\n";
  return text + "\r\n";
}

/** The head of `response` as text: {@link headFields} and {@link finishHead} in one. */
export function responseHead(
  response: Response,
  framing: Framing,
  close: boolean,
  keepAliveToken: boolean,
): string {
  return finishHead(headFields(response), framing, close, keepAliveToken);
}

/**
 * Writes `head` into `buffer` from `at` as HTTP writes field text: Latin-1, one byte per character (Headers
 * holds byte strings, so no character is above 0xFF); returns where it ended. Never UTF-8: a field value's
 * "é" is the byte 0xE9 on the wire.
 */
export function writeHead(head: string, buffer: Uint8Array, at = 0): number {
  for (let i = 0; i < head.length; i++) buffer[at + i] = head.charCodeAt(i);
  return at + head.length;
}

/** `head` as bytes (see {@link writeHead}). */
export function headBytes(head: string): Uint8Array {
  const bytes = new Uint8Array(head.length);
  writeHead(head, bytes);
  return bytes;
}

/** A head the server answers with on its own (errors before a handler runs): a short text body. */
export function plainResponse(status: number, extra?: Record<string, string>): Response {
  const body = status === 304 || status < 200 || status === 204 ? null : `${STATUS_TEXT[status] ?? status}\n`;
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...extra },
  });
}
