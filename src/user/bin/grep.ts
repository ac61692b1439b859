// grep: prints lines that match a pattern. The pattern is a basic regular expression
// (\( \) \{ \} \| are the operators; ( ) { } | + ? are plain characters) unless -E
// (extended; util/regex.ts translates both, [:classes:] included) or -F (fixed string). Options: -v invert, -i ignore
// case, -c count, -n line numbers, -q quiet, -l files with matches, -h/-H file
// names, -w whole words, -x whole lines, -o only the matching part, -r recursive,
// -e PATTERN (repeatable). Exit 0 when a line matched, 1 when none did, 2 on error.
import { open, close, readdir, stat, isDir, O } from '../libc/index.js';
import { run, complain, errorText, stdout, LineReader, UsageError, HelpRequest } from '../util/io.js';
import { joinPath } from '../util/path.js';
import { posixToJs, escapeRegExp } from '../util/regex.js';

/** A POSIX basic regular expression as JS RegExp source. */
export const basicToJs = (bre: string): string => posixToJs(bre, false);

export function main(argv: string[]): number {
  return run('grep', () => {
    const patterns: string[] = [];
    const flags = new Set<string>();
    const operands: string[] = [];
    const args = argv.slice(1);
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '--') { operands.push(...args.slice(i + 1)); break; }
      if (a === '--help') throw new HelpRequest();
      if (a.startsWith('--')) throw new UsageError(`unrecognized option '${a}'`);
      if (a.startsWith('-') && a.length > 1) {
        for (let j = 1; j < a.length; j++) {
          const c = a[j] as string;
          if (c === 'e') {
            const p = a.slice(j + 1) !== '' ? a.slice(j + 1) : args[++i];
            if (p === undefined) throw new UsageError("option requires an argument -- 'e'");
            patterns.push(p);
            break;
          }
          if (!'vicnqlhHwxoErFRsG'.includes(c)) throw new UsageError(`invalid option -- '${c}'`);
          flags.add(c === 'R' ? 'r' : c);
        }
        continue;
      }
      operands.push(a);
    }
    if (patterns.length === 0) {
      const p = operands.shift();
      if (p === undefined) throw new UsageError('usage: grep [OPTION]... PATTERNS [FILE]...');
      patterns.push(...p.split('\n'));
    }
    const sources = patterns.map((p) => (flags.has('F') ? escapeRegExp(p) : posixToJs(p, flags.has('E'))));
    let body = sources.map((s) => `(?:${s})`).join('|');
    if (flags.has('w')) body = `(?<![A-Za-z0-9_])(?:${body})(?![A-Za-z0-9_])`;
    if (flags.has('x')) body = `^(?:${body})$`;
    let re: RegExp;
    try {
      re = new RegExp(body, flags.has('i') ? 'gi' : 'g');
    } catch (e) {
      complain('grep', `invalid regular expression: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
    const invert = flags.has('v');
    const quiet = flags.has('q');
    let files = operands.length > 0 ? operands : [flags.has('r') ? '.' : '-'];
    if (flags.has('r')) {
      const expanded: string[] = [];
      const walk = (p: string): void => {
        let st;
        try { st = stat(p); } catch (e) { complain('grep', errorText(e, p)); errors = true; return; }
        if (!isDir(st.mode)) { expanded.push(p); return; }
        for (const e of readdir(p).sort((a, b) => (a.name < b.name ? -1 : 1))) {
          if (e.name !== '.' && e.name !== '..') walk(joinPath(p, e.name));
        }
      };
      let errors = false;
      for (const f of files) walk(f);
      files = expanded;
      if (errors && files.length === 0) return 2;
    }
    const showNames = flags.has('H') || (!flags.has('h') && (files.length > 1 || flags.has('r')));
    let matchedAny = false;
    let error = false;
    for (const f of files) {
      let fd = 0;
      try {
        if (f !== '-') {
          fd = open(f, O.RDONLY);
          if (isDir(stat(f).mode)) { complain('grep', `${f}: Is a directory`); error = true; continue; }
        }
        const name = f === '-' ? '(standard input)' : f;
        const reader = new LineReader(fd);
        let lineNo = 0;
        let count = 0;
        for (let line = reader.next(); line !== null; line = reader.next()) {
          lineNo++;
          re.lastIndex = 0;
          const hit = re.test(line);
          if (hit === invert) continue;
          count++;
          matchedAny = true;
          if (quiet) return 0;
          if (flags.has('l')) break;
          if (flags.has('c')) continue;
          const prefix = (showNames ? `${name}:` : '') + (flags.has('n') ? `${lineNo}:` : '');
          if (flags.has('o') && !invert) {
            re.lastIndex = 0;
            for (const m of line.matchAll(re)) if (m[0] !== '') stdout.line(prefix + m[0]);
          } else {
            stdout.line(prefix + line);
          }
        }
        if (flags.has('l') && count > 0) stdout.line(name);
        else if (flags.has('c')) stdout.line((showNames ? `${name}:` : '') + String(count));
      } catch (e) {
        if (!flags.has('s')) complain('grep', errorText(e, f));
        error = true;
      } finally {
        if (fd !== 0) close(fd);
      }
    }
    if (error && !(matchedAny && quiet)) return 2;
    return matchedAny ? 0 : 1;
  });
}
