// The request-head parser (http/_parse_head.ts): each rule of RFC 9112's request line and field lines and of
// the framing fields, on exact bytes, with the status and close flag each refusal carries; the accessors;
// findHeadEnd over every split of a request; and fast-check properties: arbitrary and mutated bytes raise
// nothing but HttpError, and generated valid requests parse back to what was generated.
import assert from "node:assert/strict";
import fc from "fast-check";
import { HttpError } from "../http/_errors.ts";
import {
  findHeadEnd,
  headerEntries,
  headerValue,
  type HeadLimits,
  isHeadOverflowInRequestLine,
  parseHead,
} from "../http/_parse_head.ts";
import type { RequestHead } from "../http/_request_head.ts";
import { test } from "./_harness.ts";

const latin1Bytes = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0));

/** Finds the end of `text` (latin1) as the server would and parses it. */
function parse(text: string, limits?: HeadLimits): RequestHead {
  const bytes = latin1Bytes(text);
  const end = findHeadEnd(bytes, 0, bytes.length);
  assert.ok(end > 0, `no head end in ${JSON.stringify(text)}`);
  return parseHead(bytes, end, limits);
}

/** A GET with the given field lines. */
const get = (...fields: string[]) => ["GET / HTTP/1.1", ...fields, "", ""].join("\r\n");
const post = (...fields: string[]) => ["POST /p HTTP/1.1", "Host: h", ...fields, "", ""].join("\r\n");

function refuses(text: string, status: number, close = true, limits?: HeadLimits): void {
  assert.throws(() => parse(text, limits), (error: unknown) => {
    assert.ok(error instanceof HttpError, `${JSON.stringify(text)}: ${error}`);
    assert.equal(error.status, status, `${JSON.stringify(text)}: ${error.message}`);
    assert.equal(error.close, close, JSON.stringify(text));
    return true;
  });
}

test("findHeadEnd: CRLF, bare LF and mixed ends, leading empty lines, none yet", () => {
  const cases: [string, number][] = [
    ["GET / HTTP/1.1\r\nHost: a\r\n\r\nNEXT", 27],
    ["GET / HTTP/1.1\nHost: a\n\nNEXT", 24],
    ["GET / HTTP/1.1\r\nHost: a\n\r\nNEXT", 26],
    ["GET / HTTP/1.1\nHost: a\r\n\nNEXT", 25],
    ["\r\n\r\nGET / HTTP/1.0\r\n\r\n", 22],
    ["\r\n\r\n", -1],
    ["GET / HTTP/1.1\r\nHost: a\r\n", -1],
    ["GET / HTTP/1.1\r\nHost: a\r\r\n", -1],
    ["", -1],
  ];
  for (const [text, end] of cases) assert.equal(findHeadEnd(latin1Bytes(text), 0, text.length), end, text);
  // Bytes past `to` are not looked at.
  assert.equal(findHeadEnd(latin1Bytes("GET / HTTP/1.0\r\n\r\n"), 0, 17), -1);
});

test("findHeadEnd gives the same end for every split of a request into two reads", () => {
  for (const text of [get("Host: a", "B: c"), "\r\nGET / HTTP/1.0\n\n", "GET / HTTP/1.1\nHost: a\r\n\r\n"]) {
    const whole = latin1Bytes(text);
    const end = findHeadEnd(whole, 0, whole.length);
    assert.equal(end, whole.length);
    for (let split = 0; split <= whole.length; split++) {
      const buffer = new Uint8Array(64);
      buffer.set(whole.subarray(0, split));
      const first = findHeadEnd(buffer, 0, split);
      assert.equal(first, split === whole.length ? end : -1, `${JSON.stringify(text)} at ${split}`);
      buffer.set(whole.subarray(split), split);
      assert.equal(findHeadEnd(buffer, Math.max(0, split - 3), whole.length), end, `${split}`);
    }
  }
});

test("request line: a method token, single spaces, HTTP/1.0 or 1.1; 505 for another major version", () => {
  const head = parse("\r\n\nPATCH /a/b?c=d HTTP/1.0\r\n\r\n");
  assert.deepEqual([head.method, head.target, head.minor], ["PATCH", "/a/b?c=d", 0]);
  assert.equal(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").target, "*");
  assert.equal(parse(get("Host: a").replace("GET", "m.y~T0k3n!")).method, "m.y~T0k3n!");
  assert.equal(parse(get("Host: a").replace("1.1", "1.9")).minor, 1, "a higher 1.x minor is served as 1.1");
  for (
    const line of [
      "GET  / HTTP/1.1",
      "GET /  HTTP/1.1",
      "GET\t/ HTTP/1.1",
      " GET / HTTP/1.1",
      "G@T / HTTP/1.1",
      "GET / http/1.1",
      "GET / HTTP/1.1 ",
      "GET / HTTP/11",
      "GET / HTTP/1.10",
      "GET / HTTP/1",
      "GET /",
      "GET",
      "/ HTTP/1.1",
      "GET / HTTP/1.1\r",
    ]
  ) {
    refuses(`${line}\r\nHost: a\r\n\r\n`, 400);
  }
  refuses("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
  refuses("GET / HTTP/0.9\r\n\r\n", 505);
  refuses("GET / HTTP/3.0\n\n", 505);
});

test("request target: origin, absolute, asterisk and authority forms; bytes; 414 past the limit", () => {
  assert.equal(parse("GET http://x.test/a HTTP/1.1\r\nHost: y\r\n\r\n").target, "http://x.test/a");
  assert.equal(parse("GET HTTPS://x.test HTTP/1.1\r\nHost: y\r\n\r\n").host, "y");
  assert.equal(parse("CONNECT x.test:443 HTTP/1.1\r\nHost: x.test:443\r\n\r\n").target, "x.test:443");
  assert.equal(parse("CONNECT [::1]:443 HTTP/1.1\r\nHost: a\r\n\r\n").target, "[::1]:443");
  assert.equal(parse("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n").target, "/café", "UTF-8");
  assert.equal(parse("GET /caf\xe9 HTTP/1.1\r\nHost: a\r\n\r\n").target, "/caf\xe9", "else latin1");
  for (
    const line of [
      "GET * HTTP/1.1",
      "GET x.test:80 HTTP/1.1",
      "CONNECT / HTTP/1.1",
      "CONNECT x.test HTTP/1.1",
      "CONNECT x.test: HTTP/1.1",
      "CONNECT :443 HTTP/1.1",
      "OPTIONS ** HTTP/1.1",
      "GET ftp://x/ HTTP/1.1",
      "GET http:/// HTTP/1.1",
      "GET http:// HTTP/1.1",
      "GET a/b HTTP/1.1",
      "GET /a\x7fb HTTP/1.1",
      "GET /a\x00b HTTP/1.1",
      "GET /a\x0bb HTTP/1.1",
    ]
  ) {
    refuses(`${line}\r\nHost: a\r\n\r\n`, 400);
  }
  const target = "/" + "a".repeat(99);
  assert.equal(parse(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`, { maxTargetBytes: 100 }).target, target);
  refuses(`GET ${target}b HTTP/1.1\r\nHost: a\r\n\r\n`, 414, true, { maxTargetBytes: 100 });
  refuses(`GET /${"a".repeat(8192)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414);
});

test("field lines: token names, no space before the colon, no folding, no controls in values, a count limit", () => {
  const head = parse(get("Host: a", "X-A:\t v  w \t", "X-B:", "X-C: \x80\xff~"));
  assert.deepEqual(headerEntries(head), [["host", "a"], ["x-a", "v  w"], ["x-b", ""], ["x-c", "\x80\xff~"]]);
  for (
    const field of [
      "X-A : v",
      "X-A\t: v",
      ": v",
      "X A: v",
      "X-A",
      "X(A): v",
      "X-A: v\x00",
      "X-A: v\x7f",
      "X-A: \x01v",
      "X-A: v\rw",
      "X-A: v\r",
    ]
  ) {
    refuses(get("Host: a", field), 400);
  }
  refuses(get("Host: a", "X-A: v", " folded"), 400);
  refuses(get("Host: a", "X-A: v", "\tfolded"), 400);
  refuses(["GET / HTTP/1.1", " Host: a", "", ""].join("\r\n"), 400);
  const fields = Array.from({ length: 9 }, (_, i) => `X-${i}: ${i}`);
  assert.equal(parse(get("Host: a", ...fields), { maxFields: 10 }).fieldCount, 10);
  refuses(get("Host: a", ...fields, "X-9: 9"), 431, true, { maxFields: 10 });
  assert.equal(parse(get("Host: a", ...Array.from({ length: 99 }, (_, i) => `X: ${i}`))).fieldCount, 100);
  refuses(get("Host: a", ...Array.from({ length: 100 }, (_, i) => `X: ${i}`)), 431);
});

test("a bare CR anywhere in the head is refused", () => {
  for (
    const text of [
      "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n",
      "\r\rGET / HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n",
    ]
  ) {
    const bytes = latin1Bytes(text);
    const end = findHeadEnd(bytes, 0, bytes.length);
    if (end < 0) continue; // no head end: the server waits, then answers 431 or times out
    assert.throws(() => parseHead(bytes, end), (error) => error instanceof HttpError && error.status === 400);
  }
});

test("Host: exactly one on HTTP/1.1, at most one on 1.0, and a valid uri-host [: port]", () => {
  assert.equal(parse(get("Host: 127.0.0.1:8080")).host, "127.0.0.1:8080");
  assert.equal(parse("GET / HTTP/1.0\r\n\r\n").host, "");
  for (
    const value of [
      "x.test",
      "X.Test:",
      "[::1]",
      "[fe80::1%25eth0]:80",
      "a-b_c~d!$&'()*+,;=",
      "%41b",
      "",
      "[v1.x]",
    ]
  ) {
    assert.equal(parse(get(`Host: ${value}`)).host, value);
  }
  refuses(get(), 400);
  refuses(get("Host: a", "Host: a"), 400);
  refuses("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400);
  for (
    const value of ["a/b", "a@b", "a b", "a:b", "a:1:2", "[::1", "[]", "[::1]x", "%4", "%zz", "a?b", 'a"b']
  ) {
    refuses(get(`Host: ${value}`), 400);
  }
});

test("Content-Length: digits, a list of one repeated value, nothing else", () => {
  assert.equal(parse(post("Content-Length: 5")).contentLength, 5);
  assert.equal(parse(post("Content-Length: 5, 5,5")).contentLength, 5);
  assert.equal(parse(post("Content-Length: 5", "content-length: 005")).contentLength, 5);
  assert.equal(parse(post("Content-Length: 9007199254740991")).contentLength, Number.MAX_SAFE_INTEGER);
  assert.equal(parse(post()).contentLength, 0);
  for (const value of ["5, 6", "-1", "+5", "", "5 5", "0x5", "5,", ",5", "1e3", "9007199254740992", "5;"]) {
    refuses(post(`Content-Length: ${value}`), 400);
  }
  refuses(post("Content-Length: 5", "Content-Length: 6"), 400);
});

test("Transfer-Encoding: chunked last and once, on HTTP/1.1, without Content-Length; 501 for other codings", () => {
  const head = parse(post("Transfer-Encoding: chunked"));
  assert.deepEqual([head.chunked, head.contentLength], [true, 0]);
  assert.equal(parse(post("transfer-encoding: CHUNKED")).chunked, true);
  assert.equal(parse(post("Transfer-Encoding: , chunked ,")).chunked, true);
  assert.equal(parse(post()).chunked, false);
  for (const value of ["gzip, chunked", "deflate,chunked", "compress, x-custom, chunked"]) {
    refuses(post(`Transfer-Encoding: ${value}`), 501);
  }
  refuses(post("Transfer-Encoding: gzip", "Transfer-Encoding: chunked"), 501);
  for (
    const value of ["gzip", "chunked, gzip", "chunked, chunked", "chunked;a=b", "", "chunked x", "chun\\ked"]
  ) {
    refuses(post(`Transfer-Encoding: ${value}`), 400);
  }
  refuses(post("Transfer-Encoding: chunked", "Transfer-Encoding: chunked"), 400);
  refuses(post("Transfer-Encoding: chunked", "Content-Length: 5"), 400);
  refuses(post("Content-Length: 5", "Transfer-Encoding: chunked"), 400);
  refuses("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
});

test("Connection: close closes, HTTP/1.0 stays open only with keep-alive", () => {
  const keepAlive = (text: string) => parse(text).keepAlive;
  assert.equal(keepAlive(get("Host: a")), true);
  assert.equal(keepAlive(get("Host: a", "Connection: close")), false);
  assert.equal(keepAlive(get("Host: a", "Connection: TE, close")), false);
  assert.equal(keepAlive(get("Host: a", "connection: Keep-Alive", "Connection: upgrade, CLOSE")), false);
  assert.equal(keepAlive(get("Host: a", "Connection: closed")), true);
  assert.equal(keepAlive("GET / HTTP/1.0\r\n\r\n"), false);
  assert.equal(keepAlive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), true);
  assert.equal(keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n"), false);
});

test("Expect: 100-continue is noted (ignored on HTTP/1.0), any other expectation is 417", () => {
  assert.equal(parse(post("Expect: 100-Continue", "Content-Length: 1")).expectContinue, true);
  assert.equal(parse(post()).expectContinue, false);
  assert.equal(parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").expectContinue, false);
  refuses(post("Expect: 200-ok"), 417, false);
  refuses(post("Expect: 100-continue, x"), 417, false);
  // With a body the server cannot skip without a head, the connection closes.
  refuses(post("Expect: x", "Content-Length: 3"), 417, true);
  refuses(post("Transfer-Encoding: chunked", "Expect: x"), 417, true);
});

test("the head: a copy of the field lines, offsets with trimmed values, accessors", () => {
  const bytes = latin1Bytes(`${get("Host: a", "Accept:  x/y ", "X-Two: 1", "x-two: 2", "Caf: \xe9")}NEXT`);
  const end = findHeadEnd(bytes, 0, bytes.length);
  const head = parseHead(bytes, end);
  const lines = "Host: a\r\nAccept:  x/y \r\nX-Two: 1\r\nx-two: 2\r\nCaf: \xe9\r\n";
  assert.deepEqual(head.block, latin1Bytes(lines));
  assert.equal(head.fieldCount, 5);
  assert.deepEqual([...head.fields.subarray(4, 8)], [9, 15, 18, 21]);
  bytes.fill(0);
  assert.deepEqual(headerEntries(head), [["host", "a"], ["accept", "x/y"], ["x-two", "1"], ["x-two", "2"], [
    "caf",
    "é",
  ]]);
  assert.equal(headerValue(head, "x-two"), "1, 2");
  assert.equal(headerValue(head, "accept"), "x/y");
  assert.equal(headerValue(head, "accep"), null);
  assert.equal(headerValue(head, "caf"), "é");
  assert.equal(new Headers(headerEntries(head)).get("X-Two"), "1, 2");
});

test("heads stay intact while many more are parsed", () => {
  const heads = Array.from(
    { length: 2000 },
    (_, i) => [i, parse(get(`Host: h${i}`, `X-${i}: ${"v".repeat(i % 300)}`))],
  );
  for (const [i, head] of heads as [number, RequestHead][]) {
    assert.deepEqual(headerEntries(head), [["host", `h${i}`], [`x-${i}`, "v".repeat(i % 300)]]);
  }
});

test("isHeadOverflowInRequestLine: true until the request line has ended", () => {
  const over = (text: string) => isHeadOverflowInRequestLine(latin1Bytes(text), text.length);
  assert.equal(over("GET /aaaa"), true);
  assert.equal(over("\r\n\r\nGET /aaaa"), true);
  assert.equal(over("GET / HTTP/1.1\r\nX: y"), false);
  assert.equal(over("GET / HTTP/1.1\nX: y"), false);
  assert.equal(isHeadOverflowInRequestLine(latin1Bytes("GET / HTTP/1.1\r\n"), 10), true);
});

// Properties.

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const PATH_CHARS = "abcxyzABC019-._~!$&'()*+,;=:@/?%";
const HOST_CHARS = "abcxyz019-._~";
const VALUE_CHARS = [...'azAZ09 \t!"#;:,/()<>=?@[]{}\\~'].concat(["\x80", "\xe9", "\xff"]);
const FRAMING = new Set(["host", "content-length", "transfer-encoding", "connection", "expect"]);
const STATUSES = new Set([400, 414, 417, 431, 501, 505]);

const chars = (alphabet: string | string[], minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
const ows = chars(" \t", 0, 2);

interface Generated {
  method: string;
  target: string;
  minor: 0 | 1;
  host: string | null;
  fields: [string, string][];
  wire: string;
}

const validRequest: fc.Arbitrary<Generated> = fc.record({
  method: chars(TCHARS, 1, 10).filter((method) => method !== "CONNECT"),
  target: chars(PATH_CHARS, 0, 30).map((path) => `/${path}`),
  minor: fc.constantFrom(0 as const, 1 as const),
  host: fc.option(chars(HOST_CHARS, 0, 20)),
  fields: fc.array(
    fc.record({
      name: chars(TCHARS, 1, 12).filter((name) => !FRAMING.has(name.toLowerCase())),
      value: chars(VALUE_CHARS, 0, 30).map((value) => value.replace(/^[ \t]+|[ \t]+$/g, "")),
      before: ows,
      after: ows,
    }),
    { maxLength: 12 },
  ),
  eol: fc.constantFrom("\r\n", "\n"),
  leading: fc.constantFrom("", "\r\n", "\n\r\n"),
}).map(({ method, target, minor, host, fields, eol, leading }) => {
  host = minor === 1 && host === null ? "" : host;
  const lines = [`${method} ${target} HTTP/1.${minor}`];
  if (host !== null) lines.push(`Host: ${host}`);
  for (const field of fields) lines.push(`${field.name}:${field.before}${field.value}${field.after}`);
  const pairs = fields.map((field): [string, string] => [field.name.toLowerCase(), field.value]);
  return { method, target, minor, host, fields: pairs, wire: leading + [...lines, "", ""].join(eol) };
});

/** Runs `fn`; an error must be an HttpError with one of the parser's statuses. */
function onlyHttpErrors(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof HttpError) || !STATUSES.has(error.status)) throw error;
  }
}

/** What the server does with received bytes: find the end, parse, read the fields. */
function serve(bytes: Uint8Array): void {
  isHeadOverflowInRequestLine(bytes, bytes.length);
  const end = findHeadEnd(bytes, 0, bytes.length);
  if (end < 0) return;
  assert.ok(end <= bytes.length);
  onlyHttpErrors(() => {
    const head = parseHead(bytes, end);
    headerEntries(head);
    headerValue(head, "host");
  });
}

test("property: generated valid requests parse back to what was generated", () => {
  fc.assert(
    fc.property(validRequest, (request) => {
      const bytes = latin1Bytes(request.wire);
      assert.equal(findHeadEnd(bytes, 0, bytes.length), bytes.length);
      const head = parseHead(bytes, bytes.length);
      assert.deepEqual([head.method, head.target, head.minor], [
        request.method,
        request.target,
        request.minor,
      ]);
      assert.equal(head.host, request.host ?? "");
      const hostField: [string, string][] = request.host === null ? [] : [["host", request.host]];
      assert.deepEqual(headerEntries(head), [...hostField, ...request.fields]);
      assert.deepEqual([head.keepAlive, head.chunked, head.contentLength], [request.minor === 1, false, 0]);
    }),
    { numRuns: 300 },
  );
});

test("property: arbitrary bytes and mutated requests raise nothing but HttpError", () => {
  const noise = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    chars([..."GET / HTTP/1.0\r\n:Host a-9\t,;*[]\x00\x7f\xff"], 0, 300).map(latin1Bytes),
  );
  fc.assert(
    fc.property(noise, fc.nat(), (bytes, cut) => {
      serve(bytes);
      onlyHttpErrors(() => parseHead(bytes, cut % (bytes.length + 1)));
    }),
    { numRuns: 300 },
  );
  const mutation = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.nat(2) });
  fc.assert(
    fc.property(validRequest, fc.array(mutation, { minLength: 1, maxLength: 5 }), (request, mutations) => {
      const bytes = [...latin1Bytes(request.wire)];
      for (const { at, byte, kind } of mutations) {
        const index = at % (bytes.length + 1);
        if (kind === 0) bytes.splice(index, 1, byte);
        else if (kind === 1) bytes.splice(index, 0, byte);
        else bytes.splice(index, 1);
      }
      serve(Uint8Array.from(bytes));
    }),
    { numRuns: 300 },
  );
});
