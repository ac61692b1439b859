// The --help text of every program, one entry each: the synopsis and its options.
// `run` prints it when the option parser meets --help.

const usages: Record<string, string> = {};

/** The usage text of `prog` (a generic line for one that has none). */
export function usageOf(prog: string): string {
  return usages[prog] ?? `Usage: ${prog} [OPTION]... [ARG]...\n`;
}
