// sync: writes every filesystem's cached data to its device.
import { sync } from '../libc/index.js';
import { run } from '../util/io.js';

export function main(): number {
  return run('sync', () => { sync(); return 0; });
}
