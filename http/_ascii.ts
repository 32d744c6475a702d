/**
 * The bytes HTTP's grammar names, by name: one table for the head parser,
 * the chunked decoder, the path resolver and the file server.
 *
 * @module
 */

/** Horizontal tab. */
export const HTAB = 9;
/** Line feed. */
export const LF = 10;
/** Carriage return. */
export const CR = 13;
/** Space. */
export const SP = 32;
/** "%". */
export const PERCENT = 37;
/** ".". */
export const DOT = 46;
/** "/". */
export const SLASH = 47;
/** ":". */
export const COLON = 58;
/** ";". */
export const SEMICOLON = 59;
/** Delete, the last control byte. */
export const DEL = 127;
