/**
 * The chunked transfer coding's decoder (RFC 9112 7.1), fed the bytes of a
 * request body as they arrive, split anywhere. It is a state machine over the
 * framing bytes, so it consumes everything it is given until the body ends,
 * and hands out the data as views of the input, never copies.
 *
 * Strictness, against request smuggling through front ends that read the
 * framing differently: every line ends in CRLF (no bare LF here, unlike the
 * head), the size is 1 to 15 hex digits with no sign, whitespace is allowed
 * only before a ";" extension, and trailer fields must be well-formed field
 * lines (they are then discarded). After an error the decoder stays broken.
 *
 * Errors are HttpError with close set: 400 for malformed framing (and a size
 * above Number.MAX_SAFE_INTEGER), 413 for a chunk-size line (size and
 * extensions) longer than `maxChunkSizeLine`, as Node.js answers overlong
 * extensions, and 431 for a trailer section longer than `maxTrailerBytes`.
 *
 * @module
 */
import { COLON, CR, HTAB, LF, SEMICOLON, SP } from "./_ascii.ts";
import { HttpError } from "./_errors.ts";
import { BYTE_CLASS, FIELD, TCHAR } from "./_framing.ts";

const MAX_SIZE_DIGITS = 15;

/** Where the decoder is in the coding. */
const State = {
  /** Before the first hex digit of a chunk size. */
  SizeStart: 0,
  /** In the hex digits. */
  Size: 1,
  /** In whitespace after the digits, which only a ";" may follow. */
  SizeSpace: 2,
  /** In a chunk extension (ignored, checked for control bytes). */
  Extension: 3,
  /** After the size line's CR. */
  SizeLf: 4,
  /** In chunk data. */
  Data: 5,
  /** After the data, expecting CR. */
  DataCr: 6,
  /** After that CR. */
  DataLf: 7,
  /** At the start of a trailer line (or the final empty line). */
  TrailerStart: 8,
  /** In a trailer field's name. */
  TrailerName: 9,
  /** In a trailer field's value. */
  TrailerValue: 10,
  /** After a trailer line's CR. */
  TrailerLf: 11,
  /** After the final empty line's CR. */
  FinalLf: 12,
  /** The body ended. */
  Done: 13,
} as const;

/** Limits for {@link ChunkedDecoder}. */
export interface ChunkedLimits {
  /** The longest chunk-size line, extensions included, CRLF excluded (413 beyond); default 4096. */
  maxChunkSizeLine?: number;
  /** The longest trailer section, CRLFs included (431 beyond); default 8192. */
  maxTrailerBytes?: number;
}

/** What one {@link ChunkedDecoder.decode} call found. */
export interface DecodeResult {
  /** How many input bytes were used: all of them, unless the body ended before their end. */
  consumed: number;
  /** The body data found, as views of the input. */
  chunks: Uint8Array[];
  /** Whether the last chunk and the trailer section are complete. */
  done: boolean;
}

/** Decodes one chunked body, fed in pieces. */
export class ChunkedDecoder {
  readonly #maxSizeLine: number;
  readonly #maxTrailer: number;
  #state: number = State.SizeStart;
  /** The chunk size being read, then the data bytes still to come. */
  #remaining = 0;
  #digits = 0;
  #lineBytes = 0;
  #trailerBytes = 0;
  #error: HttpError | null = null;

  /** @param limits The longest chunk-size line and trailer section. */
  constructor(limits?: ChunkedLimits) {
    this.#maxSizeLine = limits?.maxChunkSizeLine ?? 4096;
    this.#maxTrailer = limits?.maxTrailerBytes ?? 8192;
  }

  /**
   * Feeds bytes that follow the ones consumed before.
   *
   * @param input The next bytes of the body (and maybe what follows it).
   * @returns The bytes used, the data found (views of `input`), and whether the body ended.
   * @throws {HttpError} On malformed framing or exceeded limits (see the module doc).
   */
  decode(input: Uint8Array): DecodeResult {
    if (this.#error !== null) throw this.#error;
    try {
      return this.#decode(input);
    } catch (error) {
      this.#error = error as HttpError;
      throw error;
    }
  }

  #decode(input: Uint8Array): DecodeResult {
    const chunks: Uint8Array[] = [];
    let at = 0;
    while (at < input.length && this.#state !== State.Done) {
      if (this.#state === State.Data) {
        const take = Math.min(this.#remaining, input.length - at);
        chunks.push(input.subarray(at, at + take));
        at += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = State.DataCr;
      } else if (this.#state >= State.TrailerStart) {
        this.#trailerByte(input[at++]);
      } else {
        this.#framingByte(input[at++]);
      }
    }
    return { consumed: at, chunks, done: this.#state === State.Done };
  }

  /** One byte of a chunk-size line or of the CRLF after data. */
  #framingByte(byte: number): void {
    switch (this.#state) {
      case State.SizeStart:
      case State.Size:
        if (this.#sizeDigit(byte)) return;
        if (this.#state === State.SizeStart) throw bad("a chunk size must start with a hex digit");
        this.#afterSize(byte);
        return;
      case State.SizeSpace:
        if (byte === SP || byte === HTAB) return this.#countLine();
        if (byte !== SEMICOLON) throw bad("whitespace after a chunk size may only precede an extension");
        this.#state = State.Extension;
        return this.#countLine();
      case State.Extension:
        if (byte === CR) this.#state = State.SizeLf;
        else if ((BYTE_CLASS[byte] & FIELD) === 0) throw bad("a control byte in a chunk extension");
        else this.#countLine();
        return;
      case State.SizeLf:
        if (byte !== LF) throw bad("a chunk-size line must end in CRLF");
        this.#lineBytes = 0;
        this.#digits = 0;
        this.#state = this.#remaining === 0 ? State.TrailerStart : State.Data;
        return;
      case State.DataCr:
        if (byte !== CR) throw bad("chunk data must be followed by CRLF");
        this.#state = State.DataLf;
        return;
      case State.DataLf:
        if (byte !== LF) throw bad("chunk data must be followed by CRLF");
        this.#state = State.SizeStart;
        return;
    }
  }

  /** Adds a hex digit to the size; false when `byte` is not one. */
  #sizeDigit(byte: number): boolean {
    const value = hexValue(byte);
    if (value < 0) return false;
    if (++this.#digits > MAX_SIZE_DIGITS) throw bad("a chunk size of more than 15 hex digits");
    this.#remaining = this.#remaining * 16 + value;
    if (this.#remaining > Number.MAX_SAFE_INTEGER) throw bad("a chunk size too large");
    this.#state = State.Size;
    this.#countLine();
    return true;
  }

  /** The byte after the size's digits. */
  #afterSize(byte: number): void {
    if (byte === CR) this.#state = State.SizeLf;
    else if (byte === SEMICOLON) this.#state = State.Extension;
    else if (byte === SP || byte === HTAB) this.#state = State.SizeSpace;
    else throw bad("a chunk size must be hex digits");
    if (byte !== CR) this.#countLine();
  }

  #countLine(): void {
    if (++this.#lineBytes > this.#maxSizeLine) {
      throw new HttpError(413, true, `a chunk-size line longer than ${this.#maxSizeLine} bytes`);
    }
  }

  /** One byte of the trailer section. */
  #trailerByte(byte: number): void {
    if (++this.#trailerBytes > this.#maxTrailer) {
      throw new HttpError(431, true, `a trailer section longer than ${this.#maxTrailer} bytes`);
    }
    switch (this.#state) {
      case State.TrailerStart:
        if (byte === CR) this.#state = State.FinalLf;
        else if ((BYTE_CLASS[byte] & TCHAR) !== 0) this.#state = State.TrailerName;
        else throw bad("a trailer line must start with a field name");
        return;
      case State.TrailerName:
        if (byte === COLON) this.#state = State.TrailerValue;
        else if ((BYTE_CLASS[byte] & TCHAR) === 0) {
          throw bad("a trailer field name must be a token and a colon");
        }
        return;
      case State.TrailerValue:
        if (byte === CR) this.#state = State.TrailerLf;
        else if ((BYTE_CLASS[byte] & FIELD) === 0) throw bad("a control byte in a trailer field value");
        return;
      case State.TrailerLf:
      case State.FinalLf:
        if (byte !== LF) throw bad("a trailer line must end in CRLF");
        this.#state = this.#state === State.FinalLf ? State.Done : State.TrailerStart;
        return;
    }
  }
}

/** The value of a hex digit's code, or -1. */
function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function bad(message: string): HttpError {
  return new HttpError(400, true, message);
}
