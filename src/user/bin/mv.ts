// mv: renames files. mv SRC DST, mv SRC... DIR. Across filesystems (EXDEV) it
// copies and then removes the source. -f: no questions (the default here), -n: never
// overwrite, -v: say what.
import { rename, stat, lstat, isDir, SysError, Errno } from '../libc/index.js';
import { run, complain, reasonOf, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { joinPath, baseName } from '../util/path.js';
import { copyTree, removeTree } from '../util/copy.js';

function exists(p: string): boolean {
  try { lstat(p); return true; } catch { return false; }
}

export function main(argv: string[]): number {
  return run('mv', () => {
    const args = parseArgs(argv.slice(1), { flags: 'fivnT', long: { force: 'f', verbose: 'v', 'no-clobber': 'n' } });
    const ops = args.operands;
    if (ops.length === 0) throw new UsageError('missing file operand');
    if (ops.length === 1) throw new UsageError(`missing destination file operand after '${ops[0]}'`);
    const dest = ops[ops.length - 1] as string;
    let intoDir = false;
    try { intoDir = isDir(stat(dest).mode); } catch { /* a new name */ }
    if (ops.length > 2 && !intoDir) { complain('mv', `target '${dest}' is not a directory`); return 1; }
    let status = 0;
    for (const src of ops.slice(0, -1)) {
      const target = intoDir ? joinPath(dest, baseName(src)) : dest;
      if (args.flags.has('n') && exists(target)) continue;
      try {
        try {
          rename(src, target);
        } catch (e) {
          if (!(e instanceof SysError && e.errno === Errno.EXDEV)) throw e;
          let ok = true;
          copyTree(src, target, (p, err) => { complain('mv', `${p}: ${reasonOf(err)}`); ok = false; });
          if (!ok) { status = 1; continue; }
          removeTree(src);
        }
        if (args.flags.has('v')) stdout.line(`renamed '${src}' -> '${target}'`);
      } catch (e) {
        complain('mv', `cannot move '${src}' to '${target}': ${reasonOf(e)}`);
        status = 1;
      }
    }
    return status;
  });
}
