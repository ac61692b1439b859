// whoami: prints the name of the effective user (its number when /etc/passwd has none).
import { geteuid } from '../libc/index.js';
import { run, stdout, UsageError } from '../util/io.js';
import { userName } from '../util/passwd.js';
import { checkHandOptions } from '../util/args.js';

export function main(argv: string[]): number {
  return run('whoami', () => {
    checkHandOptions(argv.slice(1), []);
    if (argv.length > 1) throw new UsageError(`extra operand '${argv[1]}'`);
    stdout.line(userName(geteuid()));
    return 0;
  });
}
