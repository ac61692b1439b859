// cp: copies files. cp SRC DST, cp SRC... DIR. -r/-R: directories recursively.
// -f: remove a destination that cannot be opened. -v: say what. -n: never overwrite.
import { stat, lstat, unlink, isDir, type Stat } from '../libc/index.js';
import { run, complain, reasonOf, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { joinPath, baseName } from '../util/path.js';
import { copyFile, copyTree } from '../util/copy.js';

function statOrNull(p: string): Stat | null {
  try { return stat(p); } catch { return null; }
}

export function main(argv: string[]): number {
  return run('cp', () => {
    const args = parseArgs(argv.slice(1), { flags: 'rRfvnaPpd', long: { recursive: 'r', force: 'f', verbose: 'v', 'no-clobber': 'n', archive: 'a' } });
    const recursive = args.flags.has('r') || args.flags.has('R') || args.flags.has('a');
    const ops = args.operands;
    if (ops.length === 0) throw new UsageError('missing file operand');
    if (ops.length === 1) throw new UsageError(`missing destination file operand after '${ops[0]}'`);
    const dest = ops[ops.length - 1] as string;
    const destSt = statOrNull(dest);
    const intoDir = destSt !== null && isDir(destSt.mode);
    if (ops.length > 2 && !intoDir) { complain('cp', `target '${dest}' is not a directory`); return 1; }
    let status = 0;
    const report = (p: string, e: unknown): void => { complain('cp', `${p}: ${reasonOf(e)}`); status = 1; };
    for (const src of ops.slice(0, -1)) {
      const target = intoDir ? joinPath(dest, baseName(src)) : dest;
      let st: Stat;
      try { st = stat(src); } catch (e) {
        try { st = lstat(src); } catch { complain('cp', `cannot stat '${src}': ${reasonOf(e)}`); status = 1; continue; }
      }
      const targetSt = statOrNull(target);
      if (targetSt !== null && targetSt.ino === st.ino && targetSt.dev === st.dev) {
        complain('cp', `'${src}' and '${target}' are the same file`);
        status = 1;
        continue;
      }
      if (isDir(st.mode)) {
        if (!recursive) { complain('cp', `-r not specified; omitting directory '${src}'`); status = 1; continue; }
        const srcPrefix = src.replace(/\/+$/, '') + '/';
        if ((target.replace(/\/+$/, '') + '/').startsWith(srcPrefix)) {
          complain('cp', `cannot copy a directory, '${src}', into itself, '${target}'`);
          status = 1;
          continue;
        }
        copyTree(src, target, report);
      } else {
        if (targetSt !== null && args.flags.has('n')) continue;
        try {
          try {
            copyFile(src, target);
          } catch (e) {
            if (!args.flags.has('f') || targetSt === null) throw e;
            unlink(target);
            copyFile(src, target);
          }
        } catch (e) {
          complain('cp', `cannot create regular file '${target}': ${reasonOf(e)}`);
          status = 1;
          continue;
        }
      }
      if (args.flags.has('v')) stdout.line(`'${src}' -> '${target}'`);
    }
    return status;
  });
}
