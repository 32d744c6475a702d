/**
 * A directory's listing page. Every name is escaped for HTML and every link
 * is `./` followed by the name percent-encoded as one path segment, so a
 * file named `a#b.txt`, `q?x.txt` or `javascript:alert(1)` is a relative
 * link to itself and nothing else. Dotfiles are left out unless shown.
 *
 * The directory is read through the descriptor the request opened (its
 * /proc/self/fd link), so the names listed are those of the directory that
 * openat2 found beneath the root, even if the path changed since; where
 * /proc cannot be read, through the path.
 *
 * @module
 */
import { encodeSegment } from "./_path.ts";

/** A directory entry, as listed. */
interface Entry {
  readonly name: string;
  readonly isDirectory: boolean;
}

/** What the directory-reading modules offer. */
interface DenoReadDir {
  readDir(path: string): AsyncIterable<Entry>;
}
interface NodeFsPromises {
  readdir(
    path: string,
    options: { withFileTypes: true },
  ): Promise<{ name: string; isDirectory(): boolean }[]>;
}

// A computed specifier: no static `node:` import in the library (deno check of a project with a
// package.json would then fail), and Bun resolves it at run time.
const NODE_FS_PROMISES = ["node", "fs/promises"].join(":");

/** The entries of the directory at `path`. */
async function readEntries(path: string): Promise<Entry[]> {
  const deno = (globalThis as { Deno?: DenoReadDir }).Deno;
  const entries: Entry[] = [];
  if (deno !== undefined) {
    for await (const entry of deno.readDir(path)) {
      entries.push({ name: entry.name, isDirectory: entry.isDirectory });
    }
    return entries;
  }
  const fs = await import(NODE_FS_PROMISES) as NodeFsPromises;
  for (const entry of await fs.readdir(path, { withFileTypes: true })) {
    entries.push({ name: entry.name, isDirectory: entry.isDirectory() });
  }
  return entries;
}

/** `text` fit for HTML text and attribute values. */
export function escapeHtml(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    out += c === "&"
      ? "&amp;"
      : c === "<"
      ? "&lt;"
      : c === ">"
      ? "&gt;"
      : c === '"'
      ? "&quot;"
      : c === "'"
      ? "&#39;"
      : c;
  }
  return out;
}

/** `name` as a relative link to itself: `./` and the name percent-encoded as one segment. */
function hrefOf(name: string, isDirectory: boolean): string {
  return `./${encodeSegment(name)}${isDirectory ? "/" : ""}`;
}

/**
 * The listing page of a directory.
 *
 * @param fd The directory's open descriptor.
 * @param path Its path, for when /proc cannot be read.
 * @param title Its URL path, decoded (shown escaped).
 * @param hasParent Whether to link "../".
 * @param dotfiles Whether to list names starting with ".".
 */
export async function listingPage(
  fd: number,
  path: string,
  title: string,
  hasParent: boolean,
  dotfiles: boolean,
): Promise<string> {
  let entries: Entry[];
  try {
    entries = await readEntries(`/proc/self/fd/${fd}`);
  } catch {
    entries = await readEntries(path);
  }
  entries = entries.filter((entry) => dotfiles || !entry.name.startsWith("."));
  entries.sort((a, b) =>
    a.isDirectory !== b.isDirectory ? (a.isDirectory ? -1 : 1) : a.name < b.name ? -1 : 1
  );
  const items = entries.map((entry) => {
    const shown = escapeHtml(entry.name) + (entry.isDirectory ? "/" : "");
    return `<li><a href="${escapeHtml(hrefOf(entry.name, entry.isDirectory))}">${shown}</a></li>`;
  });
  if (hasParent) items.unshift(`<li><a href="../">../</a></li>`);
  const heading = `Index of ${escapeHtml(title)}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}ul{list-style:none;padding:0}li{line-height:1.7}</style>
</head>
<body>
<h1>${heading}</h1>
<ul>
${items.join("\n")}
</ul>
</body>
</html>
`;
}
