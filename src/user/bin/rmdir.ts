// rmdir: removes empty directories. -p: also each parent named in the path.
import { rmdir } from '../libc/index.js';
import { run, complain, reasonOf, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { dirName } from '../util/path.js';

export function main(argv: string[]): number {
  return run('rmdir', () => {
    const args = parseArgs(argv.slice(1), { flags: 'p', long: { parents: 'p' } });
    if (args.operands.length === 0) throw new UsageError('missing operand');
    let status = 0;
    for (const p of args.operands) {
      let path = p.replace(/\/+$/, '') || '/';
      try {
        rmdir(path);
        while (args.flags.has('p')) {
          const parent = dirName(path);
          if (parent === path || parent === '.' || parent === '/') break;
          path = parent;
          rmdir(path);
        }
      } catch (e) {
        complain('rmdir', `failed to remove '${path}': ${reasonOf(e)}`);
        status = 1;
      }
    }
    return status;
  });
}
