/**
 * Opening a file to serve: openat2 beneath the root (RESOLVE_BENEATH, so no
 * `..`, absolute or symbolic link leaves it; RESOLVE_NO_MAGICLINKS), non-
 * blocking so that a FIFO or a device never holds the request, then one
 * statx of the descriptor. Only regular files and directories are served;
 * the errors a path can meet become statuses. An {@link OpenFile} carries
 * what the statx said in the form responses need it, and counts its users,
 * so that a descriptor is closed once, after the last of them.
 *
 * @module
 */
import type { IoRing } from "../facade/io_ring.ts";
import { nativeOrNull } from "../ffi/native.ts";
import { AT_EMPTY_PATH, O_NOCTTY, O_NONBLOCK, O_RDONLY, RESOLVE_NO_MAGICLINKS } from "../kernel/constants.ts";
import { IoRingError } from "../util/error.ts";
import { fileEtag } from "./_conditional.ts";
import { contentType } from "./_media_types.ts";

/** fcntl(2)'s command that sets the file status flags. */
const F_SETFL = 4;
/** Open flags: read, never wait (a FIFO with no writer, a device), never become a controlling terminal. */
const OPEN_FLAGS = O_RDONLY | O_NONBLOCK | O_NOCTTY;

/** Closes `fd` through `ring`, or directly once the ring is closed; never throws. */
export function closeDescriptor(ring: IoRing, fd: number): Promise<void> {
  if (ring.closed) {
    nativeOrNull()?.close(fd);
    return Promise.resolve();
  }
  return ring.closeFd(fd).catch(() => {
    // The ring closed before the CLOSE reached the kernel: the descriptor is still open.
    if (ring.closed) nativeOrNull()?.close(fd);
  });
}

/** An open regular file or directory, described; shared by the requests that use it. */
export class OpenFile {
  readonly ring: IoRing;
  readonly fd: number;
  readonly isDirectory: boolean;
  readonly size: number;
  readonly etag: string;
  /** Last-Modified in milliseconds, whole seconds (what the field can say). */
  readonly lastModified: number;
  readonly lastModifiedText: string;
  readonly contentType: string;
  /** When it was opened (Date.now()). */
  readonly openedAt: number = Date.now();
  /** How long a cache may keep it, in milliseconds (set when cached). */
  ttl = 0;
  /** Requests holding the descriptor; the opener is the first. */
  users = 1;
  /** Out of the cache (or never in it): the descriptor closes when the last user is done. */
  retired = true;
  /** A whole-file 200's header fields, made for the options whose key is `wholeKey`. */
  wholeHeaders: [string, string][] | null = null;
  wholeKey = "";

  /**
   * @param ring The ring the descriptor is used on.
   * @param fd The descriptor.
   * @param isDirectory What statx said.
   * @param size The size in bytes.
   * @param mtimeMs The modification time.
   * @param name The name the Content-Type is taken from.
   */
  constructor(ring: IoRing, fd: number, isDirectory: boolean, size: number, mtimeMs: number, name: string) {
    this.ring = ring;
    this.fd = fd;
    this.isDirectory = isDirectory;
    this.size = size;
    this.etag = fileEtag(size, mtimeMs);
    this.lastModified = Math.floor(mtimeMs / 1000) * 1000;
    this.lastModifiedText = new Date(this.lastModified).toUTCString();
    this.contentType = contentType(name);
  }

  /** One more user of the descriptor. */
  acquire(): void {
    this.users++;
  }

  /** A user is done; the last one closes a retired file. */
  release(): void {
    if (--this.users === 0 && this.retired) void closeDescriptor(this.ring, this.fd);
  }

  /** Takes the file out of the cache: it closes when no request uses it. */
  retire(): void {
    if (this.retired) return;
    this.retired = true;
    if (this.users === 0) void closeDescriptor(this.ring, this.fd);
  }
}

/** The status a failed open or statx stands for, or null for an error no path explains (a 500). */
export function openErrorStatus(error: unknown): number | null {
  if (!(error instanceof IoRingError)) return null;
  switch (error.code) {
    case "ENOENT":
    case "ENOTDIR":
    case "ENXIO": // a socket
    case "ENODEV": // a device without a driver
      return 404;
    case "ENAMETOOLONG":
      return 414;
    case "EXDEV": // out of the root: `..`, an absolute path, a symbolic link out
    case "ELOOP": // a magic link, or too many links
    case "EACCES":
    case "EPERM":
      return 403;
    case "EMFILE":
    case "ENFILE":
    case "ENOMEM":
      return 503;
    default:
      return null;
  }
}

/**
 * Opens `path` under `dirfd` (with `resolve` flags) and describes it: an OpenFile (a regular file or a
 * directory, the caller's to release), or the status refusing it (anything else is 404). Rejects only for
 * errors {@link openErrorStatus} does not explain.
 *
 * @param ring The ring.
 * @param dirfd The directory `path` is relative to.
 * @param path The path.
 * @param resolve RESOLVE_* flags (RESOLVE_BENEATH for a root); RESOLVE_NO_MAGICLINKS is always added.
 * @param name The name the Content-Type is taken from.
 */
export async function openDescribed(
  ring: IoRing,
  dirfd: number,
  path: string,
  resolve: number,
  name: string,
): Promise<OpenFile | number> {
  let fd: number;
  try {
    fd = await ring.openat2(path, { dirfd, flags: OPEN_FLAGS, resolve: resolve | RESOLVE_NO_MAGICLINKS });
  } catch (error) {
    const status = openErrorStatus(error);
    if (status === null) throw error;
    return status;
  }
  try {
    const stat = await ring.statx("", { dirfd: fd, flags: AT_EMPTY_PATH });
    if (!stat.isFile && !stat.isDirectory) {
      void closeDescriptor(ring, fd);
      return 404; // a FIFO, a socket, a device: opened without waiting, never read
    }
    // Reads of a regular file wait for the disk: O_NONBLOCK could make a read fail with EAGAIN instead.
    if (stat.isFile) nativeOrNull()?.fcntl(fd, F_SETFL, 0);
    return new OpenFile(ring, fd, stat.isDirectory, stat.size, stat.mtimeMs, name);
  } catch (error) {
    void closeDescriptor(ring, fd);
    throw error;
  }
}
