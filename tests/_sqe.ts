/**
 * Expected SQE words for the tests that check a builder's encoding by hand
 * (for the ops whose prep helper is newer than the installed liburing; the
 * others are also checked by tests/sqe_diff_test.ts).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Op } from "../sqe/op.ts";
import { SqeWriter } from "../sqe/writer.ts";

/** Fields of an SQE as liburing's prep helpers set them; unnamed fields are 0. */
export interface SqeFields {
  opcode: number;
  flags?: number;
  ioprio?: number;
  fd?: number;
  off?: number;
  addr?: number;
  len?: number;
  opFlags?: number;
  bufIndex?: number;
  personality?: number;
  fileIndex?: number;
  addr3?: number;
  /** Overrides of whole words (index 0 to 15), for unions such as level/optname. */
  words?: Record<number, number>;
}

/** A 64-bit field as [low, high] words, two's complement for negative values (computed with BigInt). */
export function u64(value: number): [number, number] {
  const big = BigInt.asUintN(64, BigInt(value));
  return [Number(big & 0xffffffffn), Number(big >> 32n)];
}

/** The 16 words of a 64-byte SQE with these fields and every other field zero. */
export function sqeWords(f: SqeFields): number[] {
  const w = new Array<number>(16).fill(0);
  w[0] = (f.opcode | ((f.flags ?? 0) << 8) | ((f.ioprio ?? 0) << 16)) >>> 0;
  w[1] = (f.fd ?? 0) >>> 0;
  [w[2], w[3]] = u64(f.off ?? 0);
  [w[4], w[5]] = u64(f.addr ?? 0);
  w[6] = (f.len ?? 0) >>> 0;
  w[7] = (f.opFlags ?? 0) >>> 0;
  w[10] = ((f.bufIndex ?? 0) | ((f.personality ?? 0) << 16)) >>> 0;
  w[11] = (f.fileIndex ?? 0) >>> 0;
  [w[12], w[13]] = u64(f.addr3 ?? 0);
  for (const [i, v] of Object.entries(f.words ?? {})) w[Number(i)] = v >>> 0;
  return w;
}

/** Prepares `op` into a scratch SQE first filled with garbage, so every field it leaves must be written. */
export function prepWords(
  op: Op,
  writer: SqeWriter = new SqeWriter(new ArrayBuffer(64), 64).select(0),
): number[] {
  writer.u8.fill(0xa5);
  op.prep(writer);
  return Array.from(writer.u32.subarray(writer.w, writer.w + 16));
}

/** Asserts that `op` encodes exactly the SQE these fields describe. */
export function assertSqe(op: Op, fields: SqeFields): void {
  assert.deepEqual(prepWords(op), sqeWords(fields), `${op.name}: SQE words`);
}
