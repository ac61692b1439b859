// The usage texts a program can print (util/usage-text.ts has them all). In a
// program's bundle the table is only the entries that program names: scripts/build.mjs
// replaces usage-text.ts with those (all of them for `man`), so a program does not
// carry every other program's help (about 17 KB each).

import { USAGES } from './usage-text.js';

/** The usage text of `prog` ("Usage: " and its entry). */
export function usageOf(prog: string): string {
  return `Usage: ${USAGES[prog] ?? `${prog} [OPTION]... [ARGUMENT]...`}\n`;
}

/** The programs that have a usage entry (for tests). */
export const programsWithUsage = (): string[] => Object.keys(USAGES);
