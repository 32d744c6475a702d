/**
 * The HTTP benchmark's own table, printed when http.ts runs alone: each
 * figure's runs as min/median/max, and its ratio (of medians) to the
 * runtime's own server and to nginx in the same section.
 *
 * @module
 */
import { type Figure, median } from "./_common.ts";
import { ratio } from "./_report.ts";

/** A figure of the HTTP benchmark: which runtime's section it belongs to, and that runtime's own server. */
export type HttpFigure = Figure & { runtime: string; own: string };

function rate(value: number): string {
  return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} k`;
}

/** Rows: subject, runtime, config, min, median, max, ratio to the runtime's server, ratio to nginx. */
export function httpRows(figures: HttpFigure[]): string[][] {
  return figures.map((f) => {
    const versus = (reference: string) => {
      if (reference === f.subject) return "1";
      const r = ratio(f, figures, reference);
      return r === undefined ? "" : r.toFixed(2);
    };
    return [
      f.subject,
      f.runtime,
      `${f.bench.replace(/ \(.*\)$/, "")}, ${f.config}`,
      rate(Math.min(...f.runs)),
      rate(median(f.runs)),
      rate(Math.max(...f.runs)),
      versus(f.own),
      versus("nginx"),
    ];
  });
}

/** Prints the table, aligned, after a line saying how it was measured. */
export function printHttpTable(figures: HttpFigure[], how: string): void {
  console.log(how);
  const header = ["subject", "runtime", "config", "min req/s", "median", "max", "vs own server", "vs nginx"];
  const table = [header, ...httpRows(figures)];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c].length)));
  for (const row of table) {
    console.log(
      row.map((cell, c) => (c >= 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  "),
    );
  }
}
