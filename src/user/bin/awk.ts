// awk: pattern scanning and processing. The language (patterns and ranges, fields,
// NF NR FNR FS OFS ORS RS SUBSEP CONVFMT OFMT RSTART RLENGTH FILENAME ENVIRON ARGV,
// printf/sprintf, associative arrays with in/delete/for-in, user functions, getline,
// output to files and pipes) is in util/awk/: parse.ts reads the program, run.ts runs it.
//   awk [-F FS] [-v NAME=VALUE]... [-f PROGFILE | 'PROGRAM'] [FILE | NAME=VALUE]...
import { run, complain, UsageError, HelpRequest } from '../util/io.js';
import { latin1, readInput } from '../util/bytes.js';
import { parseProgram, AwkSyntaxError } from '../util/awk/parse.js';
import { runAwk, AwkRuntimeError, unescape } from '../util/awk/run.js';

export function main(argv: string[], env: Record<string, string>): number {
  return run('awk', () => {
    const args = argv.slice(1);
    let fs: string | undefined;
    const assignments: [string, string][] = [];
    const files: string[] = [];
    let i = 0;
    const value = (a: string, letter: string): string => {
      if (a.length > 2) return a.slice(2);
      const v = args[++i];
      if (v === undefined) throw new UsageError(`option requires an argument -- '${letter}'`);
      return v;
    };
    for (; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '--') { i++; break; }
      if (a === '--help') throw new HelpRequest();
      if (!a.startsWith('-') || a === '-') break;
      if (a.startsWith('--')) throw new UsageError(`unrecognized option '${a}'`);
      const letter = a[1] as string;
      if (letter === 'F') { const f = value(a, 'F'); fs = f === 't' ? '\t' : unescape(f); } else if (letter === 'v') {
        const v = value(a, 'v');
        const m = /^([A-Za-z_][A-Za-z_0-9]*)=(.*)$/s.exec(v);
        if (m === null) throw new UsageError(`'${v}' is not a NAME=VALUE assignment`);
        assignments.push([m[1] as string, m[2] as string]);
      } else if (letter === 'f') files.push(value(a, 'f'));
      else throw new UsageError(`invalid option -- '${letter}'`);
    }
    let source: string;
    if (files.length > 0) source = files.map((f) => latin1(readInput(f))).join('\n');
    else {
      const text = args[i++];
      if (text === undefined) throw new UsageError('no program given');
      source = text;
    }
    try {
      const program = parseProgram(source);
      return runAwk({ program, argv: ['awk', ...args.slice(i)], env, assignments, fs });
    } catch (e) {
      if (e instanceof AwkSyntaxError || e instanceof AwkRuntimeError) { complain('awk', e.message); return 2; }
      throw e;
    }
  });
}
