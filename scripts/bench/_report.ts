/**
 * Turns benchmark figures into a console table, a Markdown table for the
 * README, and an SVG chart of the ratios.
 *
 * @module
 */
import { type Figure, median, spread } from "./_common.ts";

/** A figure with its runtime, as merged by main.mjs. */
export type RuntimeFigure = Figure & { runtime?: string };

function format(value: number, unit: string): string {
  if (unit === "ms" || unit === "µs") return value < 10 ? value.toFixed(2) : value.toFixed(1);
  if (unit === "s") return value.toFixed(3);
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(value < 1e4 ? 2 : 0)} k`;
  return value.toFixed(0);
}

/** The subjects a figure is compared with. */
export function referencesOf(figure: Figure): string[] {
  return figure.reference === undefined ? [] : [figure.reference].flat();
}

/** The ratio of a figure to a reference: how many times better (> 1 is better than the reference). */
export function ratio(
  figure: Figure,
  all: Figure[],
  reference = referencesOf(figure)[0],
): number | undefined {
  const ref = referenceFigure(figure, all, reference);
  if (ref === undefined) return undefined;
  const r = median(figure.runs) / median(ref.runs);
  return figure.lowerIsBetter ? 1 / r : r;
}

/** The figure `reference` names for `figure`: same benchmark, configuration and runtime. */
function referenceFigure(figure: Figure, all: Figure[], reference: string | undefined): Figure | undefined {
  if (reference === undefined) return undefined;
  return all.find((f) =>
    f.bench === figure.bench && f.config === figure.config && f.subject === reference &&
    (f as RuntimeFigure).runtime === (figure as RuntimeFigure).runtime
  );
}

/** A reference whose runs spread more than this is named as unsteady beside every ratio to it. */
const UNSTEADY = 0.3;

/** Rows of [bench, config, subject, median, spread, ratios]. */
export function rows(figures: Figure[]): string[][] {
  return figures.map((f) => {
    const ratios = referencesOf(f).flatMap((reference) => {
      const r = ratio(f, figures, reference);
      if (r === undefined) return [];
      const ref = referenceFigure(f, figures, reference)!;
      const unsteady = spread(ref.runs) > UNSTEADY
        ? ` (unsteady: ±${(spread(ref.runs) * 100).toFixed(0)}%)`
        : "";
      return [`${r.toFixed(2)}× ${reference}${unsteady}`];
    });
    return [
      f.bench,
      f.config,
      f.subject,
      `${format(median(f.runs), f.unit)} ${f.unit}`,
      `±${(spread(f.runs) * 100).toFixed(0)}%`,
      ratios.join(", "),
    ];
  });
}

function byRuntime(figures: Figure[]): [string, Figure[]][] {
  const groups = new Map<string, Figure[]>();
  for (const f of figures) {
    const key = (f as RuntimeFigure).runtime ?? "";
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups];
}

/** Prints an aligned table, one section per runtime. */
export function printTable(figures: Figure[]): void {
  for (const [runtime, group] of byRuntime(figures)) {
    if (runtime !== "") console.log(`\n${runtime} (C references and coreutils measured in the same run)`);
    const table = [["benchmark", "config", "subject", "median", "spread", "vs"], ...rows(group)];
    const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
    for (const row of table) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join("  "));
  }
}

/** Markdown tables, one per runtime. */
export function markdownTable(figures: Figure[]): string {
  const out: string[] = [];
  for (const [runtime, group] of byRuntime(figures)) {
    out.push(`**${runtime}** (references measured in the same run)`, "");
    out.push("| benchmark | config | subject | median | spread | ratio |", "|---|---|---|---|---|---|");
    for (const row of rows(group)) out.push(`| ${row.join(" | ")} |`);
    out.push("");
  }
  return out.join("\n");
}

/** An SVG bar chart of every ratio, one bar per compared figure; the line at 1 is the reference. */
export function svgChart(figures: Figure[], title: string): string {
  const bars = figures.flatMap((f) =>
    referencesOf(f).flatMap((reference) => {
      const r = ratio(f, figures, reference);
      const runtime = (f as RuntimeFigure).runtime ?? "";
      return r === undefined
        ? []
        : [{ label: `${runtime}: ${f.bench}, ${f.config}: ${f.subject} vs ${reference}`, r }];
    })
  );
  // Ratios span 0.05× to 100×: bars are clipped at 3× (the label keeps the true value).
  const max = 3;
  const left = 640, width = 320, bar = 16, gap = 6, top = 40;
  const height = top + bars.length * (bar + gap) + 30;
  const x = (v: number) => left + (Math.min(v, max) / max) * width;
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${
      left + width + 60
    }" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * (bar + gap);
    const color = b.r >= 1 ? "#2a7" : b.r >= 0.8 ? "#e93" : "#c44";
    parts.push(`<text x="${left - 6}" y="${y + 12}" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(
      `<rect x="${left}" y="${y}" width="${
        Math.max(1, x(b.r) - left).toFixed(1)
      }" height="${bar}" fill="${color}"/>`,
    );
    parts.push(`<text x="${x(b.r) + 4}" y="${y + 12}">${b.r.toFixed(2)}×${b.r > max ? " ▸" : ""}</text>`);
  });
  parts.push(
    `<line x1="${x(1)}" y1="${top - 6}" x2="${x(1)}" y2="${
      height - 24
    }" stroke="#333" stroke-dasharray="4 3"/>`,
  );
  parts.push(`<text x="${x(1)}" y="${height - 10}" text-anchor="middle">1× = the reference</text>`);
  parts.push("</svg>");
  return parts.join("\n");
}
