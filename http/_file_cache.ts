/**
 * The open-file cache, as nginx's `open_file_cache`: per ring, the files
 * opened beneath a served root stay open for `fileCacheMs`, so a request for
 * a file served a moment ago costs no openat2 and no statx; the root's own
 * descriptor stays open while it is used (at least a second after its last
 * use). A file's bytes are still read on every request; what
 * may be up to `fileCacheMs` old is the description (size, validators) and,
 * for a file replaced by a rename, which file is served. Descriptors close
 * when they expire (a timer that never holds the process open), when the
 * cache is closed, or once the ring is closed.
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";
import { AT_FDCWD, O_DIRECTORY, O_PATH } from "../kernel/constants.ts";
import { closeDescriptor, openErrorStatus, type OpenFile } from "./_file_open.ts";
import { unrefTimer } from "../util/timers.ts";

/** Files kept open per ring at most. */
const MAX_FILES = 1024;
/** Roots kept open per ring at most. */
const MAX_ROOTS = 64;
/**
 * How long a root's descriptor stays open after its last use, at least: even with `fileCacheMs` 0 (every
 * file opened and described again), a root served a moment ago is not opened again.
 */
const ROOT_MIN_MS = 1000;

/** A served root directory's descriptor and the files cached beneath it. */
export class RootDir {
  readonly ring: IoRing;
  readonly path: string;
  /** The descriptor, once `ready` resolved; AT_FDCWD for the current directory of serveFile. */
  fd = -1;
  /** Resolves with 0 once open, or with the status refusing the root. */
  readonly ready: Promise<number>;
  readonly files: Map<string, OpenFile> = new Map();
  /** Requests using the descriptor. */
  users = 0;
  lastUsed: number = Date.now();
  ttl: number;
  /** Out of the cache: closes when no request uses it. */
  retired: boolean;

  constructor(ring: IoRing, path: string, ttl: number) {
    this.ring = ring;
    this.path = path;
    this.ttl = Math.max(ttl, ROOT_MIN_MS);
    this.retired = false;
    if (path === "") {
      this.fd = AT_FDCWD;
      this.ready = Promise.resolve(0);
    } else {
      this.ready = ring.openat(path, { flags: O_PATH | O_DIRECTORY }).then((fd) => {
        this.fd = fd;
        if (this.retired && this.users === 0) void closeDescriptor(ring, fd);
        return 0;
      }, (error) => {
        const status = openErrorStatus(error);
        if (status === null) throw error;
        return status;
      });
    }
  }

  /** A request is done with the descriptor. */
  release(): void {
    this.lastUsed = Date.now();
    if (--this.users === 0 && this.retired) this.#close();
  }

  /** Takes the root and its files out of the cache. */
  retire(): void {
    for (const file of this.files.values()) file.retire();
    this.files.clear();
    if (this.retired) return;
    this.retired = true;
    if (this.users === 0) this.#close();
  }

  #close(): void {
    if (this.fd >= 0) void closeDescriptor(this.ring, this.fd);
    this.fd = -1;
  }
}

/** One ring's roots, and the timer that expires them. */
class RingFiles {
  readonly roots: Map<string, RootDir> = new Map();
  fileCount = 0;
  timer: ReturnType<typeof setTimeout> | null = null;
  timerAt = Infinity;
}

const byRing = new WeakMap<IoRing, RingFiles>();
/** The ring last looked up and its files: a thread's server asks about one ring, request after request. */
let lastRing: IoRing | null = null;
let lastFiles: RingFiles | undefined;

/** `byRing.get(ring)`, through the one-entry memo. */
function filesOf(ring: IoRing): RingFiles | undefined {
  if (ring === lastRing) return lastFiles;
  const files = byRing.get(ring);
  if (files !== undefined) {
    lastRing = ring;
    lastFiles = files;
  }
  return files;
}

/**
 * The cached file `key` of root `path` on `ring`, if opened less than `ttl` milliseconds ago; an older one
 * leaves the cache. The caller acquires it before using the descriptor.
 */
export function cachedFile(ring: IoRing, path: string, key: string, ttl: number): OpenFile | undefined {
  const files = filesOf(ring);
  const root = files?.roots.get(path);
  const file = root?.files.get(key);
  if (file === undefined) return undefined;
  if (Date.now() - file.openedAt < ttl && !ring.closed) return file;
  root!.files.delete(key);
  files!.fileCount--;
  file.retire();
  return undefined;
}

/** Keeps `file` as `key` beneath `root` for `ttl` milliseconds, if there is room (it replaces an older one). */
export function keepFile(root: RootDir, key: string, file: OpenFile, ttl: number): void {
  if (ttl <= 0 || root.retired || root.ring.closed) return;
  const state = ringFiles(root.ring);
  if (state.fileCount >= MAX_FILES) sweep(state, root.ring);
  if (state.fileCount >= MAX_FILES) return;
  const older = root.files.get(key);
  if (older !== undefined) {
    older.retire();
    state.fileCount--;
  }
  file.ttl = ttl;
  file.retired = false;
  root.files.set(key, file);
  state.fileCount++;
  schedule(state, root.ring, file.openedAt + ttl);
}

/** Takes `file` out of the cache as `key` beneath `root`, if it is there (a file found changed). */
export function forgetFile(root: RootDir, key: string, file: OpenFile): void {
  if (root.files.get(key) !== file) return;
  root.files.delete(key);
  const state = byRing.get(root.ring);
  if (state !== undefined) state.fileCount--;
  file.retire();
}

/** Takes `root` out of the cache (it could not be opened: the next request tries again). */
export function forgetRoot(root: RootDir): void {
  const state = byRing.get(root.ring);
  if (state?.roots.get(root.path) === root) state.roots.delete(root.path);
  root.retire();
}

/**
 * The root directory `path` on `ring`, acquired (the caller releases it): opened now, or the one kept
 * from an earlier request within `ttl` milliseconds (at least {@link ROOT_MIN_MS}). "" is the current
 * directory (never closed).
 */
export function acquireRoot(ring: IoRing, path: string, ttl: number): RootDir {
  const state = ringFiles(ring);
  let root = state.roots.get(path);
  if (root !== undefined && (root.retired || root.ring.closed)) root = undefined;
  if (root === undefined) {
    root = new RootDir(ring, path, ttl);
    if (!ring.closed && (state.roots.size < MAX_ROOTS || sweep(state, ring) < MAX_ROOTS)) {
      state.roots.set(path, root);
      schedule(state, ring, root.lastUsed + root.ttl);
    } else {
      root.retired = true;
    }
  }
  root.ttl = Math.max(root.ttl, ttl);
  root.users++;
  return root;
}

/**
 * Closes what `ring`'s cache holds: descriptors in use close when their last request is done. For a
 * server shutting down, before it closes its ring.
 */
export function closeFileCache(ring: IoRing): void {
  const state = byRing.get(ring);
  if (state === undefined) return;
  byRing.delete(ring);
  if (lastRing === ring) {
    lastRing = null;
    lastFiles = undefined;
  }
  if (state.timer !== null) clearTimeout(state.timer);
  for (const root of state.roots.values()) root.retire();
  state.roots.clear();
}

function ringFiles(ring: IoRing): RingFiles {
  let state = byRing.get(ring);
  if (state === undefined) {
    state = new RingFiles();
    byRing.set(ring, state);
  }
  return state;
}

/** Takes out what expired (everything, once the ring is closed); returns the roots left. */
function sweep(state: RingFiles, ring: IoRing): number {
  const now = Date.now();
  const all = ring.closed;
  let next = Infinity;
  for (const [path, root] of state.roots) {
    for (const [key, file] of root.files) {
      const expires = file.openedAt + file.ttl;
      if (all || expires <= now) {
        root.files.delete(key);
        state.fileCount--;
        file.retire();
      } else {
        next = Math.min(next, expires);
      }
    }
    const rootExpires = root.lastUsed + root.ttl;
    if (all || (root.files.size === 0 && root.users === 0 && rootExpires <= now)) {
      state.roots.delete(path);
      root.retire();
    } else {
      next = Math.min(next, Math.max(rootExpires, now + root.ttl / 2));
    }
  }
  if (next !== Infinity) schedule(state, ring, next);
  return state.roots.size;
}

/** Sweeps at `at` (Date.now() time) or before. */
function schedule(state: RingFiles, ring: IoRing, at: number): void {
  if (state.timer !== null && state.timerAt <= at) return;
  if (state.timer !== null) clearTimeout(state.timer);
  state.timerAt = at;
  state.timer = setTimeout(() => {
    state.timer = null;
    state.timerAt = Infinity;
    sweep(state, ring);
  }, Math.max(1, at - Date.now() + 1));
  unrefTimer(state.timer);
}
