// insmod: loads a component into the running system (its domain comes from the
// preset: the kernel under monolithic, a new server under microkernel).
import { insmod } from '../libc/index.js';
import { run, complain, reasonOf, UsageError } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

export function main(argv: string[]): number {
  return run('insmod', () => {
    checkHandOptions(argv.slice(1), []);
    const names = argv.slice(1);
    if (names.length === 0) throw new UsageError('usage: insmod NAME...');
    let status = 0;
    for (const n of names) {
      try { insmod(n); } catch (e) { complain('insmod', `${n}: ${reasonOf(e)}`); status = 1; }
    }
    return status;
  });
}
