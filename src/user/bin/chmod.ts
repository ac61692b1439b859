// chmod: sets permission bits. MODE is octal (755) or symbolic (u+x, go-w, a=r,
// +x; several joined by commas). -R: recursively.
import { chmod, stat, lstat, readdir, isDir, isLnk } from '../libc/index.js';
import { run, complain, reasonOf, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { joinPath } from '../util/path.js';

/** The new permission bits for `mode` under MODE text; null when the text is invalid. */
export function applyMode(text: string, mode: number, isDirectory: boolean): number | null {
  if (/^[0-7]{1,4}$/.test(text)) return parseInt(text, 8);
  let bits = mode & 0o7777;
  for (const clause of text.split(',')) {
    const m = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    if (m === null) return null;
    const who = m[1] === '' || m[1]!.includes('a') ? 'ugo' : (m[1] as string);
    let perm = 0;
    for (const c of m[3] as string) {
      if (c === 'r') perm |= 0o444;
      if (c === 'w') perm |= 0o222;
      if (c === 'x' || (c === 'X' && (isDirectory || (mode & 0o111) !== 0))) perm |= 0o111;
      if (c === 's') perm |= 0o6000;
      if (c === 't') perm |= 0o1000;
    }
    let mask = 0;
    if (who.includes('u')) mask |= 0o4700;
    if (who.includes('g')) mask |= 0o2070;
    if (who.includes('o')) mask |= 0o1007;
    perm &= mask;
    if (m[2] === '+') bits |= perm;
    else if (m[2] === '-') bits &= ~perm;
    else bits = (bits & ~mask) | perm;
  }
  return bits;
}

export function main(argv: string[]): number {
  return run('chmod', () => {
    // A leading "-w"-style symbolic mode looks like an option: take it as the mode.
    const raw = argv.slice(1);
    let recursive = false;
    const rest: string[] = [];
    for (const a of raw) {
      if (a === '-R' || a === '--recursive') recursive = true;
      else rest.push(a);
    }
    const args = parseArgs(rest.filter((a) => !/^-[rwxXst]+$/.test(a)), {});
    const modeText = rest.find((a) => /^-[rwxXst]+$/.test(a)) ?? args.operands.shift();
    if (modeText === undefined) throw new UsageError('missing operand');
    if (args.operands.length === 0) throw new UsageError(`missing operand after '${modeText}'`);
    if (applyMode(modeText, 0, false) === null) throw new UsageError(`invalid mode: '${modeText}'`);
    let status = 0;
    const change = (p: string): void => {
      try {
        const st = stat(p);
        chmod(p, applyMode(modeText, st.mode, isDir(st.mode)) as number);
        if (recursive && isDir(st.mode) && !isLnk(lstat(p).mode)) {
          for (const e of readdir(p)) if (e.name !== '.' && e.name !== '..') change(joinPath(p, e.name));
        }
      } catch (e) {
        complain('chmod', `cannot access '${p}': ${reasonOf(e)}`);
        status = 1;
      }
    };
    for (const p of args.operands) change(p);
    return status;
  });
}
