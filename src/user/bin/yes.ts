// yes: prints its arguments (default "y") on a line, forever, until the reader goes.
import { write } from '../libc/index.js';
import { run } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

export function main(argv: string[]): number {
  return run('yes', () => {
    checkHandOptions(argv.slice(1), []);
    const line = (argv.length > 1 ? argv.slice(1).join(' ') : 'y') + '\n';
    const block = new TextEncoder().encode(line.repeat(Math.max(1, Math.floor(8192 / line.length))));
    for (;;) write(1, block);
  });
}
