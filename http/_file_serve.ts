/**
 * How a request finds its file: the URL path made a path beneath the root,
 * the open-file cache asked first (a hit costs no system call but the read),
 * else the root's descriptor, openat2 beneath it and a statx; a directory is
 * redirected to its "/" form, served by its index.html, listed, or refused.
 *
 * @module
 */
import { SLASH } from "./_ascii.ts";
import type { IoRing } from "../facade/io_ring.ts";
import { RESOLVE_BENEATH } from "../kernel/constants.ts";
import { acquireRoot, cachedFile, forgetFile, forgetRoot, keepFile, type RootDir } from "./_file_cache.ts";
import { openDescribed, type OpenFile } from "./_file_open.ts";
import {
  makeResponse,
  otherMethodResponse,
  type Profile,
  redirectResponse,
  ringOf,
  statusResponse,
} from "./_file_profile.ts";
import { replyWithFile } from "./_file_reply.ts";
import { listingPage } from "./_listing.ts";
import { directoryTitle, directoryUrl, queryOf, rawPathOf, resolvePath, safeQuery } from "./_path.ts";

/** What one request to serveDir is about. */
interface DirRequest {
  readonly request: Request;
  readonly profile: Profile;
  readonly ring: IoRing;
  /** The path beneath the root ("." for the root). */
  readonly relative: string;
  /** The URL path ends with "/". */
  readonly slash: boolean;
  /** The cache key: `relative`, and "/" after it for a directory's index. */
  readonly key: string;
}

/** serveDir's work (see file_server.ts): never rejects for an expected failure, which is a status. */
export function serveDirRequest(request: Request, profile: Profile): Promise<Response> | Response {
  const method = request.method;
  if (method !== "GET" && method !== "HEAD") return otherMethodResponse(method, profile);
  const raw = rawPathOf(request.url);
  const relative = resolvePath(raw, profile.rootPrefix, profile.rootSegments, profile.showDotfiles);
  if (typeof relative === "number") return statusResponse(relative, profile);
  const ring = ringOf(request, profile);
  const slash = raw.charCodeAt(raw.length - 1) === SLASH;
  const key = slash ? `${relative}/` : relative;
  const cached = cachedFile(ring, profile.fsRoot, key, profile.fileCacheMs);
  const target: DirRequest = { request, profile, ring, relative, slash, key };
  if (cached === undefined) return openAndServe(target);
  const refresh = () => openAndServe(target, cached);
  const reply = replyWithFile(request, cached, profile, refresh);
  if (reply instanceof Response) return reply;
  return reply.then((response) => response ?? refresh());
}

/** The way without the cache; `stale` is a cached file found changed, to take out of the cache. */
async function openAndServe(target: DirRequest, stale?: OpenFile): Promise<Response> {
  const { ring, profile, relative, slash } = target;
  const root = acquireRoot(ring, profile.fsRoot, profile.fileCacheMs);
  try {
    if (stale !== undefined) forgetFile(root, target.key, stale);
    const rootStatus = await root.ready.catch((error) => {
      forgetRoot(root); // the next request tries to open it again
      throw error;
    });
    if (rootStatus !== 0) {
      forgetRoot(root);
      return statusResponse(rootStatus, profile);
    }
    const path = slash && relative !== "." ? `${relative}/` : relative;
    const opened = await openDescribed(ring, root.fd, path, RESOLVE_BENEATH, relative);
    if (typeof opened === "number") return statusResponse(opened, profile);
    try {
      if (!opened.isDirectory) return await serveOpened(target, root, opened);
      if (!slash) {
        const location = directoryUrl(profile.rootSegments, relative) +
          safeQuery(queryOf(target.request.url));
        return redirectResponse(location, profile);
      }
      return await serveDirectory(target, root, opened);
    } finally {
      opened.release();
    }
  } finally {
    root.release();
  }
}

/** A regular file just opened: cached, then served (opened again if it changed meanwhile). */
async function serveOpened(target: DirRequest, root: RootDir, file: OpenFile): Promise<Response> {
  keepFile(root, target.key, file, target.profile.fileCacheMs);
  return await replyWithFile(target.request, file, target.profile) ?? statusResponse(503, target.profile);
}

/** A directory asked for with its "/": its index.html, its listing, or 404. */
async function serveDirectory(target: DirRequest, root: RootDir, directory: OpenFile): Promise<Response> {
  const { ring, profile, relative } = target;
  if (profile.showIndex) {
    const path = relative === "." ? "index.html" : `${relative}/index.html`;
    const index = await openDescribed(ring, root.fd, path, RESOLVE_BENEATH, "index.html");
    if (typeof index === "number") {
      if (index !== 404) return statusResponse(index, profile);
    } else {
      try {
        if (!index.isDirectory) return await serveOpened(target, root, index);
      } finally {
        index.release();
      }
    }
  }
  if (!profile.showDirListing) return statusResponse(404, profile);
  const page = await listingPage(
    directory.fd,
    relative === "." ? profile.fsRoot : `${profile.fsRoot}/${relative}`,
    directoryTitle(profile.rootSegments, relative),
    relative !== ".",
    profile.showDotfiles,
  );
  return makeResponse(page, 200, [["content-type", "text/html; charset=utf-8"], ...profile.extra]);
}

/** serveFile's work (see file_server.ts). */
export function serveFileRequest(
  request: Request,
  path: string,
  profile: Profile,
): Promise<Response> | Response {
  const method = request.method;
  if (method !== "GET" && method !== "HEAD") return otherMethodResponse(method, profile);
  const ring = ringOf(request, profile);
  const cached = cachedFile(ring, "", path, profile.fileCacheMs);
  if (cached === undefined) return openFileAndServe(request, path, profile, ring);
  const refresh = () => openFileAndServe(request, path, profile, ring, cached);
  const reply = replyWithFile(request, cached, profile, refresh);
  if (reply instanceof Response) return reply;
  return reply.then((response) => response ?? refresh());
}

async function openFileAndServe(
  request: Request,
  path: string,
  profile: Profile,
  ring: IoRing,
  stale?: OpenFile,
): Promise<Response> {
  const root = acquireRoot(ring, "", profile.fileCacheMs);
  try {
    if (stale !== undefined) forgetFile(root, path, stale);
    const opened = await openDescribed(ring, root.fd, path, 0, path);
    if (typeof opened === "number") return statusResponse(opened, profile);
    try {
      if (opened.isDirectory) return statusResponse(404, profile);
      keepFile(root, path, opened, profile.fileCacheMs);
      return await replyWithFile(request, opened, profile) ?? statusResponse(503, profile);
    } finally {
      opened.release();
    }
  } finally {
    root.release();
  }
}
