/**
 * Conditional requests (RFC 9110 section 13): the validators a file is
 * described by (a strong ETag from its size and modification time,
 * Last-Modified), and the preconditions evaluated in the order of section
 * 13.2.2: If-Match, else If-Unmodified-Since; then If-None-Match, else
 * If-Modified-Since. If-Range decides whether a Range is honoured.
 *
 * @module
 */

/** The precondition fields of a request (null: absent). */
export interface Preconditions {
  readonly ifMatch: string | null;
  readonly ifNoneMatch: string | null;
  readonly ifModifiedSince: string | null;
  readonly ifUnmodifiedSince: string | null;
}

/** A strong ETag for a file of `size` bytes modified at `mtimeMs`: it changes when either does. */
export function fileEtag(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.round(mtimeMs * 1000).toString(16)}"`;
}

/**
 * What the preconditions say: 0 to go on with the request, 304 (Not Modified) or 412 (Precondition Failed).
 *
 * @param conditions The request's fields.
 * @param method The request method.
 * @param etag The file's (strong) ETag.
 * @param lastModified The file's Last-Modified in milliseconds, whole seconds (as the field says it).
 */
export function evaluatePreconditions(
  conditions: Preconditions,
  method: string,
  etag: string,
  lastModified: number,
): 0 | 304 | 412 {
  const { ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince } = conditions;
  if (ifMatch !== null) {
    if (!tagListMatches(ifMatch, etag, false)) return 412;
  } else if (ifUnmodifiedSince !== null) {
    const date = parseHttpDate(ifUnmodifiedSince);
    if (lastModified > date) return 412; // NaN (not a date) compares false: the field is ignored
  }
  const safe = method === "GET" || method === "HEAD";
  if (ifNoneMatch !== null) {
    if (tagListMatches(ifNoneMatch, etag, true)) return safe ? 304 : 412;
  } else if (safe && ifModifiedSince !== null) {
    const date = parseHttpDate(ifModifiedSince);
    if (lastModified <= date) return 304;
  }
  return 0;
}

/**
 * Whether an If-Range field lets a Range be honoured: an entity tag that strongly matches `etag`, or an
 * HTTP-date equal to Last-Modified (RFC 9110 13.1.5). Anything else means "send the whole file".
 */
export function ifRangeHolds(value: string, etag: string, lastModified: number): boolean {
  const field = value.trim();
  if (field.startsWith('"') || field.startsWith("W/")) return field === etag;
  return parseHttpDate(field) === lastModified;
}

/**
 * Whether a field's list of entity tags (or "*") matches `etag`: weak comparison (the opaque tags are
 * equal) for If-None-Match, strong (and neither is weak) for If-Match.
 */
export function tagListMatches(list: string, etag: string, weak: boolean): boolean {
  const ownWeak = etag.startsWith("W/");
  if (list === etag && (weak || !ownWeak)) return true;
  const own = ownWeak ? etag.slice(2) : etag;
  let i = 0;
  while (i < list.length) {
    const c = list.charCodeAt(i);
    if (c === 32 || c === 9 || c === 44) {
      i++;
      continue;
    }
    if (c === 42) return true; // "*"
    const tagWeak = list.startsWith("W/", i);
    const open = tagWeak ? i + 2 : i;
    const close = list.charCodeAt(open) === 34 ? list.indexOf('"', open + 1) : -1;
    if (close < 0) {
      // Not an entity tag: skip to the next list member.
      const comma = list.indexOf(",", i);
      if (comma < 0) return false;
      i = comma + 1;
      continue;
    }
    if (list.slice(open, close + 1) === own && (weak || (!tagWeak && !ownWeak))) return true;
    i = close + 1;
  }
  return false;
}

/** The month names of HTTP dates (and of the access log), January first. */
export const MONTHS: readonly string[] = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/;
const RFC_850 =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d\d)-([A-Z][a-z]{2})-(\d\d) (\d\d):(\d\d):(\d\d) GMT$/;
const ASCTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})$/;

/**
 * An HTTP-date (RFC 9110 5.6.7: IMF-fixdate, or the obsolete RFC 850 and asctime forms) in milliseconds
 * since the epoch; NaN for anything else (such a field is ignored).
 */
export function parseHttpDate(text: string): number {
  const value = text.trim();
  let m = IMF_FIXDATE.exec(value);
  if (m !== null) return utc(+m[3], m[2], +m[1], +m[4], +m[5], +m[6]);
  m = RFC_850.exec(value);
  if (m !== null) {
    // A two-digit year more than 50 years ahead is in the past century (RFC 9110 5.6.7).
    const thisYear = new Date().getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    return utc(year, m[2], +m[1], +m[4], +m[5], +m[6]);
  }
  m = ASCTIME.exec(value);
  if (m !== null) return utc(+m[6], m[1], +m[2], +m[3], +m[4], +m[5]);
  return NaN;
}

function utc(year: number, monthName: string, day: number, hour: number, minute: number, second: number) {
  const month = MONTHS.indexOf(monthName);
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return NaN;
  return Date.UTC(year, month, day, hour, minute, second);
}
