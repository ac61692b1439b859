// A small getopt: short flags that combine ("-la"), options that take a value
// ("-n 5" or "-n5"), a few long names mapped to short ones ("--recursive" → "r"),
// "--" to end options, and "-" as an ordinary operand. Bad options throw UsageError.

import { UsageError, HelpRequest, run } from './io.js';

export interface ArgSpec {
  /** Letters that are plain flags, e.g. "lad1". */
  flags?: string;
  /** Letters that take a value, e.g. "n". */
  options?: string;
  /** Long names → the short letter they stand for. */
  long?: Record<string, string>;
  /** Stop at the first operand (for programs that run a command: env, nice). */
  stopAtOperand?: boolean;
}

export interface ParsedArgs {
  flags: Set<string>;
  /** Last value given for each option letter. */
  options: Map<string, string>;
  /** Every value given for each option letter, in order (sort -k ... -k ...). */
  lists: Map<string, string[]>;
  operands: string[];
}

export function parseArgs(args: readonly string[], spec: ArgSpec): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const setOption = (letter: string, value: string): void => {
    options.set(letter, value);
    lists.set(letter, [...(lists.get(letter) ?? []), value]);
  };
  const operands: string[] = [];
  const flagLetters = spec.flags ?? '';
  const optionLetters = spec.options ?? '';
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') { i++; break; }
    if (a === '--help') throw new HelpRequest();
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const letter = spec.long?.[name];
      if (letter === undefined) throw new UsageError(`unrecognized option '${a}'`);
      if (optionLetters.includes(letter)) {
        const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
        if (value === undefined) throw new UsageError(`option '--${name}' requires an argument`);
        setOption(letter, value);
      } else {
        flags.add(letter);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j] as string;
        if (optionLetters.includes(c)) {
          const rest = a.slice(j + 1);
          const value = rest !== '' ? rest : args[++i];
          if (value === undefined) throw new UsageError(`option requires an argument -- '${c}'`);
          setOption(c, value);
          break;
        }
        if (!flagLetters.includes(c)) throw new UsageError(`invalid option -- '${c}'`);
        flags.add(c);
      }
      continue;
    }
    operands.push(a);
    if (spec.stopAtOperand === true) { i++; break; }
  }
  for (; i < args.length; i++) operands.push(args[i] as string);
  return { flags, options, lists, operands };
}

/** Parses a non-negative integer option value, or throws UsageError naming it. */
export function parseCount(value: string, what: string): number {
  if (!/^\+?\d+$/.test(value)) throw new UsageError(`invalid ${what}: '${value}'`);
  return Number(value);
}

/**
 * For programs that read their command line by hand: `--help` as the first
 * argument throws HelpRequest, and an argument that looks like an option (before
 * "--"; "-" and negative numbers are operands) and is not in `known` throws
 * UsageError. `known` lists whole arguments, e.g. ['-s', '-w'].
 */
export function checkHandOptions(args: readonly string[], known: readonly string[] = []): void {
  if (args[0] === '--help') throw new HelpRequest();
  for (const a of args) {
    if (a === '--') return;
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a) || known.includes(a)) continue;
    throw new UsageError(a.startsWith('--') ? `unrecognized option '${a}'` : `invalid option -- '${a.slice(1, 2)}'`);
  }
}

/**
 * checkHandOptions for a program whose main does not go through `run`: the status to
 * exit with (0 after --help, 2 after a bad option, each reported as `run` does), or
 * null to carry on.
 */
export function preflight(prog: string, args: readonly string[], known: readonly string[] = []): number | null {
  const status = run(prog, () => { checkHandOptions(args, known); return -1; });
  return status === -1 ? null : status;
}
