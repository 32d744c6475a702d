/**
 * Sends a handler's Response: the head, then the body framed by what it
 * turns out to be. A body whose end is already there (a string, bytes, a
 * Blob, JSON: their streams end within a few microtask turns) goes out with
 * Content-Length in the same SEND as the head; a body still being produced
 * is sent chunked as it comes, one chunk at a time (back pressure: the next
 * chunk is read once the last was sent); a file from serveDir is sent
 * without passing through JavaScript.
 *
 * @module
 */
import { type FileBody, fileBodyOf } from "./_file_response.ts";
import { refreshedResponse } from "./_file_refresh.ts";
import { FileChangedError } from "./_file_sender.ts";
import { untouchedFields } from "./_file_lazy.ts";
import {
  fieldsHeadBytes,
  finishHead,
  type Framing,
  headBytes,
  headFields,
  responseHead,
  statusHasNoBody,
  writeHead,
} from "./_response_head.ts";
import { staticBody } from "./_static_body.ts";

/** What the writer needs of the connection. */
export interface ResponseSink {
  /** Sends all of `bytes` (under the connection's send deadline). */
  send(bytes: Uint8Array): Promise<void>;
  /** Sends `head`, then `file`'s bytes, without copying them through JavaScript where it can. */
  sendFile(head: Uint8Array, file: FileBody): Promise<void>;
}

/** How the response to one request is to be sent. */
export interface ResponseTerms {
  /** A HEAD request: the head only. */
  readonly head: boolean;
  /** Whether the connection closes after this response. */
  close: boolean;
  /** An HTTP/1.0 client that asked for keep-alive (it gets `Connection: keep-alive`). */
  readonly keepAliveToken: boolean;
  /** An HTTP/1.0 client: no chunked framing; a body of unknown length ends with the connection. */
  readonly http10: boolean;
}

/** Body bytes gathered before the head is sent, when their end is not yet known. */
const GATHER_LIMIT = 64 * 1024;
/** Microtask turns a body's next chunk is given before it is taken as still in the making. */
const SETTLE_TURNS = 8;

/** What a reader's read() gives (named here: the runtimes' type packages name it differently). */
type ReadResult = { done: true; value?: undefined } | { done: false; value: unknown };

const encoder = new TextEncoder();
const CRLF = encoder.encode("\r\n");
const LAST_CHUNK = encoder.encode("0\r\n\r\n");

/** Sends `response`; resolves with the body bytes sent. `terms.close` may turn true (a body that failed). */
export function writeResponse(sink: ResponseSink, response: Response, terms: ResponseTerms): Promise<number> {
  // The two common cases, a file from serveDir and a text body, with no async frame of their own.
  const file = fileBodyOf(response);
  if (file !== undefined && !response.bodyUsed && file.claim()) {
    let sending: Promise<void>;
    try {
      sending = sendFileBody(sink, response, file, terms);
    } catch (error) {
      file.release();
      return Promise.reject(error);
    }
    return sending.then(() => {
      file.release();
      return terms.head || statusHasNoBody(response.status) ? 0 : file.length;
    }, (error) => {
      file.release();
      // Nothing was sent: the file changed since serveDir described it, so the response is made anew.
      if (error instanceof FileChangedError) {
        return refreshedResponse(response, file).then((fresh) => writeResponse(sink, fresh, terms));
      }
      throw error;
    });
  }
  const text = staticBody(response);
  if (text !== undefined && !statusHasNoBody(response.status)) return sendText(sink, response, text, terms);
  return writeOther(sink, response, terms);
}

/** Any other response: a body without content, a stream, a HEAD. */
async function writeOther(sink: ResponseSink, response: Response, terms: ResponseTerms): Promise<number> {
  // The fields are read before the body is touched: Bun drops a Blob's type from them once it is.
  const fields = headFields(response);
  const declared = Number(response.headers.get("content-length") ?? NaN);
  const body = response.body;
  if (statusHasNoBody(response.status) || body === null || (terms.head && declared >= 0)) {
    void body?.cancel().catch(() => {});
    // HEAD announces the length a GET would have, if the response says it; else no length at all.
    const framing: Framing = statusHasNoBody(response.status)
      ? { kind: "none" }
      : terms.head
      ? Number.isSafeInteger(declared) && declared >= 0
        ? { kind: "length", length: declared }
        : { kind: "none" }
      : { kind: "length", length: 0 };
    await sink.send(headBytes(finishHead(fields, framing, terms.close, terms.keepAliveToken)));
    return 0;
  }
  return await sendStream(sink, fields, body, terms);
}

/** Buffers for a head and a small text body, reused once their SEND completed. */
const textBuffers: Uint8Array[] = [];
/** Bytes kept for the head before a text body in such a buffer. */
const HEAD_ROOM = 2048;
const TEXT_BUFFER = 16 * 1024;

/** A body known as text: its head and bytes in one SEND, through a reused buffer when it fits. */
function sendText(
  sink: ResponseSink,
  response: Response,
  text: string,
  terms: ResponseTerms,
): Promise<number> {
  if (text.length * 3 > TEXT_BUFFER - HEAD_ROOM) {
    const body = encoder.encode(text);
    const head = responseHead(
      response,
      { kind: "length", length: body.length },
      terms.close,
      terms.keepAliveToken,
    );
    const sent = terms.head ? 0 : body.length;
    return sink.send(joinHead(head, terms.head ? [] : [body], sent)).then(() => sent);
  }
  const buffer = textBuffers.pop() ?? new Uint8Array(TEXT_BUFFER);
  const giveBack = () => {
    if (textBuffers.length < 64) textBuffers.push(buffer);
  };
  let sending: Promise<void>;
  let sent: number;
  try {
    // The body is encoded first (its length goes in the head); reading the headers ends its availability.
    const length = encoder.encodeInto(text, buffer.subarray(HEAD_ROOM)).written;
    const head = responseHead(response, { kind: "length", length }, terms.close, terms.keepAliveToken);
    const end = HEAD_ROOM + (terms.head ? 0 : length);
    sent = end - HEAD_ROOM;
    if (head.length > HEAD_ROOM) {
      sending = sink.send(joinHead(head, [buffer.subarray(HEAD_ROOM, end)], sent));
    } else {
      const start = HEAD_ROOM - head.length; // a head is Latin-1 text: one byte per character
      writeHead(head, buffer, start);
      sending = sink.send(buffer.subarray(start, end));
    }
  } catch (error) {
    giveBack();
    return Promise.reject(error);
  }
  return sending.then(() => {
    giveBack();
    return sent;
  }, (error) => {
    giveBack();
    throw error;
  });
}

/** Sends a file response's head and body (the head alone for HEAD or a status without a body). */
function sendFileBody(
  sink: ResponseSink,
  response: Response,
  file: FileBody,
  terms: ResponseTerms,
): Promise<void> {
  // A file response nobody changed: its fields as serveDir made them, without a Headers object.
  const fields = untouchedFields(response);
  const head = fields !== undefined
    ? fieldsHeadBytes(response.status, fields, file.length, terms.close, terms.keepAliveToken)
    : headBytes(
      finishHead(
        headFields(response),
        { kind: "length", length: file.length },
        terms.close,
        terms.keepAliveToken,
      ),
    );
  if (terms.head || statusHasNoBody(response.status)) return sink.send(head);
  return sink.sendFile(head, file);
}

/** A stream's chunk as bytes (a string is encoded; anything else is an error). */
function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return encoder.encode(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError(`a response body chunk must be a Uint8Array: current value is ${typeof chunk}`);
}

async function sendStream(
  sink: ResponseSink,
  fields: string,
  body: ReadableStream<Uint8Array>,
  terms: ResponseTerms,
): Promise<number> {
  const bodyReader = body.getReader();
  const reader = {
    read: () => bodyReader.read() as Promise<ReadResult>,
    cancel: (e: unknown) => bodyReader.cancel(e),
  };
  try {
    // Gather what is there already; if the stream ends meanwhile, the body's length is known.
    const gathered: Uint8Array[] = [];
    let size = 0;
    let pending: Promise<ReadResult> | null = reader.read();
    let result: ReadResult | undefined = await pending;
    for (;;) {
      if (result.done) {
        pending = null;
        break;
      }
      const chunk = bytesOf(result.value);
      gathered.push(chunk);
      size += chunk.length;
      if (size >= GATHER_LIMIT) {
        pending = reader.read();
        break;
      }
      result = await settledSoon(pending = reader.read());
      if (result === undefined) break;
    }
    if (terms.head) {
      // A HEAD's body is gathered only to learn its length (as a GET would announce it), never sent.
      if (pending !== null) void reader.cancel(undefined).catch(() => {});
      const framing: Framing = pending === null ? { kind: "length", length: size } : { kind: "none" };
      await sink.send(headBytes(finishHead(fields, framing, terms.close, terms.keepAliveToken)));
      return 0;
    }
    if (pending === null) {
      const framing: Framing = { kind: "length", length: size };
      await sink.send(
        joinHead(finishHead(fields, framing, terms.close, terms.keepAliveToken), gathered, size),
      );
      return size;
    }
    // Still in the making: chunked to an HTTP/1.1 client, to the end of the connection for HTTP/1.0.
    if (terms.http10) terms.close = true;
    const chunked = !terms.http10;
    const framing: Framing = chunked ? { kind: "chunked" } : { kind: "close" };
    const head = finishHead(fields, framing, terms.close, terms.keepAliveToken);
    await sink.send(chunked ? joinChunk(head, gathered, size) : joinHead(head, gathered, size));
    let sent = size;
    for (;;) {
      const next = await pending;
      if (next.done) break;
      const chunk = bytesOf(next.value);
      pending = reader.read();
      if (chunk.length === 0) continue;
      await sink.send(chunked ? joinChunk("", [chunk], chunk.length) : chunk);
      sent += chunk.length;
    }
    if (chunked) await sink.send(LAST_CHUNK);
    return sent;
  } catch (error) {
    void reader.cancel(error).catch(() => {});
    throw error;
  }
  // No releaseLock(): the stream is done with, and releasing costs a TypeError (a stack trace) in Deno.
}

/** `read`'s result if it settles within a few microtask turns, else undefined (it is left pending). */
async function settledSoon<T>(read: Promise<T>): Promise<T | undefined> {
  let settled: { value: T } | undefined;
  let failed: { error: unknown } | undefined;
  read.then((value) => (settled = { value }), (error) => (failed = { error }));
  for (let turn = 0; turn < SETTLE_TURNS && settled === undefined && failed === undefined; turn++) {
    await undefined;
  }
  if (failed !== undefined) throw failed.error;
  return settled?.value;
}

/** The head's text and the body pieces as one buffer: one SEND. */
function joinHead(head: string, pieces: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(head.length + size);
  let at = writeHead(head, out);
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out.subarray(0, at);
}

/** `head` (maybe empty) followed by the pieces as one chunk of the chunked coding. */
function joinChunk(head: string, pieces: Uint8Array[], size: number): Uint8Array {
  if (size === 0) return headBytes(head);
  const out = new Uint8Array(head.length + 20 + size);
  let at = writeHead(`${head}${size.toString(16)}\r\n`, out);
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  out.set(CRLF, at);
  return out.subarray(0, at + 2);
}
