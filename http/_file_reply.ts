/**
 * The response for an open regular file: validators and preconditions (304,
 * 412), ranges (206, multipart 206, 416), else the whole file (200). A body
 * of at most {@link SMALL_FILE} bytes is read now, whole, and given as bytes
 * (the server sends them with the head in one SEND), unless this library's
 * server will read it as it sends it (a cached file: the Response is made at
 * once, with no read and no promise); a larger one is a stream over the
 * descriptor. Either way the Response is registered as a file body so that
 * this library's server sends the file itself.
 *
 * @module
 */
import { evaluatePreconditions, ifRangeHolds, type Preconditions } from "./_conditional.ts";
import { fileStream, Lease, PreloadedBody, returnBuffer, StreamedBody, takeBuffer } from "./_file_body.ts";
import { lazyFileResponse } from "./_file_lazy.ts";
import { holdUntilAnswered, requestContext, requestField, requestHasAnyField } from "./_context.ts";
import { multipartBody } from "./_file_multipart.ts";
import type { OpenFile } from "./_file_open.ts";
import { makeResponse, type Profile, statusResponse } from "./_file_profile.ts";
import { setFileBody } from "./_file_response.ts";
import { type ByteRange, contentRange, parseRange } from "./_range.ts";

/** Bodies up to this size are read when the response is made. */
export const SMALL_FILE = 64 * 1024;

type Fields = [string, string][];

/** The request fields that can make a file's response other than the whole file. */
const FILE_FIELDS = ["if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "range"];

/**
 * The response to a GET or HEAD of `file`; null when a read found the file changed since it was described
 * (the caller opens it again). With `refresh` (the response made anew from the file opened again), a small
 * body under this library's server is left for the server to read: see {@link FileBody.refresh}.
 */
export function replyWithFile(
  request: Request,
  file: OpenFile,
  profile: Profile,
  refresh?: () => Promise<Response>,
): Response | Promise<Response | null> {
  const method = request.method;
  // Under this library's server: a lazy Response, and a small body left for the server to read.
  const served: Served = requestContext(request) === undefined ? null : { refresh };
  // The common request names none of them: the whole file, without looking each one up.
  if (!requestHasAnyField(request, FILE_FIELDS)) {
    return body(request, file, wholeFields(file, profile), 200, 0, file.size, served);
  }
  const conditions: Preconditions = {
    ifMatch: requestField(request, "if-match"),
    ifNoneMatch: requestField(request, "if-none-match"),
    ifModifiedSince: requestField(request, "if-modified-since"),
    ifUnmodifiedSince: requestField(request, "if-unmodified-since"),
  };
  const verdict = conditions.ifMatch === null && conditions.ifNoneMatch === null &&
      conditions.ifModifiedSince === null && conditions.ifUnmodifiedSince === null
    ? 0
    : evaluatePreconditions(conditions, method, file.etag, file.lastModified);
  if (verdict === 304) {
    return makeResponse(null, 304, [...validatorFields(file), ...profile.extra]);
  }
  if (verdict === 412) return statusResponse(412, profile);
  const rangeField = requestField(request, "range");
  let ranges: ByteRange[] | null = null;
  if (rangeField !== null) {
    const ifRange = requestField(request, "if-range");
    if (ifRange === null || ifRangeHolds(ifRange, file.etag, file.lastModified)) {
      ranges = parseRange(rangeField, file.size);
    }
  }
  if (ranges === null) return body(request, file, wholeFields(file, profile), 200, 0, file.size, served);
  if (ranges.length === 0) {
    return statusResponse(416, profile, [["content-range", `bytes */${file.size}`]]);
  }
  if (ranges.length > 1) return multipart(method, file, ranges, profile);
  const { start, end } = ranges[0];
  const length = end - start + 1;
  const fields: Fields = [
    ["content-type", file.contentType],
    ["content-length", `${length}`],
    ["content-range", contentRange(ranges[0], file.size)],
    ...validatorFields(file),
    ["accept-ranges", "bytes"],
    ...profile.extra,
  ];
  return body(request, file, fields, 206, start, length, served);
}

/** ETag and Last-Modified. */
function validatorFields(file: OpenFile): Fields {
  return [["etag", file.etag], ["last-modified", file.lastModifiedText]];
}

/** A whole-file 200's fields, made once per file and option profile. */
function wholeFields(file: OpenFile, profile: Profile): Fields {
  if (file.wholeKey === profile.key) return file.wholeHeaders!;
  const fields: Fields = [
    ["content-type", file.contentType],
    ["content-length", `${file.size}`],
    ...validatorFields(file),
    ["accept-ranges", "bytes"],
    ...profile.extra,
  ];
  file.wholeHeaders = fields;
  file.wholeKey = profile.key;
  return fields;
}

/** A request this library's server answers (null for any other), and how to make its response anew. */
type Served = { readonly refresh: (() => Promise<Response>) | undefined } | null;

/**
 * The Response of `length` bytes of `file` from `offset`, registered as a file body. Under this library's
 * server (`served`) its body stream is made only if someone asks for it, and a small body with a way to be
 * made anew is left for the server to read.
 */
function body(
  request: Request,
  file: OpenFile,
  fields: Fields,
  status: number,
  offset: number,
  length: number,
  served: Served,
): Response | Promise<Response | null> {
  if (request.method === "HEAD") return headResponse(file, fields, status, offset, length);
  const small = length <= SMALL_FILE;
  const refresh = small ? served?.refresh : undefined;
  if (small && refresh === undefined) {
    return preloaded(request, file, fields, status, offset, length, served !== null);
  }
  return fileResponse(
    request,
    new StreamedBody(file, offset, length, refresh),
    fields,
    status,
    served !== null,
  );
}

/** A HEAD response: no body, registered so that the server announces the length a GET would have. */
function headResponse(
  file: OpenFile,
  fields: Fields,
  status: number,
  offset: number,
  length: number,
): Response {
  const response = makeResponse(null, status, fields);
  setFileBody(response, new PreloadedBody(file.ring, offset, length, undefined));
  return response;
}

/** Reads the body now, into a pooled buffer; null if the file turned out to have changed. */
async function preloaded(
  request: Request,
  file: OpenFile,
  fields: Fields,
  status: number,
  offset: number,
  length: number,
  lazy: boolean,
): Promise<Response | null> {
  // One byte more than expected for a whole file: one that grew reads longer, and is described again.
  const want = offset === 0 && length === file.size ? length + 1 : length;
  const buffer = takeBuffer(want);
  let read = -1;
  file.acquire();
  try {
    read = await file.ring.read(file.fd, buffer.subarray(0, want), offset);
  } finally {
    file.release();
    if (read !== length) returnBuffer(buffer);
  }
  if (read !== length) return null;
  if (lazy) {
    // The server sends the bytes, then releases the body, which gives the buffer back.
    const body = new PreloadedBody(file.ring, offset, length, buffer.subarray(0, length), buffer);
    return fileResponse(request, body, fields, status, true);
  }
  const bytes = buffer.slice(0, length);
  returnBuffer(buffer);
  return fileResponse(request, new PreloadedBody(file.ring, offset, length, bytes), fields, status, false);
}

/**
 * The Response of a file body, registered for the server to claim. Under this library's server (`lazy`)
 * the body is held until the request is answered, and given back then if nobody claimed it.
 */
function fileResponse(
  request: Request,
  body: PreloadedBody | StreamedBody,
  fields: Fields,
  status: number,
  lazy: boolean,
): Response {
  let response: Response;
  if (lazy) {
    response = lazyFileResponse(status, body, fields);
    if (!holdUntilAnswered(request, body) && body instanceof StreamedBody) body.watch(response);
  } else {
    response = makeResponse(body instanceof PreloadedBody ? body.preloaded! : body.stream(), status, fields);
  }
  setFileBody(response, body);
  return response;
}

/** A 206 of several ranges, as multipart/byteranges (streamed; not a single file body to claim). */
function multipart(method: string, file: OpenFile, ranges: ByteRange[], profile: Profile): Response {
  const { pieces, length, contentType } = multipartBody(ranges, file.size, file.contentType);
  const fields: Fields = [
    ["content-type", contentType],
    ["content-length", `${length}`],
    ...validatorFields(file),
    ["accept-ranges", "bytes"],
    ...profile.extra,
  ];
  if (method === "HEAD") return headResponse(file, fields, 206, 0, length);
  return makeResponse(fileStream(file.ring, file.fd, new Lease(file), pieces), 206, fields);
}
