// sync: writes every filesystem's cached data to its device.
import { sync } from '../libc/index.js';
import { run } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

export function main(argv: string[]): number {
  return run('sync', () => {
    checkHandOptions(argv.slice(1), []);
    sync(); return 0;
  });
}
