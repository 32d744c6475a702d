/**
 * Access log lines in the Common and Combined Log Formats (as Apache and
 * nginx write them), each followed by the response's duration, and the word
 * `abandoned` when the response was not sent whole.
 *
 * @module
 */
import type { ExchangeRecord } from "./_exchange_record.ts";
import { MONTHS } from "./_conditional.ts";
import { headerValue } from "./_parse_head.ts";

/** Which access log line: `common` (CLF) or `combined` (CLF with Referer and User-Agent). */
export type LogFormat = "common" | "combined";

/** `[10/Oct/2000:13:55:36 +0000]`, in UTC. */
function logTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  return `[${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${
    two(d.getUTCMinutes())
  }:${two(d.getUTCSeconds())} +0000]`;
}

/** A client's text made safe for a log line: quotes, backslashes and controls escaped. */
function quoted(text: string | null): string {
  if (text === null || text === "") return '"-"';
  // deno-lint-ignore no-control-regex
  const unsafe = /[\x00-\x1f\x7f-\xff"\\]/g;
  return `"${text.replace(unsafe, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}"`;
}

/**
 * Formats one exchange.
 *
 * @param entry What became of the request.
 * @param format Which line.
 * @returns `127.0.0.1 - - [03/Dec/2026:13:00:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8.14" 0.41ms`.
 */
export function formatLogLine(entry: ExchangeRecord, format: LogFormat): string {
  const request = quoted(`${entry.method} ${entry.target} ${entry.version}`);
  let line = `${entry.remoteAddr.hostname || "-"} - - ${logTime(entry.time)} ${request} ${entry.status} ${
    entry.bytes === 0 ? "-" : entry.bytes
  }`;
  if (format === "combined") {
    line += ` ${quoted(headerValue(entry.head, "referer"))} ${quoted(headerValue(entry.head, "user-agent"))}`;
  }
  line += ` ${entry.duration.toFixed(2)}ms`;
  return entry.abandoned ? `${line} abandoned` : line;
}
