/**
 * Helpers for the file server tests: a temporary tree of files made for one
 * test, a ring of the test's own, and the check that every descriptor opened
 * on the tree was closed by the test's end.
 *
 * @module
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IoRing } from "../facade/io_ring.ts";
import { closeFileCache } from "../http/_file_cache.ts";

/** The 11-byte file's content. */
export const ELEVEN = "hello world";
/** The 1 MiB file's content: every byte differs from its neighbours, so a misplaced range shows. */
export const MIB = new Uint8Array(1 << 20).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
/** The 4 KiB file's content. */
export const FOUR_KIB = new Uint8Array(4096).map((_, i) => (i * 13) & 0xff);

/** A test's tree and ring. */
export interface FileTree {
  /** The tree's directory. */
  readonly root: string;
  /** A ring of the test's own, closed after it. */
  readonly ring: IoRing;
  /** A path in the tree. */
  path(relative: string): string;
}

/**
 * Runs `fn` with a new tree (see {@link makeTree}) and ring; afterwards the file cache and the ring are
 * closed, and no descriptor may still point into the tree.
 */
export async function withTree(fn: (tree: FileTree) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "ioring-files-"));
  makeTree(root);
  const ring = new IoRing({ entries: 64 });
  try {
    await fn({ root, ring, path: (relative) => join(root, relative) });
    closeFileCache(ring);
    await waitFor(() => descriptorsInto(root).length === 0, 2000);
    assert.deepEqual(descriptorsInto(root), [], "every descriptor opened on the tree is closed");
  } finally {
    closeFileCache(ring);
    await ring.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The tree: `eleven.txt` (11 bytes), `4k.bin`, `1m.bin`, `notes.txt`, `index.html`, a `docs/` with an
 * index, `dir-without-index/` with files whose names need escaping and a dotfile, `.env`, `.git/config`,
 * `nested/` (a directory), `media/` (one empty file per web type), `fifo` (a FIFO), `out` (a symbolic
 * link out of the tree), `linked-index/index.html` (a link to a file out of the tree), `static/x.txt`.
 */
export function makeTree(root: string): void {
  const write = (relative: string, content: string | Uint8Array) =>
    writeFileSync(join(root, relative), content);
  const dir = (relative: string) => mkdirSync(join(root, relative), { recursive: true });
  write("eleven.txt", ELEVEN);
  write("4k.bin", FOUR_KIB);
  write("1m.bin", MIB);
  write("notes.txt", "notes\n");
  write("index.html", "<h1>root</h1>\n");
  dir("docs");
  write("docs/index.html", "<h1>docs</h1>\n");
  dir("dir-without-index/sub");
  for (const name of ["a#b.txt", "q?x.txt", "javascript:alert(1)", "<b>&.txt", ".hidden", "100%.txt"]) {
    write(`dir-without-index/${name}`, name);
  }
  write(".env", "SECRET=1\n");
  dir(".git");
  write(".git/config", "[core]\n");
  dir("nested");
  write("nested/file.txt", "nested\n");
  dir("media");
  for (
    const ext of ["mp4", "webm", "woff2", "wasm", "svg", "avif", "css", "js", "json", "png", "unknownext"]
  ) {
    write(`media/a.${ext}`, "");
  }
  execFileSync("mkfifo", [join(root, "fifo")]);
  symlinkSync("/etc/hostname", join(root, "out"));
  dir("linked-index");
  symlinkSync("/etc/hostname", join(root, "linked-index/index.html"));
  dir("static");
  write("static/x.txt", "x\n");
}

/** The descriptors of this process that point into `root` (their numbers and targets). */
export function descriptorsInto(root: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync("/proc/self/fd")) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      continue; // closed meanwhile (the directory listing's own descriptor)
    }
    if (target.startsWith(root)) found.push(`${name} -> ${target}`);
  }
  return found;
}

/** The descriptors of this process open on files in `root` (not on `root` itself, which a cache may keep). */
export function filesOpenIn(root: string): string[] {
  return descriptorsInto(root).filter((entry) => !entry.endsWith(` -> ${root}`));
}

/** Waits until `done()` or `ms` pass. */
export async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** A GET (or `method`) Request for `path` on localhost with `headers`. */
export function get(path: string, headers: Record<string, string> = {}, method = "GET"): Request {
  return new Request(`http://localhost${path}`, { method, headers });
}

/**
 * A stand-in Request whose URL is kept exactly as given (`new Request` resolves "..", as a server given
 * the raw request target does not): it has what serveDir reads, the method, URL and fields.
 */
export function rawRequest(path: string, headers: Record<string, string> = {}, method = "GET"): Request {
  return { method, url: `http://localhost${path}`, headers: new Headers(headers) } as unknown as Request;
}

/** The body's bytes. */
export async function bytesOf(response: { arrayBuffer(): Promise<ArrayBuffer> }): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

/** Forces a garbage collection, where the runtime allows it; false where it cannot. */
export function collectGarbage(): boolean {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun !== undefined) {
    bun.gc(true);
    return true;
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return gc !== undefined;
}

/** Whether this process runs as root (permission bits do not stop it). */
export const isRoot: boolean =
  (globalThis as { process?: { getuid?: () => number } }).process?.getuid?.() === 0;
