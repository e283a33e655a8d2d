// What commander hands a role's action for a line, for tests that compare
// another reading of the line with commander's (src/ap/ap-args.test.ts,
// src/sta/sta-args.test.ts).
import { Command, CommanderError } from 'commander';

/** A role's registration, given the function its action calls. */
export type RegisterRole<T> = (program: Command, run: (opts: T) => Promise<void>) => void;

/** The options commander's `wpsd ROLE ARGS...` passes to the role, or 'refused' (help, an error). */
export async function commanderReads<T>(register: RegisterRole<T>, role: string, args: readonly string[]): Promise<T | 'refused'> {
  let got: T | undefined;
  const program = new Command('wpsd')
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .enablePositionalOptions();
  register(program, (o) => {
    got = o;
    return Promise.resolve();
  });
  try {
    await program.parseAsync([role, ...args], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return 'refused';
    throw e;
  }
  return got ?? 'refused';
}
