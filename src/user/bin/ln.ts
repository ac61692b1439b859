// ln: makes links. ln TARGET LINK, ln TARGET... DIR. -s: symbolic. -f: replace
// an existing destination. -v: say what.
import { link, symlink, unlink, stat, isDir, SysError, Errno } from '../libc/index.js';
import { run, complain, reasonOf, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { joinPath, baseName } from '../util/path.js';

function isDirectory(p: string): boolean {
  try { return isDir(stat(p).mode); } catch { return false; }
}

export function main(argv: string[]): number {
  return run('ln', () => {
    const args = parseArgs(argv.slice(1), { flags: 'sfvnT', long: { symbolic: 's', force: 'f', verbose: 'v' } });
    const ops = args.operands;
    if (ops.length === 0) throw new UsageError('missing file operand');
    const pairs: [string, string][] = [];
    const last = ops[ops.length - 1] as string;
    if (ops.length === 1) pairs.push([last, baseName(last)]);
    else if (ops.length === 2 && !isDirectory(last)) pairs.push([ops[0] as string, last]);
    else {
      if (!isDirectory(last)) { complain('ln', `target '${last}' is not a directory`); return 1; }
      for (const t of ops.slice(0, -1)) pairs.push([t, joinPath(last, baseName(t))]);
    }
    let status = 0;
    for (const [target, path] of pairs) {
      const make = (): void => (args.flags.has('s') ? symlink(target, path) : link(target, path));
      try {
        try {
          make();
        } catch (e) {
          if (!(args.flags.has('f') && e instanceof SysError && e.errno === Errno.EEXIST)) throw e;
          unlink(path);
          make();
        }
        if (args.flags.has('v')) stdout.line(`'${path}' -> '${target}'`);
      } catch (e) {
        const what = args.flags.has('s') ? 'symbolic link' : 'hard link';
        complain('ln', `failed to create ${what} '${path}'${args.flags.has('s') ? '' : ` => '${target}'`}: ${reasonOf(e)}`);
        status = 1;
      }
    }
    return status;
  });
}
