/**
 * The one error type of wpsd. Every error class derives from it and carries
 * a typed `code` in UPPER_SNAKE, the spelling of Node's own codes
 * (ERR_INVALID_ARG_TYPE, EADDRINUSE), so a `catch` can test ours and the
 * system's the same way. It lives in src/common because every layer,
 * src/wps and src/upnp included, may import src/common and nothing else
 * below them. scripts/check-layers.mjs --vocabulary enforces both rules.
 */
export class WpsdError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An error for a log line: its name, its code when it has one, its message. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}${'code' in e && typeof e.code === 'string' ? ` (${e.code})` : ''}: ${e.message}`;
  return String(e);
}
