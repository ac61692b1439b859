// rmmod: unloads a component; one still in use is refused (EBUSY).
import { rmmod } from '../libc/index.js';
import { run, complain, reasonOf, UsageError } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

export function main(argv: string[]): number {
  return run('rmmod', () => {
    checkHandOptions(argv.slice(1), []);
    const names = argv.slice(1);
    if (names.length === 0) throw new UsageError('usage: rmmod NAME...');
    let status = 0;
    for (const n of names) {
      try { rmmod(n); } catch (e) { complain('rmmod', `${n}: ${reasonOf(e)}`); status = 1; }
    }
    return status;
  });
}
