/**
 * A Response whose body stream is made on first use. Under this library's
 * server the body of a file response is almost never read as a stream (the
 * server claims the file and sends it itself), and making one costs more than
 * the rest of the response in Deno (a ReadableStream, or a copy of the bytes
 * and a native response built for Deno's own server). So the Response is
 * made with no body, and `body`, `bodyUsed`, the read methods and `clone()`
 * answer from a {@link BodySource} instead: any code reading the Response
 * through its methods sees the file. Only the runtime's own internals, which
 * read a Response's slots and not its methods (the Cache API), would see no
 * body; the Response never reaches them, since it is made only for requests
 * that this library's server answers.
 *
 * @module
 */

/** Where a lazy Response's body comes from. */
export interface BodySource {
  /** The body stream: made on the first call, the same one after. */
  stream(): ReadableStream<Uint8Array>;
  /** Whether the stream was read from or cancelled. */
  readonly disturbed: boolean;
}

/** Where a LazyFileResponse keeps its source (a symbol: cheaper to set than a WeakMap entry). */
const SOURCE = Symbol("file body source");
/** Where it keeps its fields until its Headers is first asked for (then null). */
const FIELDS = Symbol("file response fields");

/** Response fields as name/value pairs. */
export type Fields = readonly (readonly [string, string])[];

type WithSource = Response & { [SOURCE]?: BodySource; [FIELDS]?: Fields | null };

/** Response's own `headers` getter, which the lazy one calls. */
const responseHeaders = Object.getOwnPropertyDescriptor(Response.prototype, "headers")!.get!;

function sourceOf(response: Response): BodySource {
  const source = (response as WithSource)[SOURCE];
  if (source === undefined) throw new TypeError("Illegal invocation: not a file response");
  return source;
}

/** The Response with the body read from its source (for the read methods). */
function materialized(response: Response): Response {
  const body = sourceOf(response).stream();
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** A file response whose body stream is made when first asked for; its members are defined below. */
class LazyFileResponse extends Response {
  /**
   * @param status 200 or 206.
   * @param source Makes the body.
   */
  constructor(status: number, source: BodySource, fields: Fields) {
    super(null, { status });
    (this as unknown as WithSource)[SOURCE] = source;
    (this as unknown as WithSource)[FIELDS] = fields;
  }
}

/**
 * The fields of a lazy file response whose Headers was never asked for (so nothing was changed): the server
 * writes them as they are, without making the Headers. Undefined for any other Response.
 */
export function untouchedFields(response: Response): Fields | undefined {
  return (response as WithSource)[FIELDS] ?? undefined;
}

/**
 * A Response with `status` and no fields yet, whose body comes from `source` when first asked for.
 *
 * @param status 200 or 206.
 * @param source Makes the body.
 * @param fields Its fields, put in its Headers when that is first asked for.
 */
export function lazyFileResponse(status: number, source: BodySource, fields: Fields): Response {
  return new LazyFileResponse(status, source, fields) as unknown as Response;
}

/** A method that reads the body through a Response made of the source's stream. */
function reader<T>(read: (response: Response) => Promise<T>) {
  return {
    value: function (this: Response): Promise<T> {
      return read(materialized(this));
    },
    configurable: true,
    writable: true,
  };
}

// Response's members are declared differently by each runtime's types (methods as properties, `body`
// as a property rather than an accessor), so the members that shadow them are defined here rather than
// in the class body.
Object.defineProperties(LazyFileResponse.prototype, {
  headers: {
    get(this: Response): Headers {
      const headers = responseHeaders.call(this) as Headers;
      const fields = (this as WithSource)[FIELDS];
      if (fields) {
        (this as WithSource)[FIELDS] = null;
        for (const [name, value] of fields) headers.append(name, value);
      }
      return headers;
    },
    configurable: true,
    enumerable: true,
  },
  body: {
    get(this: Response): ReadableStream<Uint8Array> {
      return sourceOf(this).stream();
    },
    configurable: true,
    enumerable: true,
  },
  bodyUsed: {
    get(this: Response): boolean {
      return sourceOf(this).disturbed;
    },
    configurable: true,
    enumerable: true,
  },
  text: reader((response) => response.text()),
  arrayBuffer: reader((response) => response.arrayBuffer()),
  blob: reader((response) => response.blob()),
  json: reader((response) => response.json()),
  formData: reader((response) => response.formData()),
  bytes: reader((response) => response.arrayBuffer().then((buffer) => new Uint8Array(buffer))),
  clone: {
    /** A copy; the two bodies are the two branches of the stream's tee. */
    value: function clone(this: Response): Response {
      const source = sourceOf(this);
      if (source.disturbed) throw new TypeError("Cannot clone a Response whose body is already used");
      const [mine, theirs] = source.stream().tee();
      (this as WithSource)[SOURCE] = {
        stream: () => mine,
        get disturbed() {
          return mine.locked;
        },
      };
      return new Response(theirs, {
        status: this.status,
        statusText: this.statusText,
        headers: this.headers,
      });
    },
    configurable: true,
    writable: true,
  },
});
