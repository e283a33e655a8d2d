/** An error for a log line: its name, its code when it has one, its message. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}${'code' in e && typeof e.code === 'string' ? ` (${e.code})` : ''}: ${e.message}`;
  return String(e);
}
