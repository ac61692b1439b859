// umount: detaches the filesystems mounted at each DIR (flushing them first).
import { umount } from '../libc/index.js';
import { run, complain, reasonOf, UsageError } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

export function main(argv: string[]): number {
  return run('umount', () => {
    checkHandOptions(argv.slice(1), ['-v']);
    const targets = argv.slice(1).filter((a) => a !== '-v');
    if (targets.length === 0) throw new UsageError('usage: umount DIRECTORY...');
    let status = 0;
    for (const t of targets) {
      try { umount(t); } catch (e) { complain('umount', `${t}: ${reasonOf(e)}`); status = 1; }
    }
    return status;
  });
}
