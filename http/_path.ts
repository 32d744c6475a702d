/**
 * From a request URL to a path beneath the served root, or the status that
 * refuses it: percent-escapes decoded without throwing (a malformed one is
 * 400), NUL refused (400), any `..` segment refused (403) rather than
 * resolved, a segment starting with "." hidden (404) unless dotfiles are
 * shown, and the `urlRoot` prefix taken off (404 when absent). A path that
 * needs none of this (the common case) is taken as it is, in one scan.
 *
 * @module
 */
import { DOT, PERCENT, SLASH } from "./_ascii.ts";

/** The path of an absolute URL as sent: from the first "/" after the authority to "?" or "#" ("/" if none). */
export function rawPathOf(url: string): string {
  const scheme = url.indexOf("://");
  const start = url.indexOf("/", scheme < 0 ? 0 : scheme + 3);
  if (start < 0) return "/";
  let end = url.length;
  const query = url.indexOf("?", start);
  if (query >= 0) end = query;
  const fragment = url.indexOf("#", start);
  if (fragment >= 0 && fragment < end) end = fragment;
  return url.slice(start, end);
}

/** The query of an absolute URL with its "?", or "" (the fragment left out). */
export function queryOf(url: string): string {
  const query = url.indexOf("?");
  if (query < 0) return "";
  const fragment = url.indexOf("#", query);
  return url.slice(query, fragment < 0 ? url.length : fragment);
}

/** The segments of a `urlRoot` option ("static", "/static/" and "/static" are the same root). */
export function urlRootSegments(urlRoot: string | undefined): string[] {
  return (urlRoot ?? "").split("/").filter((segment) => segment !== "");
}

/**
 * The path beneath the root that `raw` (a URL path, percent-encoded) names: segments joined by "/", "."
 * for the root itself; or the status refusing it (400, 403 or 404).
 *
 * @param raw The URL's path, as {@link rawPathOf} gives it.
 * @param rootPrefix The URL root as "/a/b", or "" for none.
 * @param rootSegments The URL root's segments (["a", "b"]).
 * @param dotfiles Whether segments starting with "." may be served.
 */
export function resolvePath(
  raw: string,
  rootPrefix: string,
  rootSegments: readonly string[],
  dotfiles: boolean,
): string | number {
  let plain = raw;
  if (rootPrefix !== "") {
    const next = raw.charCodeAt(rootPrefix.length);
    plain = raw.startsWith(rootPrefix) && (next === SLASH || Number.isNaN(next))
      ? raw.slice(rootPrefix.length)
      : "";
  }
  const quick = plain === "" ? null : plainRelative(plain);
  return quick ?? decodedRelative(raw, rootSegments, dotfiles);
}

/**
 * The relative path of a URL path that needs no decoding or checking (it starts with "/"; no "%", NUL, empty
 * or dot-leading segment), without a split; null for the general way.
 */
function plainRelative(path: string): string | null {
  if (path.charCodeAt(0) !== SLASH) return null;
  let previous = SLASH;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === PERCENT || c === 0 || (previous === SLASH && (c === SLASH || c === DOT))) return null;
    previous = c;
  }
  const end = previous === SLASH ? path.length - 1 : path.length;
  return end <= 1 ? "." : path.slice(1, end);
}

/** The general way: decode, split, refuse, take the URL root off. */
function decodedRelative(raw: string, rootSegments: readonly string[], dotfiles: boolean): string | number {
  let decoded = raw;
  if (raw.includes("%")) {
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return 400;
    }
  }
  if (decoded.includes("\0")) return 400;
  const segments: string[] = [];
  for (const segment of decoded.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") return 403;
    segments.push(segment);
  }
  for (let i = 0; i < rootSegments.length; i++) if (segments[i] !== rootSegments[i]) return 404;
  const rest = segments.slice(rootSegments.length);
  if (!dotfiles && rest.some((segment) => segment.charCodeAt(0) === DOT)) return 404;
  return rest.length === 0 ? "." : rest.join("/");
}

/**
 * The URL path of `relative` under the URL root, each segment percent-encoded, with a trailing "/": the
 * Location of a directory's redirect (one "/" between segments, so `//host` can never appear) and the
 * base of its listing's links.
 */
export function directoryUrl(rootSegments: readonly string[], relative: string): string {
  const segments = relative === "." ? [...rootSegments] : [...rootSegments, ...relative.split("/")];
  return segments.length === 0 ? "/" : `/${segments.map(encodeSegment).join("/")}/`;
}

/** encodeURIComponent, with a lone surrogate (which it refuses) written as U+FFFD. */
export function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    const wellFormed = (text as { toWellFormed?: () => string }).toWellFormed?.();
    return encodeURIComponent(wellFormed ?? text.replace(/[\uD800-\uDFFF]/g, "\uFFFD"));
  }
}

/** The decoded URL path of a directory, for a listing's title. */
export function directoryTitle(rootSegments: readonly string[], relative: string): string {
  const segments = relative === "." ? [...rootSegments] : [...rootSegments, ...relative.split("/")];
  return segments.length === 0 ? "/" : `/${segments.join("/")}/`;
}

/** `query` with any character outside visible ASCII percent-encoded, fit for a Location field. */
export function safeQuery(query: string): string {
  let out = "";
  for (const char of query) {
    const code = char.codePointAt(0)!;
    out += code > 0x20 && code < 0x7f ? char : encodeSegment(char);
  }
  return out;
}
