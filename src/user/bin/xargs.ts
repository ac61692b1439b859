// xargs: runs COMMAND (default echo) with arguments read from stdin. Arguments are
// separated by blanks and newlines, with '...', "..." and backslash quoting;
// -n N passes at most N per run, -I STR runs once per input line with STR replaced
// in the command's arguments, -0 reads NUL-separated arguments, -t echoes each
// command on stderr. Exits 123 when a run failed, 127 when COMMAND was not found.
import { write, readAll } from '../libc/index.js';
import { run, UsageError, utf8 } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { runCommand } from '../util/command.js';

/** Splits xargs input into arguments (blanks and newlines separate; quotes group). */
export function splitArguments(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inArg) { args.push(current); current = ''; inArg = false; }
      continue;
    }
    inArg = true;
    if (c === '\\' && i + 1 < text.length) { current += text[++i]; continue; }
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new UsageError(`unmatched ${c === '"' ? 'double' : 'single'} quote; by default quotes are special to xargs unless you use the -0 option`);
      current += text.slice(i + 1, end);
      i = end;
      continue;
    }
    current += c;
  }
  if (inArg) args.push(current);
  return args;
}

export function main(argv: string[], env: Record<string, string>): number {
  return run('xargs', () => {
    const args = parseArgs(argv.slice(1), { flags: '0tr', options: 'nI', long: { 'max-args': 'n', null: '0', verbose: 't', 'no-run-if-empty': 'r' }, stopAtOperand: true });
    const command = args.operands.length > 0 ? args.operands : ['echo'];
    const max = args.options.has('n') ? parseCount(args.options.get('n') as string, 'value for -n option') : Infinity;
    if (max === 0) throw new UsageError("value 0 for -n option should be >= 1");
    const text = utf8(readAll(0));
    const replace = args.options.get('I');
    let status = 0;
    const once = (list: string[]): void => {
      if (args.flags.has('t')) write(2, list.join(' ') + '\n');
      const r = runCommand('xargs', list, env);
      if (r === 127 || r === 126) throw new ExitWith(r);
      if (r !== 0) status = 123;
    };
    try {
      if (replace !== undefined) {
        for (const line of text.split('\n')) {
          const item = line.replace(/^[ \t]+/, '');
          if (item === '') continue;
          once(command.map((a) => a.split(replace).join(item)));
        }
        return status;
      }
      const items = args.flags.has('0') ? text.split('\0').filter((s, k, all) => k < all.length - 1 || s !== '') : splitArguments(text);
      if (items.length === 0) {
        if (!args.flags.has('r')) once(command);
        return status;
      }
      for (let k = 0; k < items.length; k += max === Infinity ? items.length : max) {
        once([...command, ...items.slice(k, max === Infinity ? items.length : k + max)]);
      }
    } catch (e) {
      if (e instanceof ExitWith) return e.status;
      throw e;
    }
    return status;
  });
}

// A command that could not run ends xargs with its status.
class ExitWith extends Error {
  constructor(readonly status: number) { super(`exit ${status}`); }
}
