// pwd: prints the working directory.
import { getcwd } from '../libc/index.js';
import { run, stdout } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

export function main(argv: string[]): number {
  return run('pwd', () => {
    checkHandOptions(argv.slice(1), ['-L', '-P']);
    stdout.line(getcwd()); return 0;
  });
}
