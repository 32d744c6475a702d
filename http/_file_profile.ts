/**
 * The options of serveDir and serveFile, checked and worked out once (per
 * options object, and per distinct set of values, so that a handler passing
 * a new literal on every request still finds its cache), and the responses
 * that carry no file: statuses, redirects, the CORS preflight.
 *
 * @module
 */
import { defaultRing } from "../facade/default_ring.ts";
import type { IoRing } from "../facade/io_ring.ts";
import { requestContext } from "./_context.ts";
import { urlRootSegments } from "./_path.ts";
import { STATUS_TEXT } from "./_status.ts";

/** Every option either function takes (the public types are subsets of this). */
export interface FileServerSettings {
  fsRoot?: string;
  urlRoot?: string;
  showIndex?: boolean;
  showDirListing?: boolean;
  showDotfiles?: boolean;
  enableCors?: boolean;
  headers?: readonly string[];
  quiet?: boolean;
  fileCacheMs?: number;
  ring?: IoRing;
}

/** The options, worked out. */
export interface Profile {
  /** Identifies the values (not the ring): header fields made for one profile are cached under it. */
  readonly key: string;
  readonly fsRoot: string;
  /** The URL root as "/a/b", or "". */
  readonly rootPrefix: string;
  readonly rootSegments: readonly string[];
  readonly showIndex: boolean;
  readonly showDirListing: boolean;
  readonly showDotfiles: boolean;
  readonly enableCors: boolean;
  readonly quiet: boolean;
  readonly fileCacheMs: number;
  readonly ring: IoRing | undefined;
  /** Fields added to every response: the `headers` option's, then CORS's. */
  readonly extra: readonly [string, string][];
}

/** The default cache time of opened files, in milliseconds. */
export const DEFAULT_FILE_CACHE_MS = 1000;
/** Distinct option values remembered at most. */
const MAX_PROFILES = 64;
const CORS_ALLOW_HEADERS = "Origin, X-Requested-With, Content-Type, Accept, Range";

const byObject = new WeakMap<object, Profile>();
const byKey = new Map<string, Profile>();

/** The options object last asked about, and its profile: a server passes the same object every request. */
let lastSource: object | null = null;
let lastProfile: Profile | null = null;

/** The profile of `options` (made on first use). */
export function profileOf(options: FileServerSettings | undefined): Profile {
  if (options === lastSource && lastProfile !== null) return lastProfile;
  const source = options ?? {};
  let profile = byObject.get(source);
  if (profile === undefined) {
    profile = makeProfile(source);
    byObject.set(source, profile);
  }
  if (options !== undefined) {
    lastSource = options;
    lastProfile = profile;
  }
  return profile;
}

function makeProfile(options: FileServerSettings): Profile {
  const rootSegments = urlRootSegments(options.urlRoot);
  const fileCacheMs = options.fileCacheMs ?? DEFAULT_FILE_CACHE_MS;
  if (!(fileCacheMs >= 0)) {
    throw new RangeError(
      `Cannot serve files: fileCacheMs must be a number >= 0: current value is ${fileCacheMs}`,
    );
  }
  const values = {
    fsRoot: options.fsRoot || ".",
    rootPrefix: rootSegments.length === 0 ? "" : `/${rootSegments.join("/")}`,
    rootSegments,
    showIndex: options.showIndex ?? true,
    showDirListing: options.showDirListing ?? false,
    showDotfiles: options.showDotfiles ?? false,
    enableCors: options.enableCors ?? false,
    quiet: options.quiet ?? false,
    fileCacheMs,
    ring: options.ring,
    extra: extraFields(options),
  };
  const key = JSON.stringify([
    values.fsRoot,
    values.rootPrefix,
    values.showIndex,
    values.showDirListing,
    values.showDotfiles,
    values.enableCors,
    values.quiet,
    fileCacheMs,
    values.extra,
  ]);
  if (values.ring !== undefined) return { key, ...values };
  const interned = byKey.get(key);
  if (interned !== undefined) return interned;
  if (byKey.size >= MAX_PROFILES) byKey.delete(byKey.keys().next().value!);
  const profile: Profile = { key, ...values };
  byKey.set(key, profile);
  return profile;
}

/** The `headers` option's lines ("Name: value") as fields, then the CORS fields. */
function extraFields(options: FileServerSettings): [string, string][] {
  const fields: [string, string][] = [];
  for (const line of options.headers ?? []) {
    const colon = line.indexOf(":");
    const field: [string, string] = [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    try {
      if (colon <= 0) throw new TypeError("no name");
      new Headers([field]);
    } catch {
      throw new TypeError(
        `Cannot serve files: a header must be "Name: value": current value is ${JSON.stringify(line)}`,
      );
    }
    fields.push(field);
  }
  if (options.enableCors) {
    fields.push(["access-control-allow-origin", "*"], ["access-control-allow-headers", CORS_ALLOW_HEADERS]);
  }
  return fields;
}

/** The ring a request is served on: its server's, else the option's, else the thread's default. */
export function ringOf(request: Request, profile: Profile): IoRing {
  return requestContext(request)?.ring ?? profile.ring ?? defaultRing();
}

/**
 * A Response of `body` with `status` and `fields`. The fields are added after the Response is made: Deno
 * builds a native copy of a bytes or text Response made with several fields (about 6 µs, for its own
 * server's sake) that reading the headers then throws away; made bare, it costs a quarter of that.
 * `response`, if given, is the Response already made (with no fields).
 */
export function makeResponse(
  body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | string | null,
  status: number,
  fields: readonly (readonly [string, string])[],
  response: Response = new Response(body, { status }),
): Response {
  const headers = response.headers;
  for (let i = 0; i < fields.length; i++) {
    // A text body came with a Content-Type of its own: replaced, not listed beside it.
    if (fields[i][0] === "content-type") headers.set(fields[i][0], fields[i][1]);
    else headers.append(fields[i][0], fields[i][1]);
  }
  return response;
}

/** A response with no file: `status`, its reason as a short text body, and `fields`. */
export function statusResponse(status: number, profile: Profile, fields: [string, string][] = []): Response {
  const empty = status === 204 || status === 304 || status < 200;
  const body = empty ? null : `${STATUS_TEXT[status] ?? "Error"}\n`;
  const headers: [string, string][] = empty ? [] : [["content-type", "text/plain; charset=utf-8"]];
  headers.push(...fields, ...profile.extra);
  return makeResponse(body, status, headers);
}

/** The answer to a method other than GET and HEAD: the CORS preflight (204), or 405. */
export function otherMethodResponse(method: string, profile: Profile): Response {
  if (method === "OPTIONS" && profile.enableCors) {
    return statusResponse(204, profile, [
      ["access-control-allow-methods", "GET, HEAD, OPTIONS"],
      ["access-control-max-age", "86400"],
      ["allow", "GET, HEAD, OPTIONS"],
    ]);
  }
  return statusResponse(405, profile, [["allow", "GET, HEAD"]]);
}

/** A 301 to `location` (a path beginning with one "/"). */
export function redirectResponse(location: string, profile: Profile): Response {
  return statusResponse(301, profile, [["location", location]]);
}
