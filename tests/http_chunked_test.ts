// The chunked decoder (http/_chunked.ts, RFC 9112 7.1): known encodings decode to their exact bytes whatever
// the split of the input, extensions and trailers are accepted and dropped, malformed framing and exceeded
// limits are refused with a closing HttpError, bytes after the body are left to the caller; and fast-check
// properties: random chunks encoded then decoded from random splits come back whole, and arbitrary bytes raise
// nothing but HttpError.
import assert from "node:assert/strict";
import fc from "fast-check";
import { ChunkedDecoder, type ChunkedLimits } from "../http/_chunked.ts";
import { HttpError } from "../http/_errors.ts";
import { test } from "./_harness.ts";
import { concat } from "./_util.ts";

const bytesOf = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0));
const textOf = (bytes: Uint8Array) => String.fromCharCode(...bytes);

interface Decoded {
  data: Uint8Array;
  done: boolean;
  /** The bytes the decoder left to the caller (what follows the body). */
  rest: Uint8Array;
}

/** Feeds `pieces` as the server does: what was not consumed comes again in front of the next piece. */
function decodePieces(pieces: Uint8Array[], limits?: ChunkedLimits): Decoded {
  const decoder = new ChunkedDecoder(limits);
  const data: Uint8Array[] = [];
  let pending: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < pieces.length; i++) {
    const input = concat([pending, pieces[i]]);
    const result = decoder.decode(input);
    for (const chunk of result.chunks) {
      assert.equal(chunk.buffer, input.buffer, "chunks are views of the input");
      data.push(chunk.slice());
    }
    pending = input.subarray(result.consumed);
    if (result.done) {
      return { data: concat(data), done: true, rest: concat([pending, ...pieces.slice(i + 1)]) };
    }
  }
  return { data: concat(data), done: false, rest: pending };
}

/** Splits `bytes` at the given offsets. */
function split(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const cuts = [0, ...at.map((cut) => cut % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
  return cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end));
}

function refuses(text: string, status: number, limits?: ChunkedLimits): void {
  assert.throws(() => decodePieces([bytesOf(text)], limits), (error: unknown) => {
    assert.ok(error instanceof HttpError, `${JSON.stringify(text)}: ${error}`);
    assert.equal(error.status, status, `${JSON.stringify(text)}: ${error.message}`);
    assert.equal(error.close, true);
    return true;
  }, JSON.stringify(text));
}

const KNOWN: [string, string][] = [
  ["5\r\nhello\r\n0\r\n\r\n", "hello"],
  ["5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", "hello, world"],
  ["A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij"],
  ["0005\r\n\r\n\r\n\r\r\n000\r\n\r\n", "\r\n\r\n\r"],
  ["0\r\n\r\n", ""],
  ["1;a=b\r\nx\r\n0;c\r\nX-Trailer: 1\r\n\r\n", "x"],
];

test("known encodings decode to their exact bytes", () => {
  for (const [encoded, body] of KNOWN) {
    const decoded = decodePieces([bytesOf(encoded)]);
    assert.deepEqual([textOf(decoded.data), decoded.done, decoded.rest.length], [body, true, 0], encoded);
  }
  const large = "x".repeat(0x1234);
  assert.equal(textOf(decodePieces([bytesOf(`1234\r\n${large}\r\n0\r\n\r\n`)]).data), large);
});

test("every split of the input gives the same data, and byte by byte too", () => {
  for (const [encoded, body] of KNOWN) {
    const bytes = bytesOf(`${encoded}NEXT`);
    for (let at = 0; at <= bytes.length; at++) {
      const decoded = decodePieces(split(bytes, [at]));
      assert.deepEqual([textOf(decoded.data), textOf(decoded.rest)], [body, "NEXT"], `${encoded} at ${at}`);
    }
    const single = decodePieces(split(bytes, Array.from({ length: bytes.length }, (_, i) => i)));
    assert.deepEqual([textOf(single.data), textOf(single.rest)], [body, "NEXT"]);
  }
});

test("extensions (with BWS and quoted strings) and trailer fields are accepted and dropped", () => {
  const cases = [
    '5;name=value;q="quoted; \\"str\\""\r\nhello\r\n0\r\n\r\n',
    "5 ;a\r\nhello\r\n0\r\n\r\n",
    "5\t \t; a = b\r\nhello\r\n0\r\n\r\n",
    "5;\x80\xff\r\nhello\r\n0;last=1\r\nX-A: 1\r\nY:\r\nZ:\t v \x80\r\n\r\n",
  ];
  for (const encoded of cases) {
    const decoded = decodePieces([bytesOf(`${encoded}GET`)]);
    assert.deepEqual(
      [textOf(decoded.data), decoded.done, textOf(decoded.rest)],
      ["hello", true, "GET"],
      encoded,
    );
  }
});

test("malformed sizes, line ends, extensions and trailers are 400, and the decoder stays broken", () => {
  for (
    const encoded of [
      "\r\nhello\r\n",
      "g\r\n",
      "-5\r\nhello\r\n",
      "+5\r\nhello\r\n",
      " 5\r\nhello\r\n",
      "5 \r\nhello\r\n",
      "5 x\r\nhello\r\n",
      "0x5\r\nhello\r\n",
      "5\nhello\r\n",
      "5\r\r\nhello\r\n",
      "5\r\nhelloX\r\n",
      "5\r\nhelloX\n0\r\n\r\n",
      "5\r\nhello\n\n0\r\n\r\n",
      "5\r\nhello\n0\r\n\r\n",
      "5\r\nhello\r0\r\n\r\n",
      "5;a\x00\r\nhello\r\n",
      "5;a\nhello\r\n",
      "1000000000000000\r\n",
      "0000000000000001\r\n",
      "20000000000000\r\n",
      "0\r\n\n",
      "0\r\nX: 1\n\r\n",
      "0\r\nX: 1\r\n folded\r\n\r\n",
      "0\r\nX\r\n\r\n",
      "0\r\nX : 1\r\n\r\n",
      "0\r\n: 1\r\n\r\n",
      "0\r\nX: \x01\r\n\r\n",
      "0\r\nX: 1\r\r\n\r\n",
    ]
  ) {
    refuses(encoded, 400);
  }
  // The largest size accepted is Number.MAX_SAFE_INTEGER, 14 hex digits.
  assert.equal(new ChunkedDecoder().decode(bytesOf("1fffffffffffff\r\nab")).chunks[0].length, 2);
  const decoder = new ChunkedDecoder();
  assert.throws(() => decoder.decode(bytesOf("z")), HttpError);
  assert.throws(() => decoder.decode(bytesOf("0\r\n\r\n")), HttpError);
});

test("limits: a chunk-size line past maxChunkSizeLine is 413, a trailer section past maxTrailerBytes is 431", () => {
  const limits = { maxChunkSizeLine: 10, maxTrailerBytes: 12 };
  assert.equal(textOf(decodePieces([bytesOf("5;abcdefgh\r\nhello\r\n0\r\n\r\n")], limits).data), "hello");
  refuses("5;abcdefghi\r\nhello\r\n0\r\n\r\n", 413, limits);
  refuses("00000000005\r\n", 413, limits);
  assert.equal(decodePieces([bytesOf("0\r\nX: 12345\r\n\r\n")], limits).done, true);
  refuses("0\r\nX: 123456\r\n\r\n", 431, limits);
  refuses(`1;${"e".repeat(4095)}\r\nx\r\n0\r\n\r\n`, 413);
  refuses(`0\r\nX: ${"t".repeat(8192)}\r\n\r\n`, 431);
});

test("bytes after the body are not consumed, and a finished decoder consumes nothing", () => {
  const decoder = new ChunkedDecoder();
  const input = bytesOf("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n");
  const result = decoder.decode(input);
  assert.deepEqual([result.consumed, result.done, textOf(concat(result.chunks))], [13, true, "abc"]);
  assert.deepEqual(decoder.decode(input.subarray(13)), { consumed: 0, chunks: [], done: true });
  const partial = new ChunkedDecoder().decode(bytesOf("3\r\nab"));
  assert.deepEqual([partial.consumed, partial.done], [5, false]);
});

// Properties.

const token = fc.string({ unit: fc.constantFrom(..."abcXYZ09-!#$%&'*+.^_`|~"), minLength: 1, maxLength: 8 });
const extension = fc.array(fc.tuple(token, fc.option(token)), { maxLength: 3 })
  .map((pairs) => pairs.map(([name, value]) => `;${name}${value === null ? "" : `=${value}`}`).join(""));
const trailer = fc.array(fc.tuple(token, token), { maxLength: 3 })
  .map((fields) => fields.map(([name, value]) => `${name}: ${value}\r\n`).join(""));

/** A chunked encoding of `chunks`, with extensions, hex in either case and a trailer section. */
function encode(chunks: Uint8Array[], extensions: string[], upper: boolean, trailers: string): Uint8Array {
  const parts: Uint8Array[] = [];
  chunks.forEach((chunk, i) => {
    const size = chunk.length.toString(16);
    parts.push(bytesOf(`${upper ? size.toUpperCase() : size}${extensions[i % extensions.length]}\r\n`));
    parts.push(chunk, bytesOf("\r\n"));
  });
  parts.push(bytesOf(`0${extensions[0]}\r\n${trailers}\r\n`));
  return concat(parts);
}

test("property: random chunks encoded then decoded from random splits come back whole", () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 8 }),
      fc.array(extension, { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      trailer,
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.uint8Array({ maxLength: 20 }),
      (chunks, extensions, upper, trailers, cuts, after) => {
        const encoded = concat([encode(chunks, extensions, upper, trailers), after]);
        const decoded = decodePieces(split(encoded, cuts));
        assert.deepEqual(decoded.data, concat(chunks));
        assert.equal(decoded.done, true);
        assert.deepEqual(decoded.rest, after);
      },
    ),
    { numRuns: 300 },
  );
});

test("property: arbitrary bytes raise nothing but HttpError", () => {
  const noise = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF;=\r\n \t:xX"\x00\x80'), maxLength: 200 })
      .map(bytesOf),
  );
  fc.assert(
    fc.property(noise, fc.array(fc.nat(), { maxLength: 4 }), (bytes, cuts) => {
      try {
        const decoded = decodePieces(split(bytes, cuts), { maxChunkSizeLine: 16, maxTrailerBytes: 32 });
        assert.ok(decoded.data.length <= bytes.length);
      } catch (error) {
        if (!(error instanceof HttpError) || ![400, 413, 431].includes(error.status)) throw error;
      }
    }),
    { numRuns: 300 },
  );
});
