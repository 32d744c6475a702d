/**
 * The Range field (RFC 9110 section 14): `bytes` ranges only (another unit,
 * or a field that does not parse, is ignored: the whole file is sent), at
 * most {@link MAX_RANGES} of them; ends past the file are clamped to its last
 * byte, suffix ranges count from its end, and overlapping or adjacent ranges
 * are merged. None satisfiable is a 416.
 *
 * @module
 */

/** A byte range, both ends inclusive, as Content-Range says it. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** More ranges than this in one field are not honoured (the whole file is sent). */
export const MAX_RANGES = 16;

/**
 * The ranges a Range field asks of a file of `size` bytes: null to send the whole file (no usable field),
 * an empty list when none is satisfiable (416), else the satisfiable ranges in order, merged.
 */
export function parseRange(field: string, size: number): ByteRange[] | null {
  const equals = field.indexOf("=");
  if (equals < 0 || field.slice(0, equals).trim().toLowerCase() !== "bytes") return null;
  const specs = field.slice(equals + 1).split(",");
  if (specs.length > MAX_RANGES) return null;
  const ranges: ByteRange[] = [];
  for (const text of specs) {
    const spec = text.trim();
    if (spec === "" && specs.length > 1) continue; // an empty list element (RFC 9110 5.6.1)
    const dash = spec.indexOf("-");
    if (dash < 0) return null;
    const first = digits(spec.slice(0, dash).trim());
    const last = digits(spec.slice(dash + 1).trim());
    if (first === null) {
      // A suffix: the last `last` bytes.
      if (last === null || Number.isNaN(last)) return null;
      if (last > 0 && size > 0) ranges.push({ start: Math.max(0, size - last), end: size - 1 });
      continue;
    }
    if (Number.isNaN(first) || (last !== null && (Number.isNaN(last) || last < first))) return null;
    if (first < size) ranges.push({ start: first, end: Math.min(last ?? size - 1, size - 1) });
  }
  return merge(ranges);
}

/** The value of a run of decimal digits (Infinity if too large), null if empty, NaN if anything else. */
function digits(text: string): number | null {
  if (text === "") return null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
  }
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : Infinity;
}

/** The ranges sorted by start, overlapping or adjacent ones merged into one. */
function merge(ranges: ByteRange[]): ByteRange[] {
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [ranges[0]];
  for (let i = 1; i < ranges.length; i++) {
    const last = merged[merged.length - 1];
    const range = ranges[i];
    if (range.start <= last.end + 1) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, range.end) };
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** The Content-Range value of `range` in a file of `size` bytes. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}
