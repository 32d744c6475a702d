/**
 * A `multipart/byteranges` body (RFC 9110 section 14.6) for a request of
 * several ranges: each part a head (Content-Type, Content-Range) and its
 * bytes, between boundary lines; the parts' bytes are read from the file as
 * the body is pulled.
 *
 * @module
 */
import { type ByteRange, contentRange } from "./_range.ts";
import type { Piece } from "./_file_body.ts";

const encoder = new TextEncoder();

/** A multipart body's pieces and length, and its Content-Type. */
export interface Multipart {
  readonly pieces: Piece[];
  readonly length: number;
  readonly contentType: string;
}

/** The multipart body of `ranges` of a file of `size` bytes whose own type is `type`. */
export function multipartBody(ranges: readonly ByteRange[], size: number, type: string): Multipart {
  const boundary = newBoundary();
  const pieces: Piece[] = [];
  let length = 0;
  ranges.forEach((range, i) => {
    const head = encoder.encode(
      `${i === 0 ? "" : "\r\n"}--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: ${
        contentRange(range, size)
      }\r\n\r\n`,
    );
    const bytes = range.end - range.start + 1;
    pieces.push(head, { offset: range.start, length: bytes });
    length += head.length + bytes;
  });
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  pieces.push(tail);
  length += tail.length;
  return { pieces, length, contentType: `multipart/byteranges; boundary=${boundary}` };
}

/** A boundary no file is likely to hold: 24 random hexadecimal digits after a fixed prefix. */
function newBoundary(): string {
  const random = crypto.getRandomValues(new Uint8Array(12));
  let hex = "";
  for (const byte of random) hex += byte.toString(16).padStart(2, "0");
  return `ioring-${hex}`;
}
